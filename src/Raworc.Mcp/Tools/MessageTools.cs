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
    /// Listed timestamps have whole seconds and the server does not order messages within one second, so a reply poll
    /// starts this many messages before the count read ahead of the send: a new message sorted among same-second
    /// older ones is still found.
    /// </summary>
    private const int Lookback = 10;

    public override ToolSet ToolSet => ToolSet.Messages;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("get_messages", "Get messages", ToolEffect.Read,
                "Get a session's messages, oldest first: the newest N (latest), or a page (limit, offset).")
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
            // Counting first tells where the new messages start, so the polls read only those (and a few before).
            long before = (await Api.CountMessagesAsync(id, c.Cancellation).ConfigureAwait(false)).Count;
            var sent = await Api.SendMessageAsync(id, content, metadata, c.Cancellation).ConfigureAwait(false);
            // From here on the message is sent: nothing below may look like a failure of the send, or it would be repeated.
            var progress = new ProgressReporter(c);
            await progress.ReportAsync($"Message sent to session {id}; waiting for the agent's reply").ConfigureAwait(false);
            var scan = new ReplyScan(sent, (int)Math.Max(0, Math.Min(before, int.MaxValue) - Lookback));
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

    /// <summary>
    /// Finds the agent's reply to <paramref name="sent"/> across polls. Each message is judged once, by id, however
    /// the server orders messages of the same second from one read to the next; the offset only moves past messages
    /// older than the newest second read, which no new message can precede.
    /// </summary>
    private sealed class ReplyScan(Message sent, int offset)
    {
        private readonly HashSet<string> _judged = new(StringComparer.Ordinal);

        // Listed timestamps have whole seconds; the sent message's own has fractions.
        private readonly DateTimeOffset? _sentSecond = sent.CreatedAt is { } at ? at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond)) : null;

        private bool _sentSeen;

        /// <summary>Where the next read starts.</summary>
        public int Offset { get; private set; } = offset;

        /// <summary>The reply, if this page (read at <see cref="Offset"/>) holds it.</summary>
        public Message? Read(List<Message> page)
        {
            Message? reply = null;
            foreach (var message in page)
            {
                if (reply is not null || !_judged.Add(message.Id)) continue;
                if (message.Id == sent.Id) _sentSeen = true;
                else if (message.Role == "agent" && IsAfterSent(message)) reply = message;
            }
            var newest = page.Select(m => m.CreatedAt).Max();
            Offset += page.TakeWhile(m => m.CreatedAt < newest).Count();
            return reply;
        }

        /// <summary>A later second is after the send; within the send's second only the listing order tells.</summary>
        private bool IsAfterSent(Message message) => (message.CreatedAt, _sentSecond) switch
        {
            ({ } at, { } second) when at < second => false,
            ({ } at, { } second) when at > second => true,
            _ => _sentSeen,
        };
    }
}
