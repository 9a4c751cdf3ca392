using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Service accounts: the logins of people and automation. The API keys them by name.</summary>
internal sealed class ServiceAccountTools(ToolContext context) : ToolProvider(context)
{
    private const string IdArgument = "Service account name.";

    public override ToolSet ToolSet => ToolSet.Accounts;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_service_accounts", "List service accounts", ToolEffect.Read,
                "List all service accounts with description, active flag and last login, newest first.")
            .Handles(c => Results.Json(() => Api.ListServiceAccountsAsync(c.Cancellation)));

        yield return Tool("create_service_account", "Create service account", ToolEffect.Create,
                "Create a service account that logs in with this name and password. Returns the account, never the password.")
            .Required("user", Text, "Account name, used to log in.")
            .Required("pass", Text, "Initial password.").Sensitive()
            .Optional("space", Text, "Stored with the account; has no effect on permissions (use role bindings).")
            .Optional("description", Text, "What the account is for.")
            .Handles(c => Results.Json(() => Api.CreateServiceAccountAsync(new CreateServiceAccountRequest(
                c.String("user"), c.String("pass"), c.OptionalString("space"), c.OptionalString("description")), c.Cancellation)));

        yield return Tool("get_service_account", "Get service account", ToolEffect.Read, "Get one service account by name.")
            .Required("id", Text, IdArgument)
            .Handles(c => Results.Json(() => Api.GetServiceAccountAsync(c.String("id"), c.Cancellation)));

        yield return Tool("update_service_account", "Update service account", ToolEffect.Update,
                "Change a service account's description or active flag (inactive ones cannot log in). Give at least one.")
            .Required("id", Text, IdArgument)
            .Optional("space", Text, "New space value stored with the account.")
            .Optional("description", Text, "New description.")
            .Optional("active", Flag, "false disables logins, true enables them.")
            .Handles(c =>
            {
                var request = new UpdateServiceAccountRequest(c.OptionalString("space"), c.OptionalString("description"), c.OptionalBool("active"));
                return request is { Space: null, Description: null, Active: null }
                    ? Task.FromResult(ToolResults.InvalidArguments("update_service_account", ["give at least one of space, description, active"]))
                    : Results.Json(() => Api.UpdateServiceAccountAsync(c.String("id"), request, c.Cancellation));
            });

        yield return Tool("delete_service_account", "Delete service account", ToolEffect.Delete,
                "Permanently delete a service account; its tokens stop working.")
            .Required("id", Text, IdArgument)
            .Handles(c => Results.Confirm(() => Api.DeleteServiceAccountAsync(c.String("id"), c.Cancellation),
                $"Deleted service account '{c.String("id")}'."));

        yield return Tool("update_service_account_password", "Change password", ToolEffect.Update,
                "Change a service account's password; the current password is required.")
            .Required("id", Text, IdArgument)
            .Required("current_password", Text, "The account's current password.").Sensitive()
            .Required("new_password", Text, "The new password.").Sensitive()
            .Handles(c => Results.Confirm(() => Api.UpdateServiceAccountPasswordAsync(c.String("id"),
                    new UpdatePasswordRequest(c.String("current_password"), c.String("new_password")), c.Cancellation),
                $"Changed the password of service account '{c.String("id")}'."));
    }
}
