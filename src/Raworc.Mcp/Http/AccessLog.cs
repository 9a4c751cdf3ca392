using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp.Http;

/// <summary>
/// One log line per HTTP request: method, path, status, duration, and the JSON-RPC method and tool it carried.
/// Never headers, bodies or arguments, which hold tokens and secret values. Every field that comes from the request is
/// escaped and cut short; a request whose client went away before the answer is logged as aborted, not by the status
/// it would have had.
/// </summary>
internal sealed class AccessLog(ILogger logger)
{
    /// <summary>What the MCP layer learns about the current request, read back when the request ends.</summary>
    private sealed class Record
    {
        public string? RpcMethod;
        public string? Tool;
    }

    private static readonly AsyncLocal<Record?> Current = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        long started = Stopwatch.GetTimestamp();
        var record = Current.Value = new Record();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            string rpc = record.RpcMethod is null ? "" : record.Tool is null ? $" {Field(record.RpcMethod)}" : $" {Field(record.RpcMethod)} {record.Tool}";
            string status = context.RequestAborted.IsCancellationRequested ? "aborted" : context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
            logger.LogInformation("{HttpMethod} {Path} {Status} {Elapsed} ms{Rpc}", Field(context.Request.Method), Field(context.Request.Path.Value ?? ""),
                status, Stopwatch.GetElapsedTime(started).TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture), rpc);
        }
    }

    /// <summary>Longest request field logged; a path can be kilobytes long.</summary>
    private const int MaxFieldLength = 200;

    /// <summary>A value from the request, safe to log: backslashes doubled and every control or bidi character escaped, cut short.</summary>
    internal static string Field(string value) =>
        DisplayText.ForLog((value.Length > MaxFieldLength ? value[..MaxFieldLength] + "…" : value).Replace("\\", "\\\\", StringComparison.Ordinal));

    /// <summary>Notes the JSON-RPC method (and tool name) of each message the MCP layer receives.</summary>
    public static McpMessageFilter Filter { get; } = next => (context, cancellationToken) =>
    {
        if (Current.Value is { } record && context.JsonRpcMessage is JsonRpcRequest request)
        {
            record.RpcMethod = request.Method;
            if (request.Method == RequestMethods.ToolsCall && request.Params?["name"] is System.Text.Json.Nodes.JsonValue name
                && name.TryGetValue(out string? tool))
                record.Tool = tool.Length <= 64 && tool.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? tool : "(not a tool name)";
        }
        return next(context, cancellationToken);
    };
}
