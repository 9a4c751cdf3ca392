using Raworc.Mcp;

namespace Raworc.Tests;

public sealed class ReplayGuardTests
{
    private static readonly TimeSpan Life = TimeSpan.FromMinutes(2);

    [Fact]
    public void An_id_is_used_once_until_it_expires()
    {
        var clock = new SteppingClock { AutoAdvance = false };
        var guard = new ReplayGuard(clock);
        var expires = clock.GetUtcNow() + Life;

        Assert.Equal(ReplayCheck.FirstUse, guard.TryUse(1, expires));
        Assert.Equal(ReplayCheck.AlreadyUsed, guard.TryUse(1, expires));
        Assert.Equal(ReplayCheck.FirstUse, guard.TryUse(2, expires));
        clock.Advance(Life - TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReplayCheck.AlreadyUsed, guard.TryUse(1, expires));

        // Once expired, the item's own expiry refuses it: the guard forgets it and keeps only what is live.
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(ReplayCheck.FirstUse, guard.TryUse(3, clock.GetUtcNow() + Life));
        Assert.Equal(1, guard.Count);
    }

    [Fact]
    public void When_full_it_refuses_new_ids_rather_than_forget_live_ones()
    {
        var clock = new SteppingClock { AutoAdvance = false };
        var guard = new ReplayGuard(clock, capacity: 3);
        var now = clock.GetUtcNow();
        guard.TryUse(1, now + TimeSpan.FromSeconds(10));
        guard.TryUse(2, now + TimeSpan.FromSeconds(30));
        guard.TryUse(3, now + TimeSpan.FromSeconds(20));

        Assert.Equal(ReplayCheck.Full, guard.TryUse(4, now + Life));
        Assert.Equal(ReplayCheck.AlreadyUsed, guard.TryUse(2, now + Life));

        // The soonest to expire (1, then 3) make room first, whatever order they came in.
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(ReplayCheck.FirstUse, guard.TryUse(4, clock.GetUtcNow() + Life));
        Assert.Equal(ReplayCheck.FirstUse, guard.TryUse(5, clock.GetUtcNow() + Life));
        Assert.Equal(ReplayCheck.Full, guard.TryUse(6, clock.GetUtcNow() + Life));
        Assert.Equal(ReplayCheck.AlreadyUsed, guard.TryUse(2, now + Life));
    }

    [Fact]
    public async Task Concurrent_uses_of_one_id_let_exactly_one_through()
    {
        var guard = new ReplayGuard(TimeProvider.System);
        var expires = DateTimeOffset.UtcNow + Life;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => guard.TryUse(42, expires))));

        Assert.Equal(1, outcomes.Count(o => o == ReplayCheck.FirstUse));
        Assert.Equal(63, outcomes.Count(o => o == ReplayCheck.AlreadyUsed));
    }
}
