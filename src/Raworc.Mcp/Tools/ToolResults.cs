using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// Turns an API call into what the model sees: the API's JSON on success, a short confirmation for calls without a
/// body, and on failure an <c>isError</c> result naming the HTTP status, the API's message and the next step. Every
/// result and error a tool call answers is built here.
/// </summary>
internal sealed class ToolResults(ILogger logger)
{
    public async Task<CallToolResult> Json<T>(Func<Task<T>> call)
    {
        try
        {
            return Text(ToolJson.Serialize(await call().ConfigureAwait(false)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failure(e);
        }
    }

    public async Task<CallToolResult> Confirm(Func<Task> call, string done)
    {
        try
        {
            await call().ConfigureAwait(false);
            return Text(ToolJson.Serialize(new Confirmation(true, done)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Failure(e);
        }
    }

    /// <summary>An argument problem found before any HTTP call.</summary>
    public CallToolResult InvalidArguments(string tool, IEnumerable<string> problems) =>
        Error($"Invalid arguments for {tool}: {string.Join("; ", problems)}.");

    public CallToolResult Error(string text) => new() { IsError = true, Content = [new TextContentBlock { Text = text }] };

    private static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

    private CallToolResult Failure(Exception e)
    {
        switch (e)
        {
            case RaworcApiException api:
                logger.LogDebug("{Operation} failed: {Status} {Code}", api.Operation, api.StatusCode, api.ErrorCode);
                return Error(ErrorHints.Describe(api));
            case ArgumentException argument:
                return Error($"Invalid argument: {argument.Message}");
            case OutOfMemoryException:
                // An allocation this call asked for did not fit in the process's heap (a container's limit) while
                // others' large answers were in flight: that call fails alone, the process goes on.
                logger.LogWarning("A call ran short of memory and was answered {Code}", RaworcApiException.Codes.Busy);
                return Error($"{RaworcApiException.Codes.Busy}: this server ran short of memory handling the call while other large answers were in flight. " +
                    "Retry in a moment, or ask for less (limit, latest). A call that changes something may have taken effect: check (get_ or list_) before repeating it.");
            default:
                logger.LogError(e, "Unexpected failure");
                return Error($"raworc-mcp failed unexpectedly ({e.GetType().Name}: {e.Message}). This is a bug in raworc-mcp; the call may be retried.");
        }
    }
}
