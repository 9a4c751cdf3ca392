using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>The conversation of a session with its agent.</summary>
internal sealed class MessageTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "messages";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("get_messages", "Get messages", ToolEffect.Read,
                "Get a session's messages, oldest first; role is user, agent or system. For the newest ones, read get_message_count and set offset = count - limit.")
            .Required("session_id", Text, SessionIdArgument)
            .Optional("space", Text, IgnoredSpaceArgument)
            .Optional("limit", Integer, "At most this many messages (default 100).", minimum: 1, maximum: RaworcClient.MaxMessagesPerPage)
            .Optional("offset", Integer, "Skip this many of the oldest messages.", minimum: 0)
            .Handles(c => Results.Json(() => Api.ListMessagesAsync(c.String("session_id"), c.OptionalInt("limit"), c.OptionalInt("offset"), c.Cancellation)));

        yield return Tool("send_message", "Send message", ToolEffect.Create,
                "Send a user message to a session's agent. The agent answers asynchronously: poll get_messages for a message with role agent. A closed session is reopened.",
                openWorld: true)
            .Required("session_id", Text, SessionIdArgument)
            .Required("content", Text, "The message text.")
            .Optional("space", Text, IgnoredSpaceArgument)
            .Optional("metadata", AnyObject, "Free-form metadata object.")
            .Handles(c => Results.Json(() => Api.SendMessageAsync(c.String("session_id"), c.String("content"), c.OptionalObject("metadata"), c.Cancellation)));

        yield return Tool("get_message_count", "Count messages", ToolEffect.Read, "Count a session's messages.")
            .Required("session_id", Text, SessionIdArgument)
            .Optional("space", Text, IgnoredSpaceArgument)
            .Handles(c => Results.Json(() => Api.CountMessagesAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("clear_messages", "Clear messages", ToolEffect.Delete,
                "Permanently delete all of a session's messages. Returns how many were deleted.")
            .Required("session_id", Text, SessionIdArgument)
            .Optional("space", Text, IgnoredSpaceArgument)
            .Handles(c => Results.Json(() => Api.ClearMessagesAsync(c.String("session_id"), c.Cancellation)));
    }
}
