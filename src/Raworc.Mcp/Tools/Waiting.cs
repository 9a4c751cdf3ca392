using System.Diagnostics;
using System.Text.Json.Nodes;
using ModelContextProtocol;

namespace Raworc.Mcp.Tools;

/// <summary>What a polling loop ended with: the last value read, whether the condition was met, and how long it took.</summary>
internal readonly record struct PollOutcome<T>(T Last, bool Done, TimeSpan Elapsed);

/// <summary>
/// The polling loop of the wait tools. The Raworc API has no push, so waiting means reading again at an interval
/// until a condition holds or the time runs out. The call's cancellation (notifications/cancelled) stops it at once.
/// </summary>
internal static class Polling
{
    /// <summary>Default of the wait tools' <c>timeout_seconds</c>.</summary>
    public const int DefaultTimeoutSeconds = 50;

    /// <summary>
    /// Largest <c>timeout_seconds</c>: below the ~60 s after which common MCP clients give up on a tool call, so a
    /// wait always answers (possibly "still running") instead of being cut off.
    /// </summary>
    public const int MaxTimeoutSeconds = 55;

    /// <summary>How long a read that started before the deadline may still take.</summary>
    private static readonly TimeSpan ReadGrace = TimeSpan.FromSeconds(3);

    /// <param name="read">Reads the current value. The first read is bounded by the API timeout only, later ones also by the deadline.</param>
    /// <param name="isDone">Whether the value read meets the condition; may report progress.</param>
    /// <param name="delayFirst">Wait one interval before the first read (for answers that cannot be there yet).</param>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static async Task<PollOutcome<T>> RunAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, ValueTask<bool>> isDone,
        TimeSpan interval, TimeSpan timeout, CancellationToken cancellation, bool delayFirst = false)
    {
        long started = Stopwatch.GetTimestamp();
        TimeSpan Elapsed() => Stopwatch.GetElapsedTime(started);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(timeout + ReadGrace);

        if (delayFirst) await Task.Delay(interval < timeout ? interval : timeout, cancellation).ConfigureAwait(false);
        bool haveValue = false;
        T last = default!;
        while (true)
        {
            try
            {
                last = await read(haveValue ? deadline.Token : cancellation).ConfigureAwait(false);
                haveValue = true;
            }
            catch (OperationCanceledException) when (haveValue && !cancellation.IsCancellationRequested)
            {
                return new PollOutcome<T>(last, false, Elapsed());
            }
            if (await isDone(last).ConfigureAwait(false)) return new PollOutcome<T>(last, true, Elapsed());

            var remaining = timeout - Elapsed();
            if (remaining <= TimeSpan.Zero) return new PollOutcome<T>(last, false, Elapsed());
            await Task.Delay(remaining < interval ? remaining : interval, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>The call's <c>timeout_seconds</c> (already checked against the schema), or the default.</summary>
    public static TimeSpan Timeout(ToolCall call) => TimeSpan.FromSeconds(call.OptionalInt("timeout_seconds") ?? DefaultTimeoutSeconds);

    public static readonly string TimeoutArgument = $"Default {DefaultTimeoutSeconds}.";

    public static string Seconds(TimeSpan elapsed) => $"{Math.Round(elapsed.TotalSeconds):0} s";

    /// <summary>
    /// The one answer of every wait that ends without its goal: <c>still_waiting</c> (true while calling again may
    /// still reach it), <c>status</c> (where things stand now), a note on what to do, and the objects read.
    /// </summary>
    public static JsonObject NotFinished(bool stillWaiting, string status, string note, params (string Key, JsonNode? Value)[] objects)
    {
        var result = new JsonObject { ["still_waiting"] = stillWaiting, ["status"] = status, ["note"] = note };
        foreach (var (key, value) in objects) result[key] = value;
        return result;
    }
}

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
