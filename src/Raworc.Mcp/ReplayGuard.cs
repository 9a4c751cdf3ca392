namespace Raworc.Mcp;

/// <summary>
/// Remembers, in this process, which one-time sealed items (by their random 128-bit id) were already used, each until
/// it expires: after that its own expiry refuses it, so it need not be remembered. Sealing lets any replica open an
/// item, but only memory makes it single-use, and only within the replica that saw it.
/// </summary>
/// <remarks>
/// Bounded: at <see cref="Capacity"/> live entries a new one is refused (never forgotten early, which would reopen
/// a replay). An entry costs about 50 bytes, so the bound holds the set to a few megabytes.
/// </remarks>
internal sealed class ReplayGuard(TimeProvider clock, int capacity = ReplayGuard.DefaultCapacity)
{
    public const int DefaultCapacity = 65_536;

    private readonly object _gate = new();
    private readonly HashSet<UInt128> _used = [];
    private readonly PriorityQueue<UInt128, DateTimeOffset> _byExpiry = new();

    public int Capacity { get; } = capacity;

    /// <summary>How many ids are remembered now (expired ones are dropped on the next use).</summary>
    public int Count
    {
        get { lock (_gate) return _used.Count; }
    }

    /// <summary>Marks <paramref name="id"/> used until <paramref name="expires"/>; says whether this was its first use.</summary>
    public ReplayCheck TryUse(UInt128 id, DateTimeOffset expires)
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            while (_byExpiry.TryPeek(out var oldest, out var until) && until <= now)
            {
                _byExpiry.Dequeue();
                _used.Remove(oldest);
            }
            if (_used.Contains(id)) return ReplayCheck.AlreadyUsed;
            if (_used.Count >= Capacity) return ReplayCheck.Full;
            _used.Add(id);
            _byExpiry.Enqueue(id, expires);
            return ReplayCheck.FirstUse;
        }
    }
}

internal enum ReplayCheck
{
    FirstUse,
    AlreadyUsed,

    /// <summary>Too many live items to remember one more: refuse it rather than risk a replay.</summary>
    Full,
}
