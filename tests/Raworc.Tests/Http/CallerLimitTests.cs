using System.Net;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Raworc.Mcp;
using Raworc.Mcp.Http;
using WireMock.RequestBuilders;

namespace Raworc.Tests.Http;

/// <summary>
/// What one caller may hold at once: waits and requests in flight. Waits run on a clock that never moves by itself,
/// so they stay under way exactly as long as the test wants.
/// </summary>
public sealed class CallerLimitTests
{
    private const string BuildPath = $"/api/v0/spaces/default/build/{WaitToolTests.BuildId}";

    internal static async Task<HttpTestHost> StartWithBuildingAsync(params string[] flags)
    {
        var host = await HttpTestHost.StartAsync(flags, new Dictionary<string, string?> { ["RAWORC_POLL_INTERVAL_MS"] = "20" },
            new SteppingClock { AutoAdvance = false });
        host.Api.Given(Request.Create().WithPath(BuildPath).UsingGet()).RespondWith(WaitToolTests.Json(WaitToolTests.BuildJson("building")));
        return host;
    }

    internal static Task<ModelContextProtocol.Protocol.CallToolResult> WaitForBuildAsync(McpClient client) =>
        client.CallToolAsync("wait_for_build", new Dictionary<string, object?> { ["build_id"] = WaitToolTests.BuildId }).AsTask();

    /// <summary>Polls of the build so far: each wait under way has made at least one.</summary>
    internal static int BuildReads(HttpTestHost host, string user) =>
        host.Api.LogEntries.Count(e => e.RequestMessage.Path == BuildPath && e.RequestMessage.Headers!["Authorization"][0] == $"Bearer {HttpTestHost.TokenOf(user)}");

    [Fact]
    public async Task A_caller_runs_only_so_many_waits_at_once_and_the_next_gets_a_tool_error_naming_the_limit()
    {
        await using var host = await StartWithBuildingAsync("--waits-per-caller", "2");
        await using var alice = await host.ConnectAsync("alice");
        await using var bob = await host.ConnectAsync("bob");
        var held = new[] { WaitForBuildAsync(alice), WaitForBuildAsync(alice) };
        await WaitToolTests.WaitUntilAsync(() => BuildReads(host, "alice") >= 2);

        var third = await WaitForBuildAsync(alice);
        Assert.True(third.IsError);
        Assert.Contains("already has 2 waits running", McpTestHost.Text(third));
        Assert.Equal(2, BuildReads(host, "alice")); // refused before any API call

        // Not a wait: served. Another caller's wait: admitted.
        Assert.False((await alice.CallToolAsync("list_spaces")).IsError == true);
        var bobs = WaitForBuildAsync(bob);
        await WaitToolTests.WaitUntilAsync(() => BuildReads(host, "bob") >= 1);
        Assert.Equal(1, BuildReads(host, "bob"));

        host.Waits.EndAll();
        foreach (var call in held.Append(bobs)) Assert.Contains("still_waiting", McpTestHost.Text(await call));
        // The slots were given back: a new wait is admitted (and, the waits being ended, answers after one read).
        Assert.DoesNotContain("waits running", McpTestHost.Text(await WaitForBuildAsync(alice)));
    }

    [Fact]
    public async Task Send_message_without_wait_for_reply_is_not_a_wait()
    {
        await using var host = await StartWithBuildingAsync("--waits-per-caller", "2");
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{WaitToolTests.Sid}/messages").UsingPost()).RespondWith(WaitToolTests.Json(
            WaitToolTests.MessageJson(WaitToolTests.SentId, "user", "hi", "2025-08-30T18:23:10+00:00")));
        await using var alice = await host.ConnectAsync("alice");
        var held = new[] { WaitForBuildAsync(alice), WaitForBuildAsync(alice) };
        await WaitToolTests.WaitUntilAsync(() => BuildReads(host, "alice") >= 2);

        var sent = await alice.CallToolAsync("send_message", new Dictionary<string, object?> { ["session_id"] = WaitToolTests.Sid, ["content"] = "hi" });
        Assert.False(sent.IsError == true, McpTestHost.Text(sent));
        var waiting = await alice.CallToolAsync("send_message", new Dictionary<string, object?>
        {
            ["session_id"] = WaitToolTests.Sid,
            ["content"] = "hi",
            ["wait_for_reply"] = true,
        });
        Assert.True(waiting.IsError);
        Assert.Contains("waits running", McpTestHost.Text(waiting));
        Assert.Single(host.Api.LogEntries, e => e.RequestMessage.Method == "POST"); // the refused one was not sent

        host.Waits.EndAll();
        await Task.WhenAll(held);
    }

    [Fact]
    public async Task A_caller_over_its_requests_in_flight_gets_429_with_retry_after_and_others_are_served()
    {
        await using var host = await StartWithBuildingAsync("--requests-per-caller", "2", "--waits-per-caller", "5");
        await using var alice = await host.ConnectAsync("alice");
        var held = new[] { WaitForBuildAsync(alice), WaitForBuildAsync(alice) };
        await WaitToolTests.WaitUntilAsync(() => BuildReads(host, "alice") >= 2);

        // The scheme's case and the spacing make no new caller.
        string token = HttpTestHost.TokenOf("alice");
        foreach (string header in new[] { $"Bearer {token}", $"bearer {token}", $"BEARER   {token} " })
        {
            var refused = await host.PostAsync(HttpTestHost.ToolsList, new Dictionary<string, string> { ["Authorization"] = header });
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("already has 2 requests in flight", await refused.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.Bearer("bob"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);

        host.Waits.EndAll();
        await Task.WhenAll(held);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.Bearer("alice"))).StatusCode);
    }

    [Theory]
    [InlineData("--waits-per-caller", "1", "--waits-per-caller must be a number of waits between 2 and")]
    [InlineData("--requests-per-caller", "0", "--requests-per-caller must be a number of requests between 2 and")]
    [InlineData("--probe-port", "8080", "--probe-port must differ from the main port (8080)")]
    [InlineData("--probe-port", "0", "--probe-port must be a port number")]
    public void Limits_below_two_and_a_probe_port_equal_to_the_main_one_are_refused(string flag, string value, string expected)
    {
        var e = Assert.Throws<FormatException>(() => HttpSettings.Load(_ => null, CommandLine.Parse(["http", flag, value])));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_limits_default_to_sixteen_requests_and_four_waits_per_caller_and_come_from_the_environment_too()
    {
        var defaults = HttpSettings.Load(_ => null, CommandLine.Parse(["http"]));
        Assert.Equal((16, 4, null), (defaults.RequestsPerCaller, defaults.WaitsPerCaller, defaults.ProbePort));
        var set = HttpSettings.Load(name => name switch
        {
            HttpSettings.RequestsPerCallerVariable => "8",
            HttpSettings.WaitsPerCallerVariable => "3",
            HttpSettings.ProbePortVariable => "8081",
            _ => null,
        }, CommandLine.Parse(["http"]));
        Assert.Equal((8, 3, 8081), (set.RequestsPerCaller, set.WaitsPerCaller, set.ProbePort));
    }
}
