using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;
using static Raworc.Tests.WaitToolTests;

namespace Raworc.Tests.Tools;

/// <summary>send_message (with and without wait_for_reply) and get_messages, against WireMock conversations. Waits poll every 20 ms of a <see cref="SteppingClock"/>.</summary>
public sealed class MessageToolsTests
{
    [Fact]
    public async Task Send_message_with_wait_for_reply_returns_the_sent_message_and_the_reply()
    {
        await using var host = await StartPollingAsync();
        Conversation(host);
        await using var progress = Recorder.Attach(host);

        var result = await CallWithProgressAsync(host, "send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","wait_for_reply":true}""", progress);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(
            $$"""{"sent":{{MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10.5+00:00")}},"reply":{{MessageJson(ReplyId, "agent", "Autumn moonlight", "2025-08-30T18:23:14+00:00")}}}""",
            Text(result));

        // Count and read the newest messages, send once, then read past the messages of seconds before the send's.
        var requests = host.Requests.Select(r => $"{r.RequestMessage.Method} {new Uri(r.RequestMessage.AbsoluteUrl).PathAndQuery}").ToList();
        Assert.Equal(
        [
            $"GET /api/v0/sessions/{Sid}/messages/count",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=0",
            $"POST /api/v0/sessions/{Sid}/messages",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=3",
            $"GET /api/v0/sessions/{Sid}/messages?limit=1000&offset=3",
        ], requests);
        await WaitUntilAsync(() => progress.Values.Count >= 2);
        Assert.Equal([$"Message sent to session {Sid}; waiting for the agent's reply", $"The agent of session {Sid} replied"],
            progress.Values.Select(v => v.Message));
    }

    private static ListedSession.Stored M(string id, string role, int second) => new(id, role, $"{role} {id}", second);

    private static async Task<JsonNode> WaitForReplyAsync(McpTestHost host, int timeoutSeconds = 2)
    {
        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"the question","wait_for_reply":true,"timeout_seconds":{{timeoutSeconds}}}""");
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Single(host.Requests, r => r.RequestMessage.Method == "POST");
        return JsonNode.Parse(Text(result))!;
    }

    [Fact]
    public async Task Send_message_ignores_agent_messages_from_before_the_sent_one()
    {
        await using var host = await StartPollingAsync();
        // Someone else's exchange landed first (older timestamps), then ours, then our reply.
        new ListedSession { Ties = ListedSession.NewestFirst }
            .Before(M("u0", "user", 8), M("old-agent", "agent", 9))
            .Arrive(2, M(ReplyId, "agent", 12))
            .Serve(host);

        var answer = await WaitForReplyAsync(host);

        Assert.Equal(ReplyId, (string?)answer["reply"]!["id"]);
        Assert.Equal(SentId, (string?)answer["sent"]!["id"]);
    }

    [Fact]
    public async Task Send_message_finds_a_reply_listed_before_the_question()
    {
        await using var host = await StartPollingAsync();
        // A fast reply: there at the first read, in the question's second, and listed before the question.
        new ListedSession { Ties = ListedSession.NewestFirst }
            .Before(M("u0", "user", 5), M("a0", "agent", 5), M("u1", "user", 6))
            .Arrive(1, M(ReplyId, "agent", 10))
            .Serve(host);

        var answer = await WaitForReplyAsync(host);

        Assert.Equal(ReplyId, (string?)answer["reply"]!["id"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Send_message_never_takes_an_earlier_agent_message_of_the_same_second_listed_after_the_question(bool replies)
    {
        await using var host = await StartPollingAsync();
        // An earlier question was answered in the second this question is sent in; newest first lists that answer
        // after the question, at every read.
        var session = new ListedSession { Ties = ListedSession.NewestFirst }.Before(M("u0", "user", 10), M("earlier-answer", "agent", 10));
        if (replies) session.Arrive(3, M(ReplyId, "agent", 10));
        session.Serve(host);

        var answer = await WaitForReplyAsync(host, timeoutSeconds: 1);

        if (replies)
        {
            Assert.Equal(ReplyId, (string?)answer["reply"]!["id"]);
            return;
        }
        Assert.Null(answer["reply"]);
        Assert.True((bool)answer["still_waiting"]!);
        Assert.Equal("no_reply_yet", (string?)answer["status"]);
        Assert.DoesNotContain("earlier-answer", answer.ToJsonString());
    }

    [Fact]
    public async Task Send_message_finds_the_reply_among_many_agent_messages_of_one_second()
    {
        await using var host = await StartPollingAsync();
        // Twelve messages of the question's second, more than the look-back: the newest ten are all of one second, so
        // the tail is read again from further back, in one read.
        var before = Enumerable.Range(0, 12).Select(i => M($"m{i}", i % 3 == 0 ? "user" : "agent", 10)).ToArray();
        new ListedSession { Ties = ListedSession.NewestFirst }.Before(before).Arrive(2, M(ReplyId, "agent", 10)).Serve(host);

        var answer = await WaitForReplyAsync(host);

        Assert.Equal(ReplyId, (string?)answer["reply"]!["id"]);
        var reads = host.Requests.Where(r => r.RequestMessage.Method == "GET" && !r.RequestMessage.Path.EndsWith("/count", StringComparison.Ordinal))
            .Select(r => new Uri(r.RequestMessage.AbsoluteUrl).Query).Take(2);
        Assert.Equal(["?limit=1000&offset=2", "?limit=1000&offset=0"], reads);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Send_message_finds_the_reply_whatever_order_the_server_lists_one_second_in(int seed)
    {
        await using var host = await StartPollingAsync();
        // A different order at every read. Agent messages of the question's second that were there before, a late one
        // of an earlier second, and after the reply another agent message of a later second: only the reply is it.
        new ListedSession { Ties = ListedSession.Shuffled(seed) }
            .Before(M("u0", "user", 9), M("a0", "agent", 9), M("a1", "agent", 10), M("u1", "user", 10), M("a2", "agent", 10))
            .Arrive(1, M("late", "agent", 9))
            .Arrive(1, M("other", "user", 10))
            .Arrive(2, M(ReplyId, "agent", 10))
            .Arrive(2, M("after", "agent", 11))
            .Serve(host);

        var answer = await WaitForReplyAsync(host);

        Assert.Equal(ReplyId, (string?)answer["reply"]!["id"]);
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 20)];

    [Fact]
    public async Task Send_message_that_gets_no_reply_in_time_returns_the_sent_message_and_how_to_read_the_reply()
    {
        await using var host = await StartPollingAsync();
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
        await using var host = await StartPollingAsync();
        new ListedSession { Ties = ListedSession.NewestFirst, FailReadsAfterSend = true }.Before(M("u0", "user", 5)).Serve(host);

        var answer = await WaitForReplyAsync(host);

        Assert.Equal(SentId, (string?)answer["sent"]!["id"]);
        Assert.Contains("The message was sent, but reading the reply failed: Raworc API error (HTTP 404", (string?)answer["note"]);
    }

    [Fact]
    public async Task Send_message_without_wait_for_reply_does_not_poll()
    {
        await using var host = await StartPollingAsync();
        Conversation(host);

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"Write a haiku","timeout_seconds":5}""");

        Assert.Equal(MessageJson(SentId, "user", "Write a haiku", "2025-08-30T18:23:10.5+00:00"), Text(result));
        Assert.Equal("POST", host.SingleRequest().RequestMessage.Method);
    }

    [Fact]
    public async Task Get_messages_latest_reads_the_count_and_returns_the_newest()
    {
        await using var host = await StartPollingAsync();
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
        await using var host = await StartPollingAsync();
        string path = $"/api/v0/sessions/{Sid}/messages";
        host.Api.Given(Request.Create().WithPath(path + "/count").UsingGet()).RespondWith(Json($$"""{"count":4,"session_id":"{{Sid}}"}"""));
        host.Api.Given(Request.Create().WithPath(path).UsingGet()).RespondWith(Json("[]"));

        await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10}""");

        Assert.Equal($"/api/v0/sessions/{Sid}/messages?limit=1000&offset=0", new Uri(host.Requests[^1].RequestMessage.AbsoluteUrl).PathAndQuery);
    }

    [Fact]
    public async Task Get_messages_latest_returns_the_newest_once_each_even_when_messages_arrive_or_repeat()
    {
        await using var host = await StartPollingAsync();
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
    public async Task Get_messages_latest_is_not_combined_with_paging()
    {
        await using var host = await StartPollingAsync();

        var result = await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10,"offset":5}""");

        Assert.True(result.IsError);
        Assert.Equal("Invalid arguments for get_messages: latest cannot be combined with limit or offset.", Text(result));
        Assert.Empty(host.Requests);
    }
}
