using System.Text.Json.Nodes;
using static Raworc.Tests.McpTestHost;
using static Raworc.Tests.WaitToolTests;

namespace Raworc.Tests.Tools;

/// <summary>wait_for_session, against WireMock scenarios that move a session along. Waits poll every 20 ms of a <see cref="SteppingClock"/>.</summary>
public sealed class SessionToolsTests
{
    [Fact]
    public async Task Wait_for_session_waits_for_idle_by_default_with_progress()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"), SessionJson("init"), SessionJson("idle"));
        await using var progress = Recorder.Attach(host);

        var result = await CallWithProgressAsync(host, "wait_for_session", $$"""{"session_id":"{{Sid}}"}""", progress);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(SessionJson("idle"), Text(result));
        Assert.Equal(3, host.Requests.Count);
        await WaitUntilAsync(() => progress.Values.Count >= 2);
        Assert.Equal([$"Session {Sid}: init (waiting for idle)", $"Session {Sid}: idle"], progress.Values.Select(v => v.Message));
    }

    [Fact]
    public async Task Wait_for_session_reaches_another_state()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("idle"), SessionJson("busy"));

        var result = await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}","state":"busy"}""");

        Assert.Equal(SessionJson("busy"), Text(result));
    }

    [Fact]
    public async Task Wait_for_session_stops_when_the_session_errored()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"), SessionJson("errored"));

        var result = await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}"}""");

        Assert.False(result.IsError ?? false);
        var answer = JsonNode.Parse(Text(result))!;
        Assert.False((bool)answer["still_waiting"]!);
        Assert.Equal("errored", (string?)answer["status"]);
        Assert.Contains("will not become idle", (string?)answer["note"]);
        Assert.Equal(2, host.Requests.Count);
    }

    [Fact]
    public async Task Wait_for_session_that_runs_out_of_time_says_how_to_keep_waiting()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("busy"));

        var result = await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}","state":"closed","timeout_seconds":1}""");

        Assert.False(result.IsError ?? false);
        var answer = JsonNode.Parse(Text(result))!;
        Assert.True((bool)answer["still_waiting"]!);
        Assert.Equal("busy", (string?)answer["status"]);
        Assert.Equal($"Session {Sid} is still busy after 1 s, not yet closed. To keep waiting, call wait_for_session again with session_id '{Sid}' and state 'closed'.",
            (string?)answer["note"]);
    }
}
