using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Spaces: the isolated workspaces that hold agents, secrets, builds and sessions.</summary>
internal sealed class SpaceTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "spaces";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_spaces", "List spaces", ToolEffect.Read, "List active spaces (inactive ones are left out), newest first.")
            .Handles(c => Results.Json(() => Api.ListSpacesAsync(c.Cancellation)));

        yield return Tool("create_space", "Create space", ToolEffect.Create,
                "Create a space (sessions need its ANTHROPIC_API_KEY secret, agents and a build).")
            .Required("name", Text, "Letters, digits, _ . -")
            .Optional("description", Text, null)
            .Optional("settings", AnyObject, null)
            .Handles(c => Results.Json(() => Api.CreateSpaceAsync(
                new CreateSpaceRequest(c.String("name"), c.OptionalString("description"), c.OptionalObject("settings")), c.Cancellation)));

        yield return Tool("get_space", "Get space", ToolEffect.Read, "Get one space by name.")
            .Required("name", Text, null)
            .Handles(c => Results.Json(() => Api.GetSpaceAsync(c.String("name"), c.Cancellation)));

        yield return Tool("update_space", "Update space", ToolEffect.Update,
                "Change a space's description, settings or active flag; inactive ones go unlisted.")
            .Required("name", Text, null)
            .Optional("description", Text, null)
            .Optional("settings", AnyObject, "Replaces the old.")
            .Optional("active", Flag, null)
            .Handles(c =>
            {
                var request = new UpdateSpaceRequest(c.OptionalString("description"), c.OptionalObject("settings"), c.OptionalBool("active"));
                return request is { Description: null, Settings: null, Active: null }
                    ? Task.FromResult(ToolResults.InvalidArguments("update_space", ["give at least one of description, settings, active"]))
                    : Results.Json(() => Api.UpdateSpaceAsync(c.String("name"), request, c.Cancellation));
            });

        yield return Tool("delete_space", "Delete space", ToolEffect.Delete,
                "Permanently delete a space. Not possible for the default space or one that had sessions (deactivate it with update_space).")
            .Required("name", Text, null)
            .Handles(c => Results.Confirm(() => Api.DeleteSpaceAsync(c.String("name"), c.Cancellation), $"Deleted space '{c.String("name")}'."));
    }
}
