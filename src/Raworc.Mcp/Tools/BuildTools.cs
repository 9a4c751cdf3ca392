using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Space builds: the image that packs a space's agents; sessions need a completed one.</summary>
internal sealed class BuildTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "builds";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("create_build", "Build space", ToolEffect.Create,
                "Start building a space's image from its agents' repositories. Returns the build (status pending); poll get_build until completed or failed.",
                openWorld: true)
            .Optional("space", Text, SpaceArgument)
            .Optional("dockerfile", Text, "Ignored: the API builds with its own Dockerfile.")
            .Optional("force_rebuild", Flag, "Rebuild even if nothing changed.")
            .Handles(c => Results.Json(() => Api.CreateBuildAsync(Space(c), new CreateBuildRequest(c.OptionalBool("force_rebuild")), c.Cancellation)));

        yield return Tool("get_latest_build", "Get latest build", ToolEffect.Read,
                "Get a space's most recent build: status (pending, building, completed, failed), image tag, error.")
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.GetLatestBuildAsync(Space(c), c.Cancellation)));

        yield return Tool("get_build", "Get build", ToolEffect.Read, "Get one build of a space by its build_id.")
            .Required("build_id", Text, "Build id (the build_id of create_build's result).")
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.GetBuildAsync(Space(c), c.String("build_id"), c.Cancellation)));
    }
}
