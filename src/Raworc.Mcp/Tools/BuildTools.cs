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
                "Build a space's image from its agents' repositories (see wait_for_build).",
                openWorld: true)
            .InSpace()
            .Ignores("dockerfile") // the API builds with its own Dockerfile
            .Optional("force_rebuild", Flag, null)
            .Handles(c => Results.Json(() => Api.CreateBuildAsync(Space(c), new CreateBuildRequest(c.OptionalBool("force_rebuild")), c.Cancellation)));

        yield return Tool("get_latest_build", "Get latest build", ToolEffect.Read,
                "Get a space's newest build: status, image tag, error.")
            .InSpace()
            .Handles(c => Results.Json(() => Api.GetLatestBuildAsync(Space(c), c.Cancellation)));

        yield return Tool("get_build", "Get build", ToolEffect.Read, "Get a build of a space by build_id.")
            .Required("build_id", Text, null)
            .InSpace()
            .Refuses(c => LatestAsId(c, "get_latest_build"))
            .Handles(c => Results.Json(() => Api.GetBuildAsync(Space(c), c.String("build_id"), c.Cancellation)));

        yield return Tool("wait_for_build", "Wait for build", ToolEffect.Read,
                "Wait, with progress, for a build (default: the latest) to complete or fail; returns it.")
            .Optional("build_id", Text, "Omit for the latest build.")
            .InSpace()
            .Optional("timeout_seconds", Integer, Polling.TimeoutArgument, minimum: 1, maximum: Polling.MaxTimeoutSeconds)
            .Refuses(c => LatestAsId(c, "wait_for_build without build_id"))
            .Handles(Waiting(WaitForBuildAsync));
    }

    /// <summary>GET build/latest is its own route: a build_id "latest" would reach it instead of a build of that id.</summary>
    private static string? LatestAsId(ToolCall call, string instead) =>
        string.Equals(call.OptionalString("build_id"), "latest", StringComparison.OrdinalIgnoreCase)
            ? $"'latest' is not a build id (Raworc routes it to the space's latest build); use {instead}"
            : null;

    /// <summary>Where a status stands on the way pending → building → completed/failed, for progress notifications.</summary>
    private static int Stage(string status) => status switch { "pending" => 1, "building" => 2, "completed" or "failed" => 3, _ => 0 };

    private static bool Finished(Build build) => build.Status is "completed" or "failed";

    private Task<CallToolResult> WaitForBuildAsync(ToolCall c)
    {
        string space = Space(c);
        string? buildId = c.OptionalString("build_id");
        var progress = c.Progress;
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
                Configuration.PollInterval, Polling.Timeout(c), Waits, c.Cancellation).ConfigureAwait(false);

            var last = outcome.Last;
            if (outcome.Done) return ToolJson.ToNode(last)!;
            string again = space == Configuration.DefaultSpace ? $"build_id '{last.BuildId}'" : $"build_id '{last.BuildId}' and space '{space}'";
            return Polling.NotFinished(true, last.Status, Polling.EndedEarly(outcome) +
                $"Build {last.BuildId} of space '{space}' is still {last.Status} after {Polling.Seconds(outcome.Elapsed)}. " +
                $"To keep waiting, call wait_for_build again with {again}.",
                ("build", ToolJson.ToNode(last)));
        });
    }
}
