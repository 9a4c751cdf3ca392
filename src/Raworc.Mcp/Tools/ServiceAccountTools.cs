using System.ComponentModel;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Service accounts: the logins of people and automation. The API keys them by name.</summary>
internal sealed class ServiceAccountTools(ToolContext context) : ToolSet(context)
{
    private const string IdArgument = "Service account name (the API keys accounts by name).";

    [RaworcTool("list_service_accounts", "List service accounts", ToolEffect.Read)]
    [Description("List all service accounts with description, active flag and last login, newest first.")]
    public Task<CallToolResult> ListServiceAccounts(CancellationToken ct) =>
        Results.Json(() => Api.ListServiceAccountsAsync(ct));

    [RaworcTool("create_service_account", "Create service account", ToolEffect.Create)]
    [Description("Create a service account that can log in with the given name and password. Returns the account (never the password).")]
    public Task<CallToolResult> CreateServiceAccount(
        [Description("Account name, used to log in.")] string user,
        [Description("Initial password.")] string pass,
        [Description("Stored with the account; has no effect on permissions (use role bindings).")] string? space = null,
        [Description("What the account is for.")] string? description = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateServiceAccountAsync(new CreateServiceAccountRequest(user, pass, space, description), ct));

    [RaworcTool("get_service_account", "Get service account", ToolEffect.Read)]
    [Description("Get one service account by name.")]
    public Task<CallToolResult> GetServiceAccount([Description(IdArgument)] string id, CancellationToken ct) =>
        Results.Json(() => Api.GetServiceAccountAsync(id, ct));

    [RaworcTool("update_service_account", "Update service account", ToolEffect.Update)]
    [Description("Change a service account's description or active flag (inactive accounts cannot log in). Give at least one field.")]
    public Task<CallToolResult> UpdateServiceAccount(
        [Description(IdArgument)] string id,
        [Description("New space value stored with the account.")] string? space = null,
        [Description("New description.")] string? description = null,
        [Description("false disables logins, true enables them.")] bool? active = null,
        CancellationToken ct = default)
    {
        if (space is null && description is null && active is null)
            return Task.FromResult(ToolResults.InvalidArguments("update_service_account", ["give at least one of space, description, active"]));
        return Results.Json(() => Api.UpdateServiceAccountAsync(id, new UpdateServiceAccountRequest(space, description, active), ct));
    }

    [RaworcTool("delete_service_account", "Delete service account", ToolEffect.Delete)]
    [Description("Permanently delete a service account; its tokens stop working.")]
    public Task<CallToolResult> DeleteServiceAccount([Description(IdArgument)] string id, CancellationToken ct) =>
        Results.Confirm(() => Api.DeleteServiceAccountAsync(id, ct), $"Deleted service account '{id}'.");

    [RaworcTool("update_service_account_password", "Change password", ToolEffect.Update)]
    [Description("Change a service account's password; the current password is required.")]
    public Task<CallToolResult> UpdateServiceAccountPassword(
        [Description(IdArgument)] string id,
        [Description("The account's current password.")] string current_password,
        [Description("The new password.")] string new_password,
        CancellationToken ct) =>
        Results.Confirm(() => Api.UpdateServiceAccountPasswordAsync(id, new UpdatePasswordRequest(current_password, new_password), ct),
            $"Changed the password of service account '{id}'.");
}
