using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Space secrets, passed to sessions as environment (ANTHROPIC_API_KEY is required to run sessions).</summary>
internal sealed class SecretTools(ToolContext context) : ToolSet(context)
{
    private const string KeyArgument = "Secret key, e.g. ANTHROPIC_API_KEY.";
    private const string ShowValuesArgument = "Include the values (as encrypted_value, in plain text). Default false.";

    public override string Name => "secrets";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_secrets", "List secrets", ToolEffect.Read,
                "List the secrets of a space by key and description; values only when show_values is true.")
            .Optional("space", Text, SpaceArgument)
            .Optional("show_values", Flag, ShowValuesArgument)
            .Handles(c => Results.Json(() => Api.ListSecretsAsync(Space(c), c.OptionalBool("show_values") ?? false, c.Cancellation)));

        yield return Tool("create_secret", "Create secret", ToolEffect.Create, "Store a new secret in a space. Returns its key and description, never the value.")
            .Required("key_name", Text, KeyArgument)
            .Required("value", Text, "Secret value.")
            .Optional("space", Text, SpaceArgument)
            .Optional("description", Text, "What the secret is for.")
            .Handles(c => Results.Json(() => Api.CreateSecretAsync(Space(c),
                new CreateSecretRequest(c.String("key_name"), c.String("value"), c.OptionalString("description")), c.Cancellation)));

        yield return Tool("get_secret", "Get secret", ToolEffect.Read, "Get one secret of a space; its value only when show_values is true.")
            .Required("key", Text, KeyArgument)
            .Optional("space", Text, SpaceArgument)
            .Optional("show_values", Flag, ShowValuesArgument)
            .Handles(c => Results.Json(() => Api.GetSecretAsync(Space(c), c.String("key"), c.OptionalBool("show_values") ?? false, c.Cancellation)));

        yield return Tool("update_secret", "Update secret", ToolEffect.Update, "Replace a secret's value or description. Give at least one.")
            .Required("key", Text, KeyArgument)
            .Optional("space", Text, SpaceArgument)
            .Optional("value", Text, "New value.")
            .Optional("description", Text, "New description.")
            .Handles(c =>
            {
                var request = new UpdateSecretRequest(c.OptionalString("value"), c.OptionalString("description"));
                return request is { Value: null, Description: null }
                    ? Task.FromResult(ToolResults.InvalidArguments("update_secret", ["give at least one of value, description"]))
                    : Results.Json(() => Api.UpdateSecretAsync(Space(c), c.String("key"), request, c.Cancellation));
            });

        yield return Tool("delete_secret", "Delete secret", ToolEffect.Delete, "Permanently delete a secret from a space.")
            .Required("key", Text, KeyArgument)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Confirm(() => Api.DeleteSecretAsync(Space(c), c.String("key"), c.Cancellation),
                $"Deleted secret '{c.String("key")}' from space '{Space(c)}'."));
    }
}
