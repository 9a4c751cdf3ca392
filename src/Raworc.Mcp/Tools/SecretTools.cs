using System.ComponentModel;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Space secrets, passed to sessions as environment (ANTHROPIC_API_KEY is required to run sessions).</summary>
internal sealed class SecretTools(ToolContext context) : ToolSet(context)
{
    private const string KeyArgument = "Secret key, e.g. ANTHROPIC_API_KEY.";
    private const string ShowValuesArgument = "Include the values (as encrypted_value, in plain text). Default false.";

    [RaworcTool("list_secrets", "List secrets", ToolEffect.Read)]
    [Description("List the secrets of a space by key and description; values only when show_values is true.")]
    public Task<CallToolResult> ListSecrets(
        [Description(SpaceArgument)] string? space = null,
        [Description(ShowValuesArgument)] bool? show_values = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.ListSecretsAsync(SpaceOrDefault(space), show_values ?? false, ct));

    [RaworcTool("create_secret", "Create secret", ToolEffect.Create)]
    [Description("Store a new secret in a space. Returns its key and description, never the value.")]
    public Task<CallToolResult> CreateSecret(
        [Description("Secret key, e.g. ANTHROPIC_API_KEY.")] string key_name,
        [Description("Secret value.")] string value,
        [Description(SpaceArgument)] string? space = null,
        [Description("What the secret is for.")] string? description = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateSecretAsync(SpaceOrDefault(space), new CreateSecretRequest(key_name, value, description), ct));

    [RaworcTool("get_secret", "Get secret", ToolEffect.Read)]
    [Description("Get one secret of a space; its value only when show_values is true.")]
    public Task<CallToolResult> GetSecret(
        [Description(KeyArgument)] string key,
        [Description(SpaceArgument)] string? space = null,
        [Description(ShowValuesArgument)] bool? show_values = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.GetSecretAsync(SpaceOrDefault(space), key, show_values ?? false, ct));

    [RaworcTool("update_secret", "Update secret", ToolEffect.Update)]
    [Description("Replace a secret's value or description. Give at least one.")]
    public Task<CallToolResult> UpdateSecret(
        [Description(KeyArgument)] string key,
        [Description(SpaceArgument)] string? space = null,
        [Description("New value.")] string? value = null,
        [Description("New description.")] string? description = null,
        CancellationToken ct = default)
    {
        if (value is null && description is null)
            return Task.FromResult(ToolResults.InvalidArguments("update_secret", ["give at least one of value, description"]));
        return Results.Json(() => Api.UpdateSecretAsync(SpaceOrDefault(space), key, new UpdateSecretRequest(value, description), ct));
    }

    [RaworcTool("delete_secret", "Delete secret", ToolEffect.Delete)]
    [Description("Permanently delete a secret from a space.")]
    public Task<CallToolResult> DeleteSecret(
        [Description(KeyArgument)] string key,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Confirm(() => Api.DeleteSecretAsync(SpaceOrDefault(space), key, ct), $"Deleted secret '{key}' from space '{SpaceOrDefault(space)}'.");
}
