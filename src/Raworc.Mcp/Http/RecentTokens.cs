namespace Raworc.Mcp.Http;

/// <summary>
/// What Raworc said of tokens lately, by digest (never the token): rejected ones are refused without asking Raworc
/// again for <see cref="RejectedFor"/>; a token seen for the first time that Raworc has not accepted yet is a new
/// token (<see cref="IsNew"/>), which callers may bring only at a bounded rate. Bounded in entries and age, so
/// callers with made-up tokens cannot make it grow: the oldest entries go first.
/// </summary>
internal sealed class RecentTokens(TimeProvider clock)
{
    /// <summary>How long a token Raworc rejected is refused without asking again.</summary>
    public static readonly TimeSpan RejectedFor = TimeSpan.FromSeconds(60);

    /// <summary>How long a token Raworc accepted keeps a rate limit of its own after its last accepted call.</summary>
    public static readonly TimeSpan AcceptedFor = TimeSpan.FromMinutes(10);

    /// <summary>Most digests remembered of each kind.</summary>
    public const int MaxEntries = 10_000;

    private readonly Digests _rejected = new(clock, RejectedFor);
    private readonly Digests _accepted = new(clock, AcceptedFor);
    private readonly Digests _seen = new(clock, RejectedFor);

    public bool WasRejected(string key) => _rejected.Contains(key);

    public bool WasAccepted(string key) => _accepted.Contains(key);

    /// <summary>True the first time a token is seen within <see cref="RejectedFor"/>, unless Raworc accepted it lately; remembers it.</summary>
    public bool IsNew(string key)
    {
        if (_accepted.Contains(key) || _seen.Contains(key)) return false;
        _seen.Add(key);
        return true;
    }

    /// <summary>Records Raworc's verdict on the token with digest <paramref name="key"/>.</summary>
    public void Record(string key, bool accepted)
    {
        if (accepted)
        {
            _rejected.Remove(key);
            _accepted.Add(key);
        }
        else
        {
            _accepted.Remove(key);
            _rejected.Add(key);
        }
    }

    public int RejectedCount => _rejected.Count;

    public int AcceptedCount => _accepted.Count;

    /// <summary>Digests, each until its lifetime is up, the oldest dropped first when full.</summary>
    private sealed class Digests(TimeProvider clock, TimeSpan lifetime)
    {
        private readonly Dictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);
        private readonly Queue<(string Key, DateTimeOffset Until)> _order = new();

        public int Count
        {
            get { lock (_until) return _until.Count; }
        }

        public bool Contains(string key)
        {
            lock (_until) return _until.TryGetValue(key, out var until) && until > clock.GetUtcNow();
        }

        public void Add(string key)
        {
            var now = clock.GetUtcNow();
            lock (_until)
            {
                _until[key] = now + lifetime;
                _order.Enqueue((key, now + lifetime));
                // Entries leave in the order they were written; one renewed since is kept under its newer time.
                while (_order.TryPeek(out var oldest) && (oldest.Until <= now || _until.Count > MaxEntries || _order.Count > 2 * MaxEntries))
                {
                    _order.Dequeue();
                    if (_until.TryGetValue(oldest.Key, out var until) && until == oldest.Until) _until.Remove(oldest.Key);
                }
            }
        }

        public void Remove(string key)
        {
            lock (_until) _until.Remove(key);
        }
    }
}
