using System.Text.Json;

namespace Raworc.Client;

/// <summary>A message of a session. <see cref="Role"/> is <c>user</c>, <c>agent</c> or <c>system</c>.</summary>
public sealed record Message(string Id, string SessionId, string Role, string Content, JsonElement? Metadata, DateTimeOffset? CreatedAt);

public sealed record SendMessageRequest(string Role, string Content, JsonElement? Metadata = null);

public sealed record MessageCount(long Count, string SessionId);

public sealed record ClearedMessages(long Deleted, string SessionId);

public sealed partial class RaworcClient
{
    /// <summary>The API's largest page of messages.</summary>
    public const int MaxMessagesPerPage = 1000;

    /// <summary>Messages oldest first, to the second: <c>created_at</c> has whole seconds and the server orders the messages of one second arbitrarily, differently from one read to the next.</summary>
    /// <param name="limit">At most this many (API default 100, capped at 1000).</param>
    /// <param name="offset">Skip this many of the oldest.</param>
    public async Task<List<Message>> ListMessagesAsync(string sessionId, int? limit = null, int? offset = null, CancellationToken ct = default) =>
        await GetAsync(Query($"{SessionPath(sessionId)}/messages",
                ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("offset", offset?.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            RaworcJsonContext.Default.ListMessage, ct).ConfigureAwait(false);

    /// <summary>Posts a message as <c>role: "user"</c>; the session's agent answers asynchronously with role <c>agent</c>.</summary>
    public async Task<Message> SendMessageAsync(string sessionId, string content, JsonElement? metadata = null, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{SessionPath(sessionId)}/messages", new SendMessageRequest("user", content, metadata),
            RaworcJsonContext.Default.SendMessageRequest, RaworcJsonContext.Default.Message, ct).ConfigureAwait(false);

    public async Task<MessageCount> CountMessagesAsync(string sessionId, CancellationToken ct = default) =>
        await GetAsync($"{SessionPath(sessionId)}/messages/count", RaworcJsonContext.Default.MessageCount, ct).ConfigureAwait(false);

    public async Task<ClearedMessages> ClearMessagesAsync(string sessionId, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"{SessionPath(sessionId)}/messages", RaworcJsonContext.Default.ClearedMessages, ct).ConfigureAwait(false);
}
