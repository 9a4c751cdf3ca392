namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// Codes and refresh tokens this replica has already redeemed, kept until they expire, so that each is redeemed once
/// here. Another replica does not know them: across replicas a code stays bound to its PKCE verifier and its minute,
/// and a refresh token to its client and its Raworc token's expiry (the README's threat model says so).
/// </summary>
internal sealed class UsedOnce(TimeProvider clock)
{
    /// <summary>A bound on memory: beyond it, expired entries are dropped first, then the soonest to expire.</summary>
    public const int MaxEntries = 200_000;

    private readonly Dictionary<string, long> _used = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>True the first time <paramref name="digest"/> is seen (until <paramref name="expires"/>, Unix seconds).</summary>
    public bool TryUse(string digest, long expires)
    {
        long now = clock.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            if (_used.TryGetValue(digest, out long until) && until >= now) return false;
            if (_used.Count >= MaxEntries) Prune(now);
            _used[digest] = expires;
            return true;
        }
    }

    private void Prune(long now)
    {
        foreach (var (key, until) in _used.Where(e => e.Value < now).ToList()) _used.Remove(key);
        if (_used.Count < MaxEntries) return;
        foreach (var (key, _) in _used.OrderBy(e => e.Value).Take(_used.Count - MaxEntries + MaxEntries / 10).ToList()) _used.Remove(key);
    }
}
