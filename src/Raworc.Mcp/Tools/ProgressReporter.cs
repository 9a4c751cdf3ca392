using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp.Tools;

/// <summary>
/// MCP progress notifications for one tool call: sent only when the request carried a progressToken, one at a time
/// with a progress value that always increases, whoever reports (the wait, or a read waiting for memory). Best
/// effort: a notification that cannot be sent never fails the call.
/// </summary>
internal sealed class ProgressReporter(RequestContext<CallToolRequestParams> request, CancellationToken cancellation)
{
    private readonly SemaphoreSlim _order = new(1, 1);
    private double _last;

    public async Task ReportAsync(string message, double? progress = null, double? total = null)
    {
        if (request.Params?.ProgressToken is not { } token) return;
        try
        {
            await _order.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                double value = progress is { } p && p > _last ? p : _last + 1;
                _last = value;
                await request.Server.NotifyProgressAsync(token,
                    new ProgressNotificationValue { Progress = (float)value, Total = (float?)total, Message = message },
                    cancellationToken: cancellation).ConfigureAwait(false);
            }
            finally
            {
                _order.Release();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The client may have gone; the wait itself goes on.
        }
    }
}
