using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>The conversation of a session with its agent.</summary>
internal sealed class MessageTools(ToolContext context) : ToolSet(context)
{
    private const string IdArgument = "Session id (a UUID).";

    [RaworcTool("get_messages", "Get messages", ToolEffect.Read)]
    [Description("Get a session's messages, oldest first; role is user, agent or system. For the newest ones, read get_message_count and set offset = count - limit.")]
    public Task<CallToolResult> GetMessages(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        [Description("At most this many messages (default 100).")][Range(1, 1000)] int? limit = null,
        [Description("Skip this many of the oldest messages.")][Range(0, 1_000_000_000)] int? offset = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.ListMessagesAsync(session_id, limit, offset, ct));

    [RaworcTool("send_message", "Send message", ToolEffect.Create, OpenWorld = true)]
    [Description("Send a user message to a session's agent. The agent answers asynchronously: poll get_messages for a message with role agent. A closed session is reopened.")]
    public Task<CallToolResult> SendMessage(
        [Description(IdArgument)] string session_id,
        [Description("The message text.")] string content,
        [Description(IgnoredSpaceArgument)] string? space = null,
        [Description("Free-form metadata object.")] Dictionary<string, JsonElement>? metadata = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.SendMessageAsync(session_id, content, AsJson(metadata), ct));

    [RaworcTool("get_message_count", "Count messages", ToolEffect.Read)]
    [Description("Count a session's messages.")]
    public Task<CallToolResult> GetMessageCount(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CountMessagesAsync(session_id, ct));

    [RaworcTool("clear_messages", "Clear messages", ToolEffect.Delete)]
    [Description("Permanently delete all of a session's messages. Returns how many were deleted.")]
    public Task<CallToolResult> ClearMessages(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.ClearMessagesAsync(session_id, ct));
}
