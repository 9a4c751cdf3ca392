using ModelContextProtocol;

namespace Raworc.Mcp.Tools;

/// <summary>
/// MCP progress notifications for one tool call: sent only when the request carried a progressToken, with a
/// progress value that always increases. Best effort: a notification that cannot be sent never fails the call.
/// </summary>
internal sealed class ProgressReporter(ToolCall call)
{
    private double _last;

    public async Task ReportAsync(string message, double? progress = null, double? total = null)
    {
        if (call.Request.Params?.ProgressToken is not { } token) return;
        double value = progress is { } p && p > _last ? p : _last + 1;
        _last = value;
        try
        {
            await call.Request.Server.NotifyProgressAsync(token,
                new ProgressNotificationValue { Progress = (float)value, Total = (float?)total, Message = message },
                cancellationToken: call.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The client may have gone; the wait itself goes on.
        }
    }
}
