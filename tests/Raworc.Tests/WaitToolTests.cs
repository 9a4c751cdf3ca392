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
/// The waiting tools (wait_for_build, wait_for_session, send_message with wait_for_reply) and get_messages' latest,
/// through MCP against WireMock scenarios that move a build, a session or a conversation along. Polls every 20 ms.
/// </summary>
public sealed class WaitToolTests
{
    private const string Sid = SessionId;
    private const string BuildId = "0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11";
    private const string SentId = "a1b2c3d4-0000-4c55-9a0e-2b7d4f1e0c11";
    private const string ReplyId = "a1b2c3d4-0001-4c55-9a0e-2b7d4f1e0c11";

    private static Task<McpTestHost> StartAsync() =>
        McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_POLL_INTERVAL_MS"] = "20" });

    private static string BuildJson(string status) =>
        $$"""{"space":"default","status":"{{status}}","image_tag":null,"build_id":"{{BuildId}}","started_at":"2025-08-30T18:20:01+00:00","completed_at":null,"agents_deployed":[],"error":null}""";

    private static string SessionJson(string state) =>
        $$$"""{"id":"{{{Sid}}}","space":"default","created_by":"admin","state":"{{{state}}}","created_at":"2025-08-30T18:00:00+00:00","metadata":{}}""";

    private static string MessageJson(string id, string role, string content, string at) =>
        $$$"""{"id":"{{{id}}}","session_id":"{{{Sid}}}","role":"{{{role}}}","content":"{{{content}}}","metadata":{},"created_at":"{{{at}}}"}""";

    private static IResponseBuilder Json(string body) => Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(body);

    /// <summary>Answers <paramref name="path"/> with each body in turn, then the last one for ever.</summary>
    private static void Sequence(McpTestHost host, string path, params string[] bodies)
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
    /// Collects every notifications/progress the client receives, in arrival order. A global handler, because the
    /// SDK client drops a request's own progress callback as soon as the response is in, racing the last notification.
    /// </summary>
    private sealed class Recorder : IProgress<ProgressNotificationValue>, IAsyncDisposable
    {
        private IAsyncDisposable? _registration;

        public ConcurrentQueue<ProgressNotificationValue> Values { get; } = new();

        public static Recorder Attach(McpTestHost host)
        {
            var recorder = new Recorder();
            recorder._registration = host.Client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (notification, _) =>
            {
                var p = JsonSerializer.Deserialize<ProgressNotificationParams>(notification.Params, McpJsonUtilities.DefaultOptions)!;
                recorder.Values.Enqueue(p.Progress);
                return default;
            });
            return recorder;
        }

        public void Report(ProgressNotificationValue value) { }

        public ValueTask DisposeAsync() => _registration?.DisposeAsync() ?? default;
    }

    private static async Task<CallToolResult> CallWithProgressAsync(McpTestHost host, string tool, string argumentsJson, IProgress<ProgressNotificationValue> progress)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson)!
            .ToDictionary(kv => kv.Key, kv => (object?)kv.Value);
        return await host.Client.CallToolAsync(tool, arguments, progress);
    }

    [Fact]
    public async Task Wait_for_build_follows_the_latest_build_to_completion_with_progress()
    {
        await using var host = await StartAsync();
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
        await using var host = await StartAsync();
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
        await using var host = await StartAsync();
        Sequence(host, $"/api/v0/spaces/staging/build/{BuildId}", BuildJson("building"));
        var clock = Stopwatch.StartNew();

        var result = await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","space":"staging","timeout_seconds":1}""");

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
        Assert.False(result.IsError ?? false, "running out of time is not an error");
        var answer = JsonNode.Parse(Text(result))!;
        Assert.True((bool)answer["still_waiting"]!);
        Assert.Equal("building", (string?)answer["status"]);
        Assert.Equal(BuildId, (string?)answer["build"]!["build_id"]);
        Assert.Equal($"Build {BuildId} of space 'staging' is still building after 1 s. To keep waiting, call wait_for_build again with build_id '{BuildId}' and space 'staging'.",
            (string?)answer["note"]);
        Assert.True(host.Requests.Count >= 5, $"only {host.Requests.Count} polls in a second");
    }

    [Fact]
    public async Task Wait_for_build_reports_api_errors_as_tool_errors()
    {
        await using var host = await StartAsync();
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"No builds found for space"}}""");

        var result = await host.CallAsync("wait_for_build", """{"space":"empty"}""");

        Assert.True(result.IsError);
        Assert.Contains("No builds found for space", Text(result));
        Assert.Contains("create_build", Text(result));
        Assert.Single(host.Requests);
    }

    [Theory]
    [InlineData("wait_for_build", """{"timeout_seconds":56}""")]
    [InlineData("wait_for_session", """{"session_id":"s","timeout_seconds":0}""")]
    [InlineData("wait_for_session", """{"session_id":"s","state":"init"}""")]
    [InlineData("send_message", """{"session_id":"s","content":"hi","wait_for_reply":true,"timeout_seconds":100}""")]
    public async Task Wait_arguments_are_checked_before_any_call(string tool, string arguments)
    {
        await using var host = await StartAsync();

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError);
        Assert.Contains($"Invalid arguments for {tool}", Text(result));
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Wait_for_session_waits_for_idle_by_default_with_progress()
    {
        await using var host = await StartAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"), SessionJson("init"), SessionJson("idle"));
        await using var progress = Recorder.Attach(host);

        var result = await CallWithProgressAsync(host, "wait_for_session", $$"""{"session_id":"{{Sid}}"}""", progress);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(SessionJson("idle"), Text(result));
        Assert.Equal(3, host.Requests.Count);
        await WaitUntilAsync(() => progress.Values.Count >= 2);
        Assert.Equal([$"Session {Sid}: init (waiting for idle)", $"Session {Sid}: idle"], progress.Values.Select(v => v.Message));
        Assert.True(progress.Values.Last().Progress > progress.Values.First().Progress);
    }

    [Fact]
    public async Task Wait_for_session_reaches_another_state()
    {
        await using var host = await StartAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("idle"), SessionJson("busy"));

        var result = await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}","state":"busy"}""");

        Assert.Equal(SessionJson("busy"), Text(result));
    }

    [Fact]
    public async Task Wait_for_session_stops_when_the_session_errored()
    {
        await using var host = await StartAsync();
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
        await using var host = await StartAsync();
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("busy"));

        var result = await host.CallAsync("wait_for_session", $$"""{"session_id":"{{Sid}}","state":"closed","timeout_seconds":1}""");

        Assert.False(result.IsError ?? false);
        var answer = JsonNode.Parse(Text(result))!;
        Assert.True((bool)answer["still_waiting"]!);
        Assert.Equal("busy", (string?)answer["status"]);
        Assert.Equal($"Session {Sid} is still busy after 1 s, not yet closed. To keep waiting, call wait_for_session again with session_id '{Sid}' and state 'closed'.",
            (string?)answer["note"]);
    }

    private static readonly string Earlier = string.Join(",", Enumerable.Range(1, 3).Select(i => MessageJson($"old-{i}", i % 2 == 0 ? "agent" : "user", "earlier", "2025-08-30T18:23:05+00:00")));

    /// <summary>The conversation: 3 messages before, the sent one, then (after two polls without it) the agent's reply.</summary>
    private static void Conversation(McpTestHost host, bool reply = true)
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

    [Fact]
    public async Task Send_message_with_wait_for_reply_returns_the_sent_message_and_the_reply()
    {
        await using var host = await StartAsync();
        Conversation(host);
        await using var progress = Recorder.Attach(host);

        var result = await CallWithProgressAsync(host, "send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true}""", progress);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(
            $$"""{"sent":{{MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10.5+00:00")}},"reply":{{MessageJson(ReplyId, "agent", "Autumn moonlight", "2025-08-30T18:23:14+00:00")}}}""",
            Text(result));

        // Count once, send once, then read from a little before the count, then past the messages of earlier seconds.
        var requests = host.Requests.Select(r => $"{r.RequestMessage.Method} {new Uri(r.RequestMessage.AbsoluteUrl).PathAndQuery}").ToList();
        Assert.Equal(
        [
            $"GET /api/v0/sessions/{Sid}/messages/count",
            $"POST /api/v0/sessions/{Sid}/messages",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=0",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=3",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=3",
        ], requests);
        await WaitUntilAsync(() => progress.Values.Count >= 2);
        Assert.Equal([$"Message sent to session {Sid}; waiting for the agent's reply", $"The agent of session {Sid} replied"],
            progress.Values.Select(v => v.Message));
    }

    [Fact]
    public async Task Send_message_ignores_agent_messages_from_before_the_sent_one()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":0,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Json(MessageJson(SentId, "user", "second", "2025-08-30T18:23:10.5+00:00")));
        // Someone else's exchange landed first (older timestamp), then ours, then our reply.
        host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", "0")).RespondWith(Json(
            $"[{MessageJson("old-agent", "agent", "earlier answer", "2025-08-30T18:23:09+00:00")},{MessageJson(SentId, "user", "second", "2025-08-30T18:23:10+00:00")}," +
            $"{MessageJson(ReplyId, "agent", "our answer", "2025-08-30T18:23:12+00:00")}]"));

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"second","wait_for_reply":true}""");

        Assert.Equal("our answer", (string?)JsonNode.Parse(Text(result))!["reply"]!["content"]);
    }

    [Fact]
    public async Task Send_message_that_gets_no_reply_in_time_returns_the_sent_message_and_how_to_read_the_reply()
    {
        await using var host = await StartAsync();
        Conversation(host, reply: false);

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true,"timeout_seconds":1}""");

        Assert.False(result.IsError ?? false, "a reply that takes long is not an error: the message was sent");
        var answer = JsonNode.Parse(Text(result))!;
        Assert.Equal(SentId, (string?)answer["sent"]!["id"]);
        Assert.Null(answer["reply"]);
        Assert.True((bool)answer["still_waiting"]!);
        string note = (string)answer["note"]!;
        Assert.StartsWith("The message was sent, but the agent has not replied within 1 s", note);
        Assert.Contains("Do not send it again", note);
        Assert.Contains($"get_messages (session_id '{Sid}', offset 3)", note);
        Assert.Equal("no_reply_yet", (string?)answer["status"]);
        Assert.Single(host.Requests, r => r.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task Send_message_reports_a_failing_poll_without_calling_the_send_a_failure()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":3,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Json(MessageJson(SentId, "user", "hi", "2025-08-30T18:23:10+00:00")));
        host.Api.Given(Request.Create().WithPath(path).UsingGet())
            .RespondWith(Response.Create().WithStatusCode(404).WithHeader("Content-Type", "application/json").WithBody("""{"error":{"code":"NOT_FOUND","message":"Session not found"}}"""));

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"hi","wait_for_reply":true}""");

        Assert.False(result.IsError ?? false);
        var answer = JsonNode.Parse(Text(result))!;
        Assert.Equal(SentId, (string?)answer["sent"]!["id"]);
        Assert.Contains("The message was sent, but reading the reply failed: Raworc API error (HTTP 404", (string?)answer["note"]);
    }

    [Fact]
    public async Task Send_message_without_wait_for_reply_does_not_poll()
    {
        await using var host = await StartAsync();
        Conversation(host);

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","timeout_seconds":5}""");

        Assert.Equal(MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10.5+00:00"), Text(result));
        Assert.Equal("POST", host.SingleRequest().RequestMessage.Method);
    }

    [Theory]
    [InlineData("wait_for_build", $$"""{"build_id":"{{BuildId}}"}""")]
    [InlineData("wait_for_session", $$"""{"session_id":"{{Sid}}"}""")]
    [InlineData("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true}""")]
    public async Task Cancelling_the_call_stops_the_wait_at_once(string tool, string arguments)
    {
        await using var host = await StartAsync();
        Sequence(host, $"/api/v0/spaces/default/build/{BuildId}", BuildJson("building"));
        Sequence(host, $"/api/v0/sessions/{Sid}", SessionJson("init"));
        Conversation(host, reply: false);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.CallAsync(tool, arguments, cancel.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.True(host.Requests.Count >= 3, "it was polling");

        // notifications/cancelled reached the server: no more polls (one already under way may still land).
        await Task.Delay(200);
        int settled = host.Requests.Count;
        await Task.Delay(400);
        Assert.Equal(settled, host.Requests.Count);

        // The server is still fine.
        Assert.False((await host.CallAsync("wait_for_build", $$"""{"build_id":"{{BuildId}}","timeout_seconds":1}""")).IsError ?? false);
    }

    [Fact]
    public async Task Get_messages_latest_reads_the_count_and_returns_the_newest()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":250,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json("[]"));

        var result = await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10}""");

        Assert.Equal("[]", Text(result));
        // To the end: messages that arrive after the count are newer still.
        Assert.Equal($"/api/v0/sessions/{Sid}/messages?limit=1000&offset=240", new Uri(host.Requests[^1].RequestMessage.AbsoluteUrl).PathAndQuery);
    }

    [Fact]
    public async Task Get_messages_latest_beyond_the_count_starts_at_the_oldest()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":4,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json("[]"));

        await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10}""");

        Assert.Equal($"/api/v0/sessions/{Sid}/messages?limit=1000&offset=0", new Uri(host.Requests[^1].RequestMessage.AbsoluteUrl).PathAndQuery);
    }

    [Fact]
    public async Task Get_messages_latest_returns_the_newest_once_each_even_when_messages_arrive_or_repeat()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":4,"session_id":"{{Sid}}"}"""));
        // Read after the count: m4 arrived meanwhile, and the page lists m3 twice (same-second order is not stable).
        host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json(
            $"[{MessageJson("m2", "user", "2", "2025-08-30T18:23:10+00:00")},{MessageJson("m3", "agent", "3", "2025-08-30T18:23:11+00:00")}," +
            $"{MessageJson("m3", "agent", "3", "2025-08-30T18:23:11+00:00")},{MessageJson("m4", "user", "4", "2025-08-30T18:23:11+00:00")}]"));

        var result = await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":2}""");

        Assert.Equal(["m3", "m4"], JsonNode.Parse(Text(result))!.AsArray().Select(m => (string?)m!["id"]));
    }

    [Fact]
    public async Task Send_message_finds_a_reply_the_server_sorted_among_messages_of_the_same_second_already_read()
    {
        await using var host = await StartAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        string sent = MessageJson(SentId, "user", "hi", "2025-08-30T18:23:10+00:00");
        string other = MessageJson("other", "user", "me too", "2025-08-30T18:23:10+00:00");
        string reply = MessageJson(ReplyId, "agent", "hello", "2025-08-30T18:23:10+00:00");
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":3,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingPost()).RespondWith(Json(MessageJson(SentId, "user", "hi", "2025-08-30T18:23:10.2+00:00")));
        // First read: the sent message and another one of the same second. Then the reply, of that second too, is
        // listed between them: reading on from where the last read ended would skip it and see 'other' again.
        foreach (var (offset, before, after) in new[]
        {
            ("0", $"[{Earlier},{sent},{other}]", $"[{Earlier},{sent},{reply},{other}]"),
            ("3", $"[{sent},{other}]", $"[{sent},{reply},{other}]"),
            ("5", "[]", $"[{other}]"),
        })
        {
            host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", offset)).InScenario("same second").WillSetStateTo("replied").RespondWith(Json(before));
            host.Api.Given(Request.Create().WithPath(path).UsingGet().WithParam("offset", offset)).InScenario("same second").WhenStateIs("replied").RespondWith(Json(after));
        }

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"hi","wait_for_reply":true,"timeout_seconds":2}""");

        Assert.Equal(ReplyId, (string?)JsonNode.Parse(Text(result))!["reply"]?["id"]);
    }

    [Fact]
    public async Task The_three_waits_answer_an_unfinished_wait_with_the_same_keys()
    {
        await using var host = await StartAsync();
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
    public async Task Get_messages_latest_is_not_combined_with_paging()
    {
        await using var host = await StartAsync();

        var result = await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10,"offset":5}""");

        Assert.True(result.IsError);
        Assert.Equal("Invalid arguments for get_messages: latest cannot be combined with limit or offset.", Text(result));
        Assert.Empty(host.Requests);
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10);
    }
}
