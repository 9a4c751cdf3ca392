namespace Raworc.Client;

/// <summary>
/// Lets one large response at a time through the process, from reading it to the end of its scope (its parsing, and
/// the tool result cut from it when the server opens the scope around one tool call that reads one response). Each
/// costs a few times its size in memory, so many at once would add up; small responses, the usual case, never wait.
/// The bytes of every response, small or large, are also claimed from the process's <see cref="ByteBudget"/> for
/// the same scope. A scope is one unit of work, never a whole wait: a wait's polls are scopes of their own, so one
/// user's wait cannot hold the gate while it sleeps. A call waiting here is still bounded by its timeout, and is told
/// it waits (<see cref="OnWaiting"/>).
/// </summary>
public static class LargeResponseGate
{
    /// <summary>A body over this many bytes takes the gate before it is read on.</summary>
    public const int LargeResponseBytes = 1024 * 1024;

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

    /// <summary>Takes the gate for the current scope, once: reads of the same scope share it, even at the same time.</summary>
    internal static Task EnterAsync(CancellationToken ct)
    {
        var scope = CurrentScope();
        lock (scope) return scope.Entry ??= TakeAsync(scope, ct);
    }

    /// <summary>Claims <paramref name="bytes"/> of <paramref name="budget"/> for the current scope, until it ends.</summary>
    internal static async Task ClaimAsync(ByteBudget budget, long bytes, string caller, CancellationToken ct)
    {
        var scope = CurrentScope();
        var lease = await WaitingAsync(scope, ct, c => budget.ClaimAsync(bytes, caller, c,
            () => Tell($"waiting for memory: the server is reading other large answers ({budget.InUse / 1024.0 / 1024:0.#} MB of {budget.Capacity / 1024 / 1024} MB in flight)"))).ConfigureAwait(false);
        scope.Hold(lease);
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
    private static async Task<T> WaitingAsync<T>(LargeResponseScope scope, CancellationToken ct, Func<CancellationToken, ValueTask<T>> wait)
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

    private static void Tell(string why)
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

    internal void Hold(ByteLease lease)
    {
        lock (this)
        {
            if (Disposed) lease.Dispose();
            else _leases.Add(lease);
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
