using System.ComponentModel;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Space builds: the image that packs a space's agents; sessions need a completed one.</summary>
internal sealed class BuildTools(ToolContext context) : ToolSet(context)
{
    [RaworcTool("create_build", "Build space", ToolEffect.Create, OpenWorld = true)]
    [Description("Start building a space's image from its agents' repositories. Returns the build (status pending); poll get_build until completed or failed.")]
    public Task<CallToolResult> CreateBuild(
        [Description(SpaceArgument)] string? space = null,
        [Description("Ignored: the API builds with its own Dockerfile.")] string? dockerfile = null,
        [Description("Rebuild even if nothing changed.")] bool? force_rebuild = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateBuildAsync(SpaceOrDefault(space), new CreateBuildRequest(force_rebuild), ct));

    [RaworcTool("get_latest_build", "Get latest build", ToolEffect.Read)]
    [Description("Get a space's most recent build: status (pending, building, completed, failed), image tag, error.")]
    public Task<CallToolResult> GetLatestBuild([Description(SpaceArgument)] string? space = null, CancellationToken ct = default) =>
        Results.Json(() => Api.GetLatestBuildAsync(SpaceOrDefault(space), ct));

    [RaworcTool("get_build", "Get build", ToolEffect.Read)]
    [Description("Get one build of a space by its build_id.")]
    public Task<CallToolResult> GetBuild(
        [Description("Build id (the build_id of create_build's result).")] string build_id,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.GetBuildAsync(SpaceOrDefault(space), build_id, ct));
}
