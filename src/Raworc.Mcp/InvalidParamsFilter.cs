using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp;

/// <summary>
/// Answers a request whose params cannot be read as what its method needs with -32602 Invalid params naming the
/// problem: a <c>tools/call</c> without a string <c>name</c> or with <c>arguments</c> that is not an object, a
/// <c>resources/read</c> without a string <c>uri</c>, a <c>prompts/get</c> without a string <c>name</c>, a
/// <c>completion/complete</c> without its <c>ref</c> or <c>argument</c>. The SDK would fail binding them and answer
/// -32603 "An error occurred.", which tells the client nothing. Only the members a method reads are looked at, never
/// the whole tree: strings that are not Unicode text (<see cref="NotUnicode"/>) are found by the transports while
/// they read the message (<see cref="JsonScan"/>).
/// </summary>
internal static class InvalidParamsFilter
{
    public static McpMessageFilter Filter { get; } = next => async (context, cancellationToken) =>
    {
        if (context.JsonRpcMessage is JsonRpcRequest request && Problem(request.Method, request.Params) is { } problem)
        {
            await context.Server.SendMessageAsync(new JsonRpcError
            {
                Id = request.Id,
                Error = new JsonRpcErrorDetail { Code = (int)McpErrorCode.InvalidParams, Message = problem },
            }, cancellationToken).ConfigureAwait(false);
            return;
        }
        await next(context, cancellationToken).ConfigureAwait(false);
    };

    /// <summary>The answer to a request with a string that no .NET string can hold.</summary>
    public const string NotUnicode = "Invalid params: a string holds an unpaired surrogate escape (such as \\ud800), which is not Unicode text.";

    /// <summary>The error message for params the method cannot use, or null when they are fine.</summary>
    private static string? Problem(string method, JsonNode? parameters)
    {
        string? problem = method switch
        {
            RequestMethods.ToolsCall => ToolCallProblem(parameters),
            RequestMethods.ResourcesRead => StringMember(parameters, "uri", "the resource's URI"),
            RequestMethods.PromptsGet => StringMember(parameters, "name", "the prompt's name"),
            RequestMethods.CompletionComplete => CompletionProblem(parameters),
            _ => null,
        };
        return problem is null ? null : $"Invalid params for {method}: {problem}.";
    }

    private static string? ToolCallProblem(JsonNode? parameters)
    {
        if (parameters is not JsonObject call) return "params must be an object with the tool's name and arguments";
        if (!IsString(call["name"])) return "\"name\" must be the tool's name as a string";
        if (call["arguments"] is { } arguments && arguments.GetValueKind() != JsonValueKind.Object) return "\"arguments\" must be an object";
        return null;
    }

    private static string? CompletionProblem(JsonNode? parameters)
    {
        if (parameters is not JsonObject complete) return "params must be an object with \"ref\" and \"argument\"";
        if (complete["ref"] is not JsonObject reference || !IsString(reference["type"]))
            return "\"ref\" must be an object with a string \"type\" (ref/prompt or ref/resource)";
        if (complete["argument"] is not JsonObject argument || !IsString(argument["name"]) || !IsString(argument["value"]))
            return "\"argument\" must be an object with a string \"name\" and a string \"value\"";
        return null;
    }

    private static string? StringMember(JsonNode? parameters, string name, string what) =>
        parameters is JsonObject body && IsString(body[name]) ? null : $"\"{name}\" must be {what} as a string";

    private static bool IsString(JsonNode? node) => node is JsonValue value && value.GetValueKind() == JsonValueKind.String;
}
