using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Space builds: the image that packs a space's agents; sessions need a completed one.</summary>
internal sealed class BuildTools(ToolContext context) : ToolProvider(context)
{
    public override ToolSet ToolSet => ToolSet.Builds;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("create_build", "Build space", ToolEffect.Create,
                "Start building a space's image from its agents' repositories. Returns the build (status pending); wait_for_build waits for it.",
                openWorld: true)
            .Optional("space", Text, SpaceArgument)
            .Ignores("dockerfile") // the API builds with its own Dockerfile
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

        yield return Tool("wait_for_build", "Wait for build", ToolEffect.Read,
                "Wait until a build is completed or failed, with progress; returns the build. By build_id, else the space's latest build. If time runs out, says so.")
            .Optional("build_id", Text, "Build id; the space's latest build when omitted.")
            .Optional("space", Text, SpaceArgument)
            .Optional("timeout_seconds", Integer, Polling.TimeoutArgument("the build"), minimum: 1, maximum: Polling.MaxTimeoutSeconds)
            .Handles(WaitForBuildAsync);
    }

    /// <summary>Where a status stands on the way pending → building → completed/failed, for progress notifications.</summary>
    private static int Stage(string status) => status switch { "pending" => 1, "building" => 2, "completed" or "failed" => 3, _ => 0 };

    private static bool Finished(Build build) => build.Status is "completed" or "failed";

    private Task<CallToolResult> WaitForBuildAsync(ToolCall c)
    {
        string space = Space(c);
        string? buildId = c.OptionalString("build_id");
        var progress = new ProgressReporter(c);
        string? lastStatus = null;
        return Results.Json(async () =>
        {
            var outcome = await Polling.RunAsync(
                ct => buildId is null ? Api.GetLatestBuildAsync(space, ct) : Api.GetBuildAsync(space, buildId, ct),
                async build =>
                {
                    buildId ??= build.BuildId; // keep following this build even if a newer one starts
                    if (build.Status != lastStatus)
                    {
                        lastStatus = build.Status;
                        await progress.ReportAsync($"Build {build.BuildId} of space '{space}': {build.Status}", Stage(build.Status), 3).ConfigureAwait(false);
                    }
                    return Finished(build);
                },
                Configuration.PollInterval, Polling.Timeout(c), Clock, c.Cancellation).ConfigureAwait(false);

            var last = outcome.Last;
            if (outcome.Done) return ToolJson.ToNode(last)!;
            string again = space == Configuration.DefaultSpace ? $"build_id '{last.BuildId}'" : $"build_id '{last.BuildId}' and space '{space}'";
            return new JsonObject
            {
                ["still_running"] = true,
                ["status"] = last.Status,
                ["note"] = $"Build {last.BuildId} of space '{space}' is still {last.Status} after {Polling.Seconds(outcome.Elapsed)}. " +
                    $"To keep waiting, call wait_for_build again with {again}.",
                ["build"] = ToolJson.ToNode(last),
            };
        });
    }
}
