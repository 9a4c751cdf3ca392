using System.Net;
using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests.Http;

/// <summary>
/// SIGTERM's drain as the host runs it (<see cref="Raworc.Mcp.Http.Drain.Begin"/> is what the signal calls): waits
/// answer still_waiting instead of being cut, and a second signal stops at once. Bounds here only stop a broken test
/// from hanging.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task Draining_makes_every_wait_in_flight_answer_still_waiting_with_a_note_then_stops()
    {
        // An hour of drain: only the waits answering can let the host stop.
        await using var host = await CallerLimitTests.StartWithBuildingAsync("--drain-seconds", "3600");
        await using var alice = await host.ConnectAsync("alice");
        await using var bob = await host.ConnectAsync("bob");
        var waits = new[] { CallerLimitTests.WaitForBuildAsync(alice), CallerLimitTests.WaitForBuildAsync(bob) };
        await WaitToolTests.WaitUntilAsync(() => CallerLimitTests.BuildReads(host, "alice") >= 1 && CallerLimitTests.BuildReads(host, "bob") >= 1);

        host.Drain.Begin("SIGTERM");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.GetAsync("/readyz")).StatusCode);
        foreach (var wait in waits)
        {
            var result = await wait.WaitAsync(TimeSpan.FromSeconds(60));
            var answer = JsonNode.Parse(McpTestHost.Text(result))!.AsObject();
            Assert.True((bool)answer["still_waiting"]!);
            Assert.Equal("building", (string)answer["status"]!);
            Assert.Contains("This server is shutting down", (string)answer["note"]!);
            Assert.Contains("call wait_for_build again", (string)answer["note"]!);
        }
        await host.Stopping.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains(host.Logs.Lines, l => l.Contains("Draining (SIGTERM): readiness is 503, waits answer now"));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Drain time is up"));
    }

    [Fact]
    public async Task A_second_signal_ends_the_drain_at_once()
    {
        await using var host = await HttpTestHost.StartAsync(["--drain-seconds", "3600"], new Dictionary<string, string?> { ["RAWORC_TIMEOUT"] = "120" });
        // A call that is no wait and that the API holds for a minute: the drain would wait for it.
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/slow").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json").WithBody("""{"name":"slow"}""").WithDelay(TimeSpan.FromSeconds(60)));
        await using var client = await host.ConnectAsync("t");
        var slow = client.CallToolAsync("get_space", new Dictionary<string, object?> { ["name"] = "slow" }).AsTask();
        await WaitToolTests.WaitUntilAsync(() => host.Drain.InFlight > 0);

        host.Drain.Begin("SIGTERM");
        Assert.False(host.Stopping.IsCompleted);
        host.Drain.Begin("SIGINT");
        await host.Stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(host.Logs.Lines, l => l.Contains("SIGINT again while draining: stopping now with 1 requests in flight"));
        Assert.False(slow.IsCompleted); // the API holds it for two minutes: the stop did not wait for it
    }
}
