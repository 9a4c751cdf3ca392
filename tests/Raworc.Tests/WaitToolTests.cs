using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// What the three waits (wait_for_build, wait_for_session, send_message with wait_for_reply) share: argument checks,
/// cancellation, the answer of an unfinished wait, read-only mode; and the WireMock scenarios that move a build, a
/// session or a conversation along, which the tests of each tool area (Tools/) use. Polls every 20 ms of a
/// <see cref="SteppingClock"/>, which moves only while the server sleeps, so every elapsed time is exact.
/// </summary>
public sealed class WaitToolTests
{
    internal const string Sid = SessionId;
    internal const string BuildId = "0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11";
    internal const string SentId = "a1b2c3d4-0000-4c55-9a0e-2b7d4f1e0c11";
    internal const string ReplyId = "a1b2c3d4-0001-4c55-9a0e-2b7d4f1e0c11";

    internal static Task<McpTestHost> StartPollingAsync(SteppingClock? clock = null, ApiCallCounter? calls = null) =>
        McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_POLL_INTERVAL_MS"] = "20" }, clock: clock ?? new SteppingClock(), apiHandler: calls);

    internal static string BuildJson(string status) =>
        $$"""{"space":"default","status":"{{status}}","image_tag":null,"build_id":"{{BuildId}}","started_at":"2025-08-30T18:20:01+00:00","completed_at":null,"agents_deployed":[],"error":null}""";

    internal static string SessionJson(string state) =>
        $$$"""{"id":"{{{Sid}}}","space":"default","created_by":"admin","state":"{{{state}}}","created_at":"2025-08-30T18:00:00+00:00","metadata":{}}""";

    internal static string MessageJson(string id, string role, string content, string at) =>
        $$$"""{"id":"{{{id}}}","session_id":"{{{Sid}}}","role":"{{{role}}}","content":"{{{content}}}","metadata":{},"created_at":"{{{at}}}"}""";

    internal static IResponseBuilder Json(string body) => Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);

    /// <summary>Answers <paramref name="path"/> with each body in turn, then the last one for ever.</summary>
    internal static void Sequence(McpTestHost host, string path, params string[] bodies)
    {
        if (bodies.Length == 1)
        {
            host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json(bodies[0]));
            return;
        }
        string scenario = "seq " + path;
        for (int i = 0; i < bodies.Length; i++)
        {
            var given = host.Api.Given(Request.Create().WithPath(path).UsingGet()).InScenario(scenario);
            if (i > 0) given = given.WhenStateIs($"step{i}");
            if (i < bodies.Length - 1) given = given.WillSetStateTo($"step{i + 1}");
            given.RespondWith(Json(bodies[i]));
        }
    }

    /// <summary>
    /// Collects every notifications/progress the client receives. A global handler, because the SDK client drops a
    /// request's own progress callback as soon as the response is in, racing the last notification. The client may
    /// handle notifications sent close together in any order, so <see cref="Values"/> puts them in progress order:
    /// the order the server sent them in, if its progress always increases.
    /// </summary>
    internal sealed class Recorder : IProgress<ProgressNotificationValue>, IAsyncDisposable
    {
        private IAsyncDisposable? _registration;

        private readonly ConcurrentQueue<ProgressNotificationValue> _received = new();

        public IReadOnlyList<ProgressNotificationValue> Values => [.. _received.OrderBy(v => v.Progress)];

        public static Recorder Attach(McpTestHost host)
        {
            var recorder = new Recorder();
            recorder._registration = host.Client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
            {
                var p = JsonSerializer.Deserialize<ProgressNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!;
                recorder._received.Enqueue(p.Progress);
                return default;
            });
            return recorder;
        }

        public void Report(ProgressNotificationValue value) { }

        public ValueTask DisposeAsync() => _registration?.DisposeAsync() ?? default;
    }

    internal static async Task<CallToolResult> CallWithProgressAsync(McpTestHost host, string tool, string argumentsJson, IProgress<ProgressNotificationValue> progress)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson)!
            .ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        return await host.Client.CallToolAsync(tool, arguments, progress);
    }

    [Theory]
    [InlineData("wait_for_build", """{"timeout_seconds":56}""")]
    [InlineData("wait_for_session", """{"session_id":"s","timeout_seconds":0}""")]
    [InlineData("wait_for_session", """{"session_id":"s","state":"init"}""")]
    [InlineData("send_message", """{"session_id":"s","content":"hi","wait_for_reply":true,"timeout_seconds":100}""")]
    public async Task Wait_arguments_are_checked_before_any_call(string tool, string arguments)
    {
        await using var host = await StartPollingAsync();

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError);
        Assert.Contains($"Invalid arguments for {tool}", Text(result));
        Assert.Empty(host.Requests);
    }

    internal static readonly string Earlier = string.Join(",", Enumerable.Range(1, 3).Select(i => MessageJson($"old-{i}", i % 2 == 0 ? "agent" : "user", "earlier", "2025-08-30T18:23:05+00:00")));

    /// <summary>The conversation: 3 messages before, the sent one, then (after two polls without it) the agent's reply.</summary>
    internal static void Conversation(McpTestHost host, bool reply = true)
    {
        string path = $"/api/v0/sessions/{Sid}/messages";
        string sent = MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10+00:00"); // stored with whole seconds
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":3,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingPost())
            .RespondWith(Json(MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10.5+00:00")));
        // The first poll starts a little before the count; later ones after the messages older than the newest second.
        host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", "0")).RespondWith(Json($"[{Earlier},{sent}]"));
        host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", "3")).InScenario("reply").WillSetStateTo("one").RespondWith(Json($"[{sent}]"));
        host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", "3")).InScenario("reply").WhenStateIs("one")
            .RespondWith(Json(reply ? $"[{sent},{MessageJson(ReplyId, "agent", "Autumn moonlight", "2025-08-30T18:23:14+00:00")}]" : $"[{sent}]"));
    }

    [Theory]
    [InlineData("wait_for_build", $$"""{"build_id":"{{BuildId}}"}""")]
    [InlineData("wait_for_session", $$"""{"session_id":"{{Sid}}"}""")]
    [InlineData("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true}""")]
    public async Task Cancelling_the_call_stops_the_wait_at_once(string tool, string arguments)
    {
        var clock = new SteppingClock();
        var calls = new ApiCallCounter();
        await using var host = await StartPollingAsync(clock, calls);
        Sequence(host, $"/api/v0/spaces/default/build/{BuildId}", BuildJson("building"));
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"));
        Conversation(host, reply: false);
        using var cancel = new CancellationTokenSource();

        var call = host.CallAsync(tool, arguments, cancel.Token);
        // Polling: its deadline timer lives as long as the wait does (send_message reads and sends first).
        await WaitUntilAsync(() => host.Requests.Count >= 3 && clock.PendingTimers >= 1);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        // notifications/cancelled reached the server: the wait ended, and with it its deadline timer, which lives as
        // long as the wait does.
        await WaitUntilAsync(() => clock.PendingTimers == 0);
        Assert.Equal(0, clock.PendingTimers);
        // Counted as the server sends them: a poll cancelled on its way may still reach the API after this, but no
        // new one may start, however far the clock moves.
        int started = calls.Started;
        clock.Advance(TimeSpan.FromMinutes(1));
        await Task.Delay(50);
        Assert.Equal(started, calls.Started);
        Assert.Equal(0, clock.PendingTimers);

        // The server is still fine.
        Assert.False((await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","timeout_seconds":1}""")).IsError ?? false);
    }

    [Theory]
    [InlineData("wait_for_build", $$"""{"build_id":"{{BuildId}}"}""")]
    [InlineData("wait_for_session", $$"""{"session_id":"{{Sid}}"}""")]
    [InlineData("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true}""")]
    public async Task Ending_the_waits_makes_one_under_way_answer_still_waiting_and_a_new_one_read_once(string tool, string arguments)
    {
        // The clock never moves by itself: without the ending, these waits would sleep for ever.
        var clock = new SteppingClock { AutoAdvance = false };
        await using var host = await StartPollingAsync(clock);
        Sequence(host, $"/api/v0/spaces/default/build/{BuildId}", BuildJson("building"));
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"));
        Conversation(host, reply: false);

        var call = host.CallAsync(tool, arguments);
        await WaitUntilAsync(() => clock.PendingTimers >= 2); // its deadline, and the pause between two reads
        host.Waits.EndAll();
        var answer = JsonNode.Parse(Text(await call))!.AsObject();

        Assert.True((bool)answer["still_waiting"]!);
        Assert.StartsWith("This server is shutting down, so the wait ended early; calling again continues it", (string)answer["note"]!);
        Assert.Equal(0, clock.PendingTimers);

        // A wait that starts after the ending reads once and answers at once.
        int before = host.Requests.Count;
        var late = JsonNode.Parse(Text(await host.CallAsync(tool, arguments)))!.AsObject();
        Assert.True((bool)late["still_waiting"]!);
        Assert.Contains("shutting down", (string)late["note"]!);
        Assert.InRange(host.Requests.Count - before, 1, 4); // one read, after send_message's count, last page and send
    }

    [Fact]
    public async Task The_three_waits_answer_an_unfinished_wait_with_the_same_keys()
    {
        await using var host = await StartPollingAsync();
        Sequence(host, $"/api/v0/spaces/default/build/{BuildId}", BuildJson("building"));
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("busy"));
        Conversation(host, reply: false);

        string[] answers =
        [
            Text(await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","timeout_seconds":1}""")),
            Text(await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}","timeout_seconds":1}""")),
            Text(await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true,"timeout_seconds":1}""")),
        ];

        foreach (var answer in answers.Select(a => JsonNode.Parse(a)!.AsObject()))
        {
            Assert.Equal(["still_waiting", "status", "note"], answer.Select(p => p.Key).Take(3));
            Assert.True((bool)answer["still_waiting"]!);
        }
    }

    [Fact]
    public async Task Wait_tools_are_read_only_and_send_message_still_creates()
    {
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_READ_ONLY"] = "true" });
        var names = (await host.Client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("wait_for_build", names);
        Assert.Contains("wait_for_session", names);
        Assert.DoesNotContain("send_message", names);
    }

    /// <summary>Gives the other side of the pipes time to act; the bound only stops a broken test from hanging.</summary>
    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var bound = Stopwatch.StartNew();
        while (!condition() && bound.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(10);
    }
}
