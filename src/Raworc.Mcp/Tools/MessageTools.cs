using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;
using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>The conversation of a session with its agent.</summary>
internal sealed class MessageTools(ToolContext context) : ToolProvider(context)
{
    /// <summary>Raworc 0.3.0 stores content in a MySQL TEXT column; a longer message fails after the session was set busy.</summary>
    public const int MaxContentBytes = 65_535;

    /// <summary>
    /// How many of the newest messages are read before a send, to know the ones that were there already. Listed
    /// timestamps have whole seconds and the server lists the messages of one second in any order, so when all of
    /// these share their second, up to a page is read instead (see <see cref="ReadTailAsync"/>).
    /// </summary>
    private const int Lookback = 10;

    public override ToolSet ToolSet => ToolSet.Messages;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("get_messages", "Get messages", ToolEffect.Read,
                "Get a session's messages, oldest first to the second (within one second in any order): the newest N (latest), or a page (limit, offset).")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Optional("latest", Integer, "Newest N only; not with limit/offset.", minimum: 1, maximum: RaworcClient.MaxMessagesPerPage)
            .Optional("limit", Integer, "Default 100.", minimum: 1, maximum: RaworcClient.MaxMessagesPerPage)
            .Optional("offset", Integer, null, minimum: 0)
            .Handles(GetMessagesAsync);

        yield return Tool("send_message", "Send message", ToolEffect.Create,
                "Send a user message to a session's agent, which answers later (role agent; see wait_for_reply). A closed session needs restore_session.",
                openWorld: true)
            .Required("session_id", Text, null)
            .Required("content", Text, "At most 65,535 bytes of UTF-8.", maxLength: MaxContentBytes).MaxUtf8Bytes(MaxContentBytes)
            .Ignores("space")
            .Optional("metadata", AnyObject, null)
            .Optional("wait_for_reply", Flag, "Return {sent, reply} once it answers.")
            .Optional("timeout_seconds", Integer, Polling.TimeoutArgument, minimum: 1, maximum: Polling.MaxTimeoutSeconds)
            .Handles(Waiting(SendMessageAsync, c => c.OptionalBool("wait_for_reply") == true));

        yield return Tool("get_message_count", "Count messages", ToolEffect.Read, "Count a session's messages.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.CountMessagesAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("clear_messages", "Clear messages", ToolEffect.Delete,
                "Permanently delete all of a session's messages. Returns how many were deleted.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.ClearMessagesAsync(c.String("session_id"), c.Cancellation)));
    }

    private Task<CallToolResult> GetMessagesAsync(ToolCall c)
    {
        string id = c.String("session_id");
        if (c.OptionalInt("latest") is not { } latest)
            return Results.Json(() => Api.ListMessagesAsync(id, c.OptionalInt("limit"), c.OptionalInt("offset"), c.Cancellation));
        if (c.OptionalInt("limit") is not null || c.OptionalInt("offset") is not null)
            return Task.FromResult(Results.InvalidArguments("get_messages", ["latest cannot be combined with limit or offset"]));
        return Results.Json(async () =>
        {
            long count = (await Api.CountMessagesAsync(id, c.Cancellation).ConfigureAwait(false)).Count;
            // Read to the end, not just `latest` messages: any that arrived after the count are the newest ones.
            int offset = (int)Math.Max(0, count - latest);
            var page = await Api.ListMessagesAsync(id, RaworcClient.MaxMessagesPerPage, offset, c.Cancellation).ConfigureAwait(false);
            var distinct = page.DistinctBy(m => m.Id).ToList();
            return distinct.Count > latest ? distinct[^latest..] : distinct;
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
            // The API cannot list "messages since": the newest ones, read before sending, are what the reply is not.
            var tail = await ReadTailAsync(id, c.Cancellation).ConfigureAwait(false);
            var sent = await Api.SendMessageAsync(id, content, metadata, c.Cancellation).ConfigureAwait(false);
            // From here on the message is sent: nothing below may look like a failure of the send, or it would be repeated.
            var progress = c.Progress;
            await progress.ReportAsync($"Message sent to session {id}; waiting for the agent's reply").ConfigureAwait(false);
            var scan = new ReplyScan(sent, tail);
            try
            {
                var reply = await Polling.RunAsync(
                    async ct => scan.Read(await Api.ListMessagesAsync(id, RaworcClient.MaxMessagesPerPage, scan.Offset, ct).ConfigureAwait(false)),
                    found => ValueTask.FromResult(found is not null),
                    Configuration.MessagePollInterval, Polling.Timeout(c), Waits, c.Cancellation, delayFirst: true).ConfigureAwait(false);
                if (reply.Done)
                {
                    await progress.ReportAsync($"The agent of session {id} replied").ConfigureAwait(false);
                    return new JsonObject { ["sent"] = ToolJson.ToNode(sent), ["reply"] = ToolJson.ToNode(reply.Last) };
                }
                return Pending(sent, scan.Offset, Polling.EndedEarly(reply) +
                    $"The message was sent, but the agent has not replied within {Polling.Seconds(reply.Elapsed)}; it is probably still working.");
            }
            catch (RaworcApiException e)
            {
                return Pending(sent, scan.Offset, $"The message was sent, but reading the reply failed: {ErrorHints.Describe(e)}");
            }
        });

        JsonObject Pending(Message sent, int offset, string what) => Polling.NotFinished(true, "no_reply_yet",
            $"{what} Do not send it again. Read the reply later with get_messages (session_id '{id}', offset {offset}) " +
            "and look for a message with role agent, or check get_session: the session is busy while the agent works and idle once it has answered.",
            ("sent", ToolJson.ToNode(sent)));
    }

    /// <summary>The session's newest messages before a send, and the offset they were read from.</summary>
    private sealed record MessageTail(int Offset, List<Message> Messages);

    /// <summary>
    /// Reads the newest messages, all of the newest second among them included: those of one second may be listed in
    /// any order, so a page that starts inside its newest second may miss some of that second, listed before it. Then
    /// up to a page is read, in one read (two reads could each list a different part of the second).
    /// </summary>
    private async Task<MessageTail> ReadTailAsync(string id, CancellationToken ct)
    {
        long count = (await Api.CountMessagesAsync(id, ct).ConfigureAwait(false)).Count;
        int Before(int n) => (int)Math.Max(0, Math.Min(count, int.MaxValue) - n);
        int offset = Before(Lookback);
        var page = await Api.ListMessagesAsync(id, RaworcClient.MaxMessagesPerPage, offset, ct).ConfigureAwait(false);
        if (offset > 0 && page.Count > 0 && page.Min(m => m.CreatedAt) == page.Max(m => m.CreatedAt))
        {
            // Room is left for messages that arrive meanwhile: they were there before the send, too.
            offset = Before(RaworcClient.MaxMessagesPerPage - Lookback);
            page = await Api.ListMessagesAsync(id, RaworcClient.MaxMessagesPerPage, offset, ct).ConfigureAwait(false);
        }
        return new MessageTail(offset, page);
    }

    /// <summary>
    /// Finds the agent's reply to a sent message across polls, whatever order the server lists the messages
    /// of one second in, from one read to the next: the reply is the first agent message that was not there before the
    /// send and was created in the sent message's second or later. Each message is judged once, by id.
    /// </summary>
    private sealed class ReplyScan
    {
        /// <summary>Messages that are not the reply: those there before the send, the sent one, and new ones judged.</summary>
        private readonly HashSet<string> _notReply = new(StringComparer.Ordinal);

        /// <summary>The second the reply cannot be older than (listed timestamps have whole seconds; the sent one has fractions).</summary>
        private readonly DateTimeOffset _floor;

        public ReplyScan(Message sent, MessageTail tail)
        {
            _notReply.UnionWith(tail.Messages.Select(m => m.Id));
            _notReply.Add(sent.Id);
            _floor = (sent.CreatedAt ?? tail.Messages.Max(m => m.CreatedAt)) is { } at ? at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)) : DateTimeOffset.MinValue;
            Offset = tail.Offset + OlderThanTheReply(tail.Messages);
        }

        /// <summary>Where the next read starts: the messages before it are all older than the sent message's second.</summary>
        public int Offset { get; private set; }

        /// <summary>The reply, if this page (read at <see cref="Offset"/>) holds it.</summary>
        public Message? Read(List<Message> page)
        {
            Message? reply = null;
            foreach (var message in page)
            {
                if (_notReply.Contains(message.Id)) continue;
                if (message.Role == "agent" && !(message.CreatedAt < _floor))
                {
                    if (reply is null || message.CreatedAt < reply.CreatedAt) reply = message;
                }
                else _notReply.Add(message.Id);
            }
            Offset += OlderThanTheReply(page);
            return reply;
        }

        /// <summary>How many messages at the start of a listing are too old to be the reply: they are listed before every other.</summary>
        private int OlderThanTheReply(List<Message> listing) => listing.TakeWhile(m => m.CreatedAt < _floor).Count();
    }
}
