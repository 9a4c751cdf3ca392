using System.Text.Json.Nodes;

namespace Raworc.Mcp.Tools;

/// <summary>
/// The polling loop of the wait tools. The Raworc API has no push, so waiting means reading again at an interval
/// until a condition holds or the time runs out. The call's cancellation (notifications/cancelled) stops it at once;
/// the host's <see cref="Waits.Ending"/> makes it answer as if its time were up, after the read in progress.
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
    /// <param name="waits">Measures the wait and paces the reads; its ending cuts the wait short.</param>
    /// <param name="delayFirst">Wait one interval before the first read (for answers that cannot be there yet).</param>
    /// <exception cref="OperationCanceledException">The call was cancelled.</exception>
    public static async Task<PollOutcome<T>> RunAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, ValueTask<bool>> isDone,
        TimeSpan interval, TimeSpan timeout, Waits waits, CancellationToken cancellation, bool delayFirst = false)
    {
        var clock = waits.Clock;
        long started = clock.GetTimestamp();
        TimeSpan Elapsed() => clock.GetElapsedTime(started);
        using var deadline = new CancellationTokenSource(timeout + ReadGrace, clock);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellation, deadline.Token);
        // Ending: a read in flight gets the grace it would get at the deadline, and a pause ends at once.
        using var ending = waits.Ending.Register(() => deadline.CancelAfter(ReadGrace));
        using var pause = CancellationTokenSource.CreateLinkedTokenSource(cancellation, waits.Ending);
        bool Ended() => waits.Ending.IsCancellationRequested;

        if (delayFirst) await PauseAsync(interval < timeout ? interval : timeout).ConfigureAwait(false);
        bool haveValue = false;
        T last = default!;
        while (true)
        {
            try
            {
                last = await read(haveValue ? bounded.Token : cancellation).ConfigureAwait(false);
                haveValue = true;
            }
            catch (OperationCanceledException) when (haveValue && !cancellation.IsCancellationRequested)
            {
                return new PollOutcome<T>(last, false, Elapsed(), Ended());
            }
            if (await isDone(last).ConfigureAwait(false)) return new PollOutcome<T>(last, true, Elapsed());

            var remaining = timeout - Elapsed();
            if (remaining <= TimeSpan.Zero || Ended()) return new PollOutcome<T>(last, false, Elapsed(), Ended());
            await PauseAsync(remaining < interval ? remaining : interval).ConfigureAwait(false);
        }

        async Task PauseAsync(TimeSpan time)
        {
            try
            {
                await Task.Delay(time, clock, pause.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                // Ended: read once more, then answer.
            }
        }
    }

    /// <summary>The first words of an unfinished wait's note when the host ended it early; empty otherwise.</summary>
    public static string EndedEarly<T>(PollOutcome<T> outcome) =>
        outcome.Ended ? "This server is shutting down, so the wait ended early; calling again continues it on another server. " : "";

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
