using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Spaces: the isolated workspaces that hold agents, secrets, builds and sessions.</summary>
internal sealed class SpaceTools(ToolContext context) : ToolSet(context)
{
    [RaworcTool("list_spaces", "List spaces", ToolEffect.Read)]
    [Description("List all spaces with description, settings and active flag, newest first.")]
    public Task<CallToolResult> ListSpaces(CancellationToken ct) =>
        Results.Json(() => Api.ListSpacesAsync(ct));

    [RaworcTool("create_space", "Create space", ToolEffect.Create)]
    [Description("Create a space. Before sessions can run in it, it needs an ANTHROPIC_API_KEY secret, agents and a completed build.")]
    public Task<CallToolResult> CreateSpace(
        [Description("Space name: letters, digits, '_', '.' and '-'.")] string name,
        [Description("What the space is for.")] string? description = null,
        [Description("Free-form settings object.")] Dictionary<string, JsonElement>? settings = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateSpaceAsync(new CreateSpaceRequest(name, description, AsJson(settings)), ct));

    [RaworcTool("get_space", "Get space", ToolEffect.Read)]
    [Description("Get one space by name.")]
    public Task<CallToolResult> GetSpace([Description("Space name.")] string name, CancellationToken ct) =>
        Results.Json(() => Api.GetSpaceAsync(name, ct));

    [RaworcTool("update_space", "Update space", ToolEffect.Update)]
    [Description("Change a space's description, settings (replaced whole) or active flag. Give at least one field.")]
    public Task<CallToolResult> UpdateSpace(
        [Description("Space name.")] string name,
        [Description("New description.")] string? description = null,
        [Description("New settings object; replaces the old one.")] Dictionary<string, JsonElement>? settings = null,
        [Description("Whether the space is active.")] bool? active = null,
        CancellationToken ct = default)
    {
        if (description is null && settings is null && active is null)
            return Task.FromResult(ToolResults.InvalidArguments("update_space", ["give at least one of description, settings, active"]));
        return Results.Json(() => Api.UpdateSpaceAsync(name, new UpdateSpaceRequest(description, AsJson(settings), active), ct));
    }

    [RaworcTool("delete_space", "Delete space", ToolEffect.Delete)]
    [Description("Permanently delete a space. The default space cannot be deleted, nor a space that still has sessions.")]
    public Task<CallToolResult> DeleteSpace([Description("Space name.")] string name, CancellationToken ct) =>
        Results.Confirm(() => Api.DeleteSpaceAsync(name, ct), $"Deleted space '{name}'.");
}
