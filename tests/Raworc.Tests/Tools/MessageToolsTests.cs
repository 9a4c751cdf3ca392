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
        await using var host = await StartPollingAsync();
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
    public async Task Send_message_finds_a_reply_the_server_sorted_among_messages_of_the_same_second_already_read()
    {
        await using var host = await StartPollingAsync();
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
    public async Task Get_messages_latest_is_not_combined_with_paging()
    {
        await using var host = await StartPollingAsync();

        var result = await host.CallAsync("get_messages", $$"""{"session_id":"{{Sid}}","latest":10,"offset":5}""");

        Assert.True(result.IsError);
        Assert.Equal("Invalid arguments for get_messages: latest cannot be combined with limit or offset.", Text(result));
        Assert.Empty(host.Requests);
    }
}
