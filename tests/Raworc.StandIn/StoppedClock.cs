namespace Raworc.StandIn;

/// <summary>
/// A clock that stands still, for tests of the worst case: every timestamp falls in one second, so with
/// <see cref="MessageTieOrder.NewestFirst"/> every listing of messages is as far from the order of posting as it can
/// be. A delay of zero elapses at the next request; any longer one never does.
/// </summary>
public sealed class StoppedClock(DateTimeOffset at) : TimeProvider
{
    /// <summary>Stopped half way through the current second: the tokens the stand-in mints are then valid by any real clock.</summary>
    public StoppedClock() : this(HalfWayThroughThisSecond()) { }

    private static DateTimeOffset HalfWayThroughThisSecond()
    {
        var now = DateTimeOffset.UtcNow;
        return new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond + TimeSpan.TicksPerSecond / 2, TimeSpan.Zero);
    }

    public override DateTimeOffset GetUtcNow() => at;
}
