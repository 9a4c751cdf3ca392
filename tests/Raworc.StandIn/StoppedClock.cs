namespace Raworc.StandIn;

/// <summary>
/// A clock that stands still, for tests of the worst case: every timestamp falls in one second, so with
/// <see cref="MessageTieOrder.NewestFirst"/> every listing of messages is as far from the order of posting as it can
/// be. A delay of zero elapses at the next request; any longer one never does.
/// </summary>
public sealed class StoppedClock(DateTimeOffset at) : TimeProvider
{
    public StoppedClock() : this(new DateTimeOffset(2025, 8, 30, 18, 23, 10, 500, TimeSpan.Zero)) { }

    public override DateTimeOffset GetUtcNow() => at;
}
