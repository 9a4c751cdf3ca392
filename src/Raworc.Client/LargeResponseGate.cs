namespace Raworc.Client;

/// <summary>
/// Bounds the memory that API responses hold, with two things: the process's <see cref="ByteBudget"/>, from which
/// every body claims its bytes (held to the end of its scope, so what is made of it is covered too), and a gate that
/// lets one large response (over <see cref="LargeResponseBytes"/>) through at a time. Nothing here can deadlock,
/// because nobody waits while holding what another waits for: a read waits for the budget only holding nothing (a
/// scope's earlier reads give their bytes back when its next read starts); a read that grows past what it claimed
/// takes more only if it fits now, else it takes the gate; and the gate's holder never waits for the budget (it may
/// overdraw it by its one response). A scope is one unit of work, never a whole wait: a wait's polls are scopes of
/// their own, so one user's wait cannot hold the gate while it sleeps. A call waiting here is still bounded by its
/// timeout, and is told it waits (<see cref="OnWaiting"/>).
/// </summary>
public static class LargeResponseGate
{
    /// <summary>A body over this many bytes takes the gate before it is read on.</summary>
    public const int LargeResponseBytes = 1024 * 1024;

    /// <summary>What a body of unknown length (chunked) claims before its first byte; it claims more as it grows.</summary>
    public const int UnknownLengthReservation = 64 * 1024;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AsyncLocal<LargeResponseScope?> Current = new();
    private static readonly AsyncLocal<Action<string>?> Notify = new();

    /// <summary>
    /// Starts a scope for one unit of work (a tool call that reads one response, a resource read, one API call): the
    /// gate and the bytes claimed by responses read in it are held until the scope is disposed, so that what is made
    /// of the response is covered too. Scopes do not nest: inside one, this returns a scope that holds nothing.
    /// </summary>
    public static LargeResponseScope BeginScope()
    {
        if (Current.Value is { Disposed: false }) return LargeResponseScope.Nested;
        var scope = new LargeResponseScope();
        Current.Value = scope;
        return scope;
    }

    /// <summary>
    /// Until the returned scope is disposed, <paramref name="notify"/> hears (with a sentence saying why) whenever a
    /// response of the current flow has to wait for the gate or the byte budget, so a caller can tell its user.
    /// </summary>
    public static IDisposable OnWaiting(Action<string> notify)
    {
        var previous = Notify.Value;
        Notify.Value = notify;
        return new Restore(() => Notify.Value = previous);
    }

    /// <summary>
    /// Starts reading one response body in the current scope, first giving back what the scope's earlier reads
    /// claimed (so that it never waits while holding memory). Disposing the read keeps its claims in the scope.
    /// </summary>
    internal static BodyRead StartRead(ByteBudget budget, string caller)
    {
        var scope = CurrentScope();
        scope.ReleaseFinishedReads();
        return new BodyRead(scope, budget, caller);
    }

    /// <summary>Takes the gate for <paramref name="scope"/>, once: reads of the same scope share it, even at the same time.</summary>
    internal static Task EnterAsync(LargeResponseScope scope, CancellationToken ct)
    {
        lock (scope) return scope.Entry ??= TakeAsync(scope, ct);
    }

    private static LargeResponseScope CurrentScope() =>
        Current.Value ?? throw new InvalidOperationException("a response was read outside a scope");

    private static async Task TakeAsync(LargeResponseScope scope, CancellationToken ct)
    {
        if (!Gate.Wait(0))
        {
            Tell("waiting for another large answer (over 1 MB) to be read first: the server reads one at a time");
            await WaitingAsync(scope, ct, async c =>
            {
                await Gate.WaitAsync(c).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }
        lock (scope)
        {
            if (scope.Disposed) Gate.Release(); // the work ended while it waited
            else scope.TookGate = true;
        }
    }

    /// <summary>Runs <paramref name="wait"/>, noting in the scope when it was cut short (then time ran out here, not at the API).</summary>
    internal static async Task<T> WaitingAsync<T>(LargeResponseScope scope, CancellationToken ct, Func<CancellationToken, ValueTask<T>> wait)
    {
        try
        {
            return await wait(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            scope.CutWhileWaiting = true;
            throw;
        }
    }

    /// <summary>True when a read of the current scope was cut short while it waited for the gate or the byte budget.</summary>
    internal static bool CurrentWasCutWhileWaiting => Current.Value?.CutWhileWaiting == true;

    internal static void Tell(string why)
    {
        try
        {
            Notify.Value?.Invoke(why);
        }
        catch (Exception)
        {
            // Telling is best effort; the wait goes on.
        }
    }

    internal static void Release() => Gate.Release();

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}

/// <summary>One unit of work that may read responses; see <see cref="LargeResponseGate.BeginScope"/>.</summary>
public sealed class LargeResponseScope : IDisposable
{
    /// <summary>What a nested scope gets: the outer one holds the gate.</summary>
    internal static readonly LargeResponseScope Nested = new() { Disposed = true };

    private readonly List<ByteLease> _leases = [];

    internal LargeResponseScope()
    {
    }

    internal Task? Entry { get; set; }

    /// <summary>A read of this scope was cut short while waiting for the gate or the byte budget (a timeout then is no fault of the API).</summary>
    internal bool CutWhileWaiting { get; set; }

    /// <summary>True once a large response was read in this scope (its memory is worth reclaiming at the end).</summary>
    public bool TookGate { get; internal set; }

    internal bool Disposed { get; private set; }

    /// <summary>Keeps what a finished read claimed until the scope's next read starts or the scope ends.</summary>
    internal void Hold(IEnumerable<ByteLease> leases)
    {
        lock (this)
        {
            foreach (var lease in leases)
                if (Disposed) lease.Dispose();
                else _leases.Add(lease);
        }
    }

    internal void ReleaseFinishedReads()
    {
        lock (this)
        {
            foreach (var lease in _leases) lease.Dispose();
            _leases.Clear();
        }
    }

    public void Dispose()
    {
        lock (this)
        {
            if (Disposed) return;
            Disposed = true;
            if (TookGate) LargeResponseGate.Release();
            foreach (var lease in _leases) lease.Dispose();
            _leases.Clear();
        }
    }
}

/// <summary>
/// One response body being read (<see cref="LargeResponseGate.StartRead"/>): it claims its bytes before reading them,
/// in the ways that cannot deadlock; disposing it leaves its claims with its scope.
/// </summary>
internal sealed class BodyRead(LargeResponseScope scope, ByteBudget budget, string caller) : IDisposable
{
    private readonly List<ByteLease> _leases = [];

    /// <summary>Bytes claimed so far.</summary>
    public long Claimed { get; private set; }

    /// <summary>The first claim, before any byte is read: waits its turn (holding nothing), unless this scope holds the gate.</summary>
    public async Task ClaimAsync(long bytes, CancellationToken ct)
    {
        if (scope.TookGate)
        {
            Add(budget.Force(bytes));
            return;
        }
        Add(await LargeResponseGate.WaitingAsync(scope, ct, c => budget.ClaimAsync(bytes, caller, c,
            () => LargeResponseGate.Tell($"waiting for memory: the server is reading other large answers ({budget.InUse / 1024.0 / 1024:0.#} MB of {budget.Capacity / 1024 / 1024} MB in flight)"))).ConfigureAwait(false));
    }

    /// <summary>
    /// Takes the gate first, then claims <paramref name="bytes"/> at once: for a body known to be large, and for one
    /// that grows past what it claimed when more does not fit now.
    /// </summary>
    public async Task ClaimThroughGateAsync(long bytes, CancellationToken ct)
    {
        await LargeResponseGate.EnterAsync(scope, ct).ConfigureAwait(false);
        Add(budget.Force(bytes));
    }

    /// <summary>
    /// Claims <paramref name="bytes"/> more for a body that turned out longer than claimed: at once if they fit, else
    /// through the gate (at once too when this scope already holds it).
    /// </summary>
    public Task GrowAsync(long bytes, CancellationToken ct)
    {
        if (budget.TryClaim(bytes) is { } lease)
        {
            Add(lease);
            return Task.CompletedTask;
        }
        return ClaimThroughGateAsync(bytes, ct);
    }

    /// <summary>Takes the gate (a body that has grown past <see cref="LargeResponseGate.LargeResponseBytes"/>).</summary>
    public Task EnterGateAsync(CancellationToken ct) => LargeResponseGate.EnterAsync(scope, ct);

    /// <summary>The body is read: gives back what was claimed over its <paramref name="length"/>.</summary>
    public void Finish(long length)
    {
        long over = Claimed - length;
        for (int i = _leases.Count - 1; i >= 0 && over > 0; i--)
        {
            long bytes = _leases[i].Bytes, kept = Math.Max(0, bytes - over);
            _leases[i].KeepOnly(kept);
            over -= bytes - kept;
        }
        Claimed = length;
    }

    public void Dispose() => scope.Hold(_leases);

    private void Add(ByteLease lease)
    {
        _leases.Add(lease);
        Claimed += lease.Bytes;
    }
}
