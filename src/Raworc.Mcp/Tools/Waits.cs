namespace Raworc.Mcp.Tools;

/// <summary>
/// What the host decides about the wait tools (wait_for_build, wait_for_session, send_message with wait_for_reply)
/// without the core knowing the host: the clock they are paced by, how many one caller may run at once, and a signal
/// that ends them all soon, so that a server about to stop answers <c>still_waiting</c> and the client calls again
/// (reaching another server) instead of losing the call. Over stdio nothing limits or ends them.
/// </summary>
internal sealed class Waits(TimeProvider clock)
{
    private readonly CancellationTokenSource _ending = new();

    /// <summary>Measures and paces every wait (a test moves one by hand, so timing never depends on the machine).</summary>
    public TimeProvider Clock { get; } = clock;

    /// <summary>Cancelled once every wait should answer: those under way after the read in progress, new ones after their first.</summary>
    public CancellationToken Ending => _ending.Token;

    /// <summary>Makes every wait answer soon; idempotent.</summary>
    public void EndAll() => _ending.Cancel();

    /// <summary>Decides whether the current caller may start one more wait; none admits every wait.</summary>
    public IWaitAdmission? Admission { get; set; }

    /// <summary>Runs <paramref name="wait"/> if the admission lets the current caller start one more, else answers the refusal.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> wait, Func<string, T> refused)
    {
        if (Admission is not { } admission) return await wait().ConfigureAwait(false);
        using var slot = admission.TryEnter(out string refusal);
        return slot is null ? refused(refusal) : await wait().ConfigureAwait(false);
    }
}

/// <summary>How many waits the current caller may run at once, as the host counts callers.</summary>
internal interface IWaitAdmission
{
    /// <summary>A slot for one more wait of the current caller, freed on dispose; null, with the reason, when the caller has no slot left.</summary>
    IDisposable? TryEnter(out string refusal);
}
