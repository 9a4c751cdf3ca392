using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp;

/// <summary>
/// Answers a <c>tools/call</c> whose params cannot be read as a call (no string <c>name</c>, or <c>arguments</c> that
/// is not an object) with -32602 Invalid params naming the problem. The SDK would fail binding them and answer
/// -32603 "An error occurred.", which tells the client nothing.
/// </summary>
internal static class RequestShape
{
    public static McpMessageFilter Filter { get; } = next => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest { Method: RequestMethods.ToolsCall } request && Problem(request.Params) is { } problem)
        {
            await context.Server.SendMessageAsync(new JsonRpcError
            {
                Id = request.Id,
                Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InvalidParams, Message = $"Invalid params for tools/call: {problem}." },
            }, cancellationToken).ConfigureAwait(false);
            return;
        }
        await next(context, cancellationToken).ConfigureAwait(false);
    };

    private static string? Problem(JsonNode? parameters)
    {
        if (parameters is not JsonObject call) return "params must be an object with the tool's name and arguments";
        if (call["name"] is not JsonValue name || name.GetValueKind() != JsonValueKind.String) return "\"name\" must be the tool's name as a string";
        if (call["arguments"] is { } arguments && arguments.GetValueKind() != JsonValueKind.Object) return "\"arguments\" must be an object";
        return null;
    }
}
