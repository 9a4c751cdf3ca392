using System.Text.Json.Nodes;
using static Raworc.Tests.McpTestHost;
using static Raworc.Tests.WaitToolTests;

namespace Raworc.Tests.Tools;

/// <summary>wait_for_build, against WireMock scenarios that move a build along. Waits poll every 20 ms of a <see cref="SteppingClock"/>.</summary>
public sealed class BuildToolsTests
{
    [Fact]
    public async Task Wait_for_build_follows_the_latest_build_to_completion_with_progress()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, "/api/v0/spaces/default/build/latest", BuildJson("pending"));
        Sequence(host, $"/api/v0/spaces/default/build/{BuildId}", BuildJson("pending"), BuildJson("building"), BuildJson("building"), BuildJson("completed"));
        await using var progress = Recorder.Attach(host);

        var result = await CallWithProgressAsync(host, "wait_for_build", "{}", progress);

        Assert.False(result.IsError ?? false, Text(result));
        var build = JsonNode.Parse(Text(result))!;
        Assert.Equal("completed", (string?)build["status"]);
        Assert.Equal(BuildId, (string?)build["build_id"]);
        // The latest build is read once; after that the same build is followed by its id.
        var paths = host.Requests.Select(r => r.RequestMessage.Path).ToList();
        Assert.Equal("/api/v0/spaces/default/build/latest", paths[0]);
        Assert.All(paths.Skip(1), p => Assert.Equal($"/api/v0/spaces/default/build/{BuildId}", p));
        Assert.Equal(5, paths.Count);

        await WaitUntilAsync(() => progress.Values.Count >= 3);
        var values = progress.Values.ToList();
        Assert.Equal(["pending", "building", "completed"], values.Select(v => v.Message!.Split(": ")[^1]));
        Assert.Equal([1f, 2f, 3f], values.Select(v => v.Progress));
        Assert.All(values, v => Assert.Equal(3f, v.Total));
        Assert.Contains($"Build {BuildId} of space 'default'", values[0].Message);
    }

    [Fact]
    public async Task Wait_for_build_returns_a_failed_build_as_a_result()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/spaces/staging/build/{BuildId}", BuildJson("building"),
            BuildJson("failed").Replace("\"error\":null", "\"error\":\"git clone failed\""));

        var result = await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","space":"staging"}""");

        Assert.False(result.IsError ?? false);
        Assert.Contains("\"status\":\"failed\"", Text(result));
        Assert.Contains("\"error\":\"git clone failed\"", Text(result));
    }

    [Fact]
    public async Task Wait_for_build_that_runs_out_of_time_says_it_is_still_running_and_how_to_keep_waiting()
    {
        var clock = new SteppingClock();
        await using var host = await StartPollingAsync(clock);
        Sequence(host, $"/api/v0/spaces/staging/build/{BuildId}", BuildJson("building"));
        var started = clock.GetUtcNow();

        var result = await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","space":"staging","timeout_seconds":1}""");

        Assert.Equal(TimeSpan.FromSeconds(1), clock.GetUtcNow() - started);
        Assert.False(result.IsError ?? false, "running out of time is not an error");
        var answer = JsonNode.Parse(Text(result))!;
        Assert.True((bool)answer["still_waiting"]!);
        Assert.Equal("building", (string?)answer["status"]);
        Assert.Equal(BuildId, (string?)answer["build"]!["build_id"]);
        Assert.Equal($"Build {BuildId} of space 'staging' is still building after 1 s. To keep waiting, call wait_for_build again with build_id '{BuildId}' and space 'staging'.",
            (string?)answer["note"]);
        // A read every 20 ms from 0 to 1,000 ms inclusive.
        Assert.Equal(51, host.Requests.Count);
    }

    [Fact]
    public async Task Wait_for_build_reports_api_errors_as_tool_errors()
    {
        await using var host = await StartPollingAsync();
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"No builds found for space"}}""");

        var result = await host.CallAsync("wait_for_build", """{"space":"empty"}""");

        Assert.True(result.IsError);
        Assert.Contains("No builds found for space", Text(result));
        Assert.Contains("create_build", Text(result));
        Assert.Single(host.Requests);
    }
}
