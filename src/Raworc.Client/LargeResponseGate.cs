namespace Raworc.Client;

/// <summary>
/// Lets one large response at a time through the process: reading, parsing and whatever the caller does with it
/// until its scope ends. Each costs a few times its size in memory, so many at once (one user's burst, or many users
/// in one process) would add up; small responses, the usual case, never wait. A call waiting here is still bounded
/// by its timeout.
/// </summary>
public static class LargeResponseGate
{
    /// <summary>A body over this many bytes takes the gate before it is read on.</summary>
    public const int LargeResponseBytes = 1024 * 1024;

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly AsyncLocal<LargeResponseScope?> Current = new();

    /// <summary>
    /// Starts a scope for one unit of work (a tool call, a resource read): the gate, once taken by a response read in
    /// it, is held until the scope is disposed, so that formatting the response is covered too. Scopes do not nest:
    /// inside one, this returns a scope that holds nothing.
    /// </summary>
    public static LargeResponseScope BeginScope()
    {
        if (Current.Value is { Disposed: false }) return LargeResponseScope.Nested;
        var scope = new LargeResponseScope();
        Current.Value = scope;
        return scope;
    }

    /// <summary>Takes the gate for the current scope, once: reads of the same scope share it, even at the same time.</summary>
    internal static Task EnterAsync(CancellationToken ct)
    {
        var scope = Current.Value ?? throw new InvalidOperationException("a large response was read outside a scope");
        lock (scope) return scope.Entry ??= TakeAsync(scope, ct);
    }

    private static async Task TakeAsync(LargeResponseScope scope, CancellationToken ct)
    {
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        lock (scope)
        {
            if (scope.Disposed) Gate.Release(); // the work ended while it waited
            else scope.TookGate = true;
        }
    }

    internal static void Release() => Gate.Release();
}

/// <summary>One unit of work that may read a large response; see <see cref="LargeResponseGate.BeginScope"/>.</summary>
public sealed class LargeResponseScope : IDisposable
{
    /// <summary>What a nested scope gets: the outer one holds the gate.</summary>
    internal static readonly LargeResponseScope Nested = new() { Disposed = true };

    internal LargeResponseScope()
    {
    }

    internal Task? Entry { get; set; }

    /// <summary>True once a large response was read in this scope (its memory is worth reclaiming at the end).</summary>
    public bool TookGate { get; internal set; }

    internal bool Disposed { get; private set; }

    public void Dispose()
    {
        lock (this)
        {
            if (Disposed) return;
            Disposed = true;
            if (TookGate) LargeResponseGate.Release();
        }
    }
}
