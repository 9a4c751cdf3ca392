using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Service accounts: the logins of people and automation. The API keys them by name.</summary>
internal sealed class ServiceAccountTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "accounts";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_service_accounts", "List service accounts", ToolEffect.Read,
                "List service accounts, newest first.")
            .Handles(c => Results.Json(() => Api.ListServiceAccountsAsync(c.Cancellation)));

        yield return Tool("create_service_account", "Create service account", ToolEffect.Create,
                "Create an account that logs in with this name and password.")
            .Required("name", Text, null).Alias("user")
            .Required("password", Text, null).Alias("pass").Sensitive()
            .Optional("description", Text, null)
            .Ignores("space") // the server ignores it on create
            .Refuses(c => UuidName(c, "name", "service account"))
            .Handles(c => Results.Json(() => Api.CreateServiceAccountAsync(new CreateServiceAccountRequest(
                c.String("name"), c.String("password"), Description: c.OptionalString("description")), c.Cancellation)));

        yield return Tool("get_service_account", "Get service account", ToolEffect.Read, "Get one service account by name.")
            .Required("name", Text, null).Alias("id")
            .Refuses(c => UuidName(c, "name", "service account", "list_service_accounts shows it"))
            .Handles(c => Results.Json(() => Api.GetServiceAccountAsync(c.String("name"), c.Cancellation)));

        yield return Tool("update_service_account", "Update service account", ToolEffect.Update,
                "Change an account's description or active flag; inactive ones cannot log in.")
            .Required("name", Text, null).Alias("id")
            .Optional("description", Text, null)
            .Optional("active", Flag, null)
            .Ignores("space") // refused below with the reason, rather than reported as unknown
            .Refuses(c => !c.Has("space") ? null
                : "Raworc 0.3.0 cannot change an account's space (its update fails on it); leave space out")
            .Refuses(c => UuidName(c, "name", "service account"))
            .Handles(c =>
            {
                var request = new UpdateServiceAccountRequest(Description: c.OptionalString("description"), Active: c.OptionalBool("active"));
                string name = c.String("name");
                // The server answers with whichever account it finds first, not necessarily this one: read it back by name.
                return request is { Description: null, Active: null }
                    ? Task.FromResult(ToolResults.InvalidArguments("update_service_account", ["give at least one of description, active"]))
                    : Results.Json(async () =>
                    {
                        await Api.UpdateServiceAccountAsync(name, request, c.Cancellation).ConfigureAwait(false);
                        return await Api.GetServiceAccountAsync(name, c.Cancellation).ConfigureAwait(false);
                    });
            });

        yield return Tool("delete_service_account", "Delete service account", ToolEffect.Delete,
                "Permanently delete a service account; its tokens stop working.")
            .Required("name", Text, null).Alias("id")
            .Refuses(c => UuidName(c, "name", "service account"))
            .Handles(c => Results.Confirm(() => Api.DeleteServiceAccountAsync(c.String("name"), c.Cancellation),
                $"Deleted service account '{c.String("name")}'."));

        yield return Tool("update_service_account_password", "Change password", ToolEffect.Update,
                "Change an account's password; needs the current one.")
            .Required("name", Text, null).Alias("id")
            .Required("current_password", Text, null).Sensitive()
            .Required("new_password", Text, null).Sensitive()
            .Refuses(c => UuidName(c, "name", "service account"))
            .Handles(c => Results.Confirm(() => Api.UpdateServiceAccountPasswordAsync(c.String("name"),
                    new UpdatePasswordRequest(c.String("current_password"), c.String("new_password")), c.Cancellation),
                $"Changed the password of service account '{c.String("name")}'."));
    }
}
