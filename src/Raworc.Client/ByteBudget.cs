namespace Raworc.Client;

/// <summary>
/// A budget of bytes in flight for the whole process: request bodies being read and served, API response bodies
/// being read and parsed. Each costs memory in proportion to its size, so a burst of them (one user's, or many
/// users' in a shared server) must not add up past what the process can hold. A claim that does not fit waits its
/// turn; turns go round the callers (one claim of each caller with claims waiting, then the next), so one caller's
/// burst cannot make another caller wait behind all of it. A claim never waits longer than its caller allows: the
/// caller then answers with a clear, retryable error.
/// </summary>
public sealed class ByteBudget
{
    /// <summary>
    /// The process's budget of response bytes. A response costs several times its size while it is parsed, formatted
    /// and cut (about 6x for a page of messages), so 8 MB in flight stays near 50 MB of heap, well within a 256 MiB pod
    /// (the abuse run measures it).
    /// </summary>
    public const long DefaultCapacity = 8 * 1024 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedList<Claim>> _waiting = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _turns = new();
    private long _available;

    public ByteBudget(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _available = capacity;
    }

    /// <summary>The budget every request and response of this process shares.</summary>
    public static ByteBudget Process { get; } = new(DefaultCapacity);

    public long Capacity { get; }

    /// <summary>Bytes claimed and not yet released.</summary>
    public long InUse
    {
        get { lock (_gate) return Capacity - _available; }
    }

    /// <summary>Claims waiting for their turn.</summary>
    public int Waiting
    {
        get { lock (_gate) return _waiting.Values.Sum(q => q.Count); }
    }

    /// <summary>
    /// Claims <paramref name="bytes"/> (at most the whole budget) for <paramref name="caller"/>; the lease gives them
    /// back. Completes at once when they fit and nobody waits; else when its turn comes.
    /// </summary>
    /// <param name="waiting">Called once, before waiting, when the claim cannot be granted at once.</param>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> ended the wait; nothing is claimed.</exception>
    public ValueTask<ByteLease> ClaimAsync(long bytes, string caller, CancellationToken ct, Action? waiting = null)
    {
        bytes = Math.Clamp(bytes, 0, Capacity);
        Claim claim;
        lock (_gate)
        {
            if (_turns.Count == 0 && bytes <= _available)
            {
                _available -= bytes;
                return ValueTask.FromResult(new ByteLease(this, bytes));
            }
            claim = new Claim(bytes, caller);
            if (!_waiting.TryGetValue(caller, out var queue))
            {
                _waiting[caller] = queue = new LinkedList<Claim>();
                _turns.AddLast(caller);
            }
            claim.Node = queue.AddLast(claim);
        }
        waiting?.Invoke();
        return WaitAsync(claim, ct);
    }

    /// <summary>
    /// Claims <paramref name="bytes"/> only if they fit now, without waiting and ahead of any queue: for a read that is
    /// already under way and grows, which must never wait while it holds memory (see <see cref="LargeResponseGate"/>).
    /// </summary>
    public ByteLease? TryClaim(long bytes)
    {
        bytes = Math.Max(bytes, 0);
        lock (_gate)
        {
            if (bytes > _available) return null;
            _available -= bytes;
            return new ByteLease(this, bytes);
        }
    }

    /// <summary>
    /// Claims <paramref name="bytes"/> at once even past the budget, which then grants nothing more until enough is
    /// given back. Only for the one read that holds the large-response gate: waiting there could wait on reads that
    /// wait for the gate, so it never waits, and being one at a time it overdraws by at most one response.
    /// </summary>
    public ByteLease Force(long bytes)
    {
        bytes = Math.Max(bytes, 0);
        lock (_gate) _available -= bytes;
        return new ByteLease(this, bytes);
    }

    private async ValueTask<ByteLease> WaitAsync(Claim claim, CancellationToken ct)
    {
        await using (ct.Register(() => Withdraw(claim)).ConfigureAwait(false))
            return await claim.Granted.Task.ConfigureAwait(false);
    }

    private void Withdraw(Claim claim)
    {
        lock (_gate)
        {
            if (claim.Granted.Task.IsCompleted) return; // granted first: the lease's owner releases it
            Remove(claim);
            GrantInTurn(); // the claim at the head may have held others back
        }
        claim.Granted.TrySetCanceled();
    }

    internal void Release(long bytes)
    {
        lock (_gate)
        {
            _available += bytes;
            GrantInTurn();
        }
    }

    /// <summary>Grants waiting claims, one per caller in turn, while the next in turn fits (never skipping it, so large claims are not starved).</summary>
    private void GrantInTurn()
    {
        while (_turns.First is { } turn)
        {
            var claim = _waiting[turn.Value].First!.Value;
            if (claim.Bytes > _available) return;
            _available -= claim.Bytes;
            Remove(claim);
            if (_waiting.ContainsKey(claim.Caller))
            {
                _turns.Remove(claim.Caller);
                _turns.AddLast(claim.Caller); // the others go first next time
            }
            claim.Granted.TrySetResult(new ByteLease(this, claim.Bytes));
        }
    }

    private void Remove(Claim claim)
    {
        var queue = _waiting[claim.Caller];
        queue.Remove(claim.Node!);
        if (queue.Count > 0) return;
        _waiting.Remove(claim.Caller);
        _turns.Remove(claim.Caller);
    }

    private sealed class Claim(long bytes, string caller)
    {
        public long Bytes { get; } = bytes;

        public string Caller { get; } = caller;

        public LinkedListNode<Claim>? Node { get; set; }

        public TaskCompletionSource<ByteLease> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>Bytes claimed from a <see cref="ByteBudget"/>, given back once when disposed.</summary>
public sealed class ByteLease : IDisposable
{
    private readonly ByteBudget _budget;
    private long _bytes;

    internal ByteLease(ByteBudget budget, long bytes)
    {
        _budget = budget;
        _bytes = bytes;
    }

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Gives back what is held over <paramref name="bytes"/> (a reservation larger than what was read).</summary>
    public void KeepOnly(long bytes)
    {
        while (true)
        {
            long held = Interlocked.Read(ref _bytes);
            long keep = Math.Min(held, Math.Max(bytes, 0));
            if (keep == held) return;
            if (Interlocked.CompareExchange(ref _bytes, keep, held) != held) continue; // disposed or trimmed meanwhile
            _budget.Release(held - keep);
            return;
        }
    }

    public void Dispose()
    {
        long bytes = Interlocked.Exchange(ref _bytes, 0);
        if (bytes > 0) _budget.Release(bytes);
    }
}
