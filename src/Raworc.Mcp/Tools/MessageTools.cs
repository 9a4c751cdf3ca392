using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>The conversation of a session with its agent.</summary>
internal sealed class MessageTools(ToolContext context) : ToolProvider(context)
{
    /// <summary>A long prompt or a pasted file fits; a runaway generation does not.</summary>
    public const int MaxContentLength = 1_000_000;

    public override ToolSet ToolSet => ToolSet.Messages;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("get_messages", "Get messages", ToolEffect.Read,
                "Get a session's messages, oldest first; role is user, agent or system. latest = N gives the newest N (still oldest first); limit and offset page from the oldest.")
            .Required("session_id", Text, SessionIdArgument)
            .Ignores("space")
            .Optional("latest", Integer, "Only the newest this many messages (oldest first). Not combined with limit or offset.",
                minimum: 1, maximum: RaworcClient.MaxMessagesPerPage)
            .Optional("limit", Integer, "At most this many messages (default 100).", minimum: 1, maximum: RaworcClient.MaxMessagesPerPage)
            .Optional("offset", Integer, "Skip this many of the oldest messages.", minimum: 0)
            .Handles(GetMessagesAsync);

        yield return Tool("send_message", "Send message", ToolEffect.Create,
                "Send a user message to a session's agent; a closed session is reopened. The agent answers asynchronously: set wait_for_reply to get its reply (role agent) too.",
                openWorld: true)
            .Required("session_id", Text, SessionIdArgument)
            .Required("content", Text, "The message text.", maxLength: MaxContentLength)
            .Ignores("space")
            .Optional("metadata", AnyObject, "Free-form metadata object.")
            .Optional("wait_for_reply", Flag, "Wait for the agent's reply and return {sent, reply}. Otherwise returns the sent message at once.")
            .Optional("timeout_seconds", Integer, Polling.TimeoutArgument("the reply (with wait_for_reply)"), minimum: 1, maximum: Polling.MaxTimeoutSeconds)
            .Handles(SendMessageAsync);

        yield return Tool("get_message_count", "Count messages", ToolEffect.Read, "Count a session's messages.")
            .Required("session_id", Text, SessionIdArgument)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.CountMessagesAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("clear_messages", "Clear messages", ToolEffect.Delete,
                "Permanently delete all of a session's messages. Returns how many were deleted.")
            .Required("session_id", Text, SessionIdArgument)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.ClearMessagesAsync(c.String("session_id"), c.Cancellation)));
    }

    private Task<CallToolResult> GetMessagesAsync(ToolCall c)
    {
        string id = c.String("session_id");
        if (c.OptionalInt("latest") is not { } latest)
            return Results.Json(() => Api.ListMessagesAsync(id, c.OptionalInt("limit"), c.OptionalInt("offset"), c.Cancellation));
        if (c.OptionalInt("limit") is not null || c.OptionalInt("offset") is not null)
            return Task.FromResult(ToolResults.InvalidArguments("get_messages", ["latest cannot be combined with limit or offset"]));
        return Results.Json(async () =>
        {
            long count = (await Api.CountMessagesAsync(id, c.Cancellation).ConfigureAwait(false)).Count;
            int offset = (int)Math.Max(0, count - latest);
            return await Api.ListMessagesAsync(id, latest, offset, c.Cancellation).ConfigureAwait(false);
        });
    }

    private Task<CallToolResult> SendMessageAsync(ToolCall c)
    {
        string id = c.String("session_id");
        string content = c.String("content");
        var metadata = c.OptionalObject("metadata");
        if (c.OptionalBool("wait_for_reply") != true)
            return Results.Json(() => Api.SendMessageAsync(id, content, metadata, c.Cancellation));

        return Results.Json(async () =>
        {
            // Counting first tells where the new messages start, so the polls read only those.
            long before = (await Api.CountMessagesAsync(id, c.Cancellation).ConfigureAwait(false)).Count;
            var sent = await Api.SendMessageAsync(id, content, metadata, c.Cancellation).ConfigureAwait(false);
            // From here on the message is sent: nothing below may look like a failure of the send, or it would be repeated.
            var progress = new ProgressReporter(c);
            await progress.ReportAsync($"Message sent to session {id}; waiting for the agent's reply").ConfigureAwait(false);
            try
            {
                var reply = await WaitForReplyAsync(c, id, sent, (int)Math.Min(before, int.MaxValue)).ConfigureAwait(false);
                if (reply.Done)
                {
                    await progress.ReportAsync($"The agent of session {id} replied").ConfigureAwait(false);
                    return new JsonObject { ["sent"] = ToolJson.ToNode(sent), ["reply"] = ToolJson.ToNode(reply.Last.Reply) };
                }
                return Pending(sent, reply.Last.Offset,
                    $"The message was sent, but the agent has not replied within {Polling.Seconds(reply.Elapsed)}; it is probably still working.");
            }
            catch (RaworcApiException e)
            {
                return Pending(sent, (int)Math.Min(before, int.MaxValue), $"The message was sent, but reading the reply failed: {ErrorHints.Describe(e)}");
            }
        });

        JsonObject Pending(Message sent, int offset, string what) => new()
        {
            ["sent"] = ToolJson.ToNode(sent),
            ["still_waiting"] = true,
            ["note"] = $"{what} Do not send it again. Read the reply later with get_messages (session_id '{id}', offset {offset}) " +
                "and look for a message with role agent, or check get_session: the session is busy while the agent works and idle once it has answered.",
        };
    }

    private readonly record struct ReplyScan(Message? Reply, int Offset);

    /// <summary>
    /// Polls the messages after <paramref name="offset"/> every 1.5 s (like the Raworc CLI) until an agent message
    /// follows the sent one. Each poll reads only messages not seen before.
    /// </summary>
    private async Task<PollOutcome<ReplyScan>> WaitForReplyAsync(ToolCall c, string sessionId, Message sent, int offset)
    {
        bool sentSeen = false;
        // Listed timestamps have whole seconds; the sent message's own has fractions.
        var sentAt = sent.CreatedAt is { } at ? at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)) : (DateTimeOffset?)null;
        return await Polling.RunAsync(
            async ct =>
            {
                var page = await Api.ListMessagesAsync(sessionId, RaworcClient.MaxMessagesPerPage, offset, ct).ConfigureAwait(false);
                foreach (var message in page)
                {
                    if (message.Id == sent.Id)
                        sentSeen = true;
                    else if (message.Role == "agent" && (sentSeen || (sentAt is not null && message.CreatedAt >= sentAt)))
                        return new ReplyScan(message, offset);
                    offset++;
                }
                return new ReplyScan(null, offset);
            },
            scan => ValueTask.FromResult(scan.Reply is not null),
            Configuration.MessagePollInterval, Polling.Timeout(c), Clock, c.Cancellation, delayFirst: true).ConfigureAwait(false);
    }
}
