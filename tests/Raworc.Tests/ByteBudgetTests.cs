using Raworc.Client;

namespace Raworc.Tests;

/// <summary>The process's budget of bytes in flight: what fits is granted at once, the rest waits its turn among callers, and a wait can be given up.</summary>
public sealed class ByteBudgetTests
{
    [Fact]
    public async Task What_fits_is_granted_at_once_and_given_back_on_dispose()
    {
        var budget = new ByteBudget(100);
        using (var lease = await budget.ClaimAsync(60, "a", CancellationToken.None))
        {
            Assert.Equal(60, budget.InUse);
            lease.Dispose(); // twice is once
        }
        Assert.Equal(0, budget.InUse);
        using var all = await budget.ClaimAsync(1_000, "a", CancellationToken.None); // more than the whole budget claims all of it
        Assert.Equal(100, budget.InUse);
    }

    [Fact]
    public async Task Turns_go_round_the_callers_so_one_burst_does_not_queue_ahead_of_everyone()
    {
        var budget = new ByteBudget(10);
        var holder = await budget.ClaimAsync(10, "holder", CancellationToken.None);
        var order = new List<string>();
        var claims = new List<Task>();
        void Claim(string caller) => claims.Add(budget.ClaimAsync(10, caller, CancellationToken.None).AsTask().ContinueWith(t =>
        {
            lock (order) order.Add(caller);
            t.Result.Dispose();
        }, TaskScheduler.Default));

        // One greedy caller queues five claims, then a patient one queues one.
        for (int i = 0; i < 5; i++) Claim("greedy");
        Claim("patient");
        Assert.Equal(6, budget.Waiting);

        holder.Dispose();
        await Task.WhenAll(claims);
        Assert.Equal(["greedy", "patient", "greedy", "greedy", "greedy", "greedy"], order);
        Assert.Equal(0, budget.InUse);
    }

    [Fact]
    public async Task A_claim_whose_wait_is_given_up_claims_nothing_and_holds_nobody_back()
    {
        var budget = new ByteBudget(10);
        var holder = await budget.ClaimAsync(8, "a", CancellationToken.None);
        using var giveUp = new CancellationTokenSource();
        bool told = false;
        var large = budget.ClaimAsync(10, "b", giveUp.Token, () => told = true).AsTask();
        var small = budget.ClaimAsync(2, "c", CancellationToken.None).AsTask();
        Assert.True(told);
        Assert.False(small.IsCompleted); // behind the large claim, which is not skipped

        giveUp.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => large);
        using var granted = await small; // the head of the queue went, so the next fits
        Assert.Equal(10, budget.InUse);
        holder.Dispose();
        Assert.Equal(2, budget.InUse);
        Assert.Equal(0, budget.Waiting);
    }

    [Fact]
    public async Task A_growing_read_takes_more_only_if_it_fits_now_ahead_of_the_queue()
    {
        var budget = new ByteBudget(10);
        using var held = await budget.ClaimAsync(6, "a", CancellationToken.None);
        var queued = budget.ClaimAsync(6, "b", CancellationToken.None).AsTask();

        Assert.Null(budget.TryClaim(5)); // does not fit: no lease, nothing taken, nobody waits
        Assert.Equal(1, budget.Waiting);
        using var grown = budget.TryClaim(4); // fits: taken at once, though a claim waits
        Assert.NotNull(grown);
        Assert.Equal(10, budget.InUse);
        Assert.False(queued.IsCompleted);
    }

    [Fact]
    public async Task A_forced_claim_overdraws_and_nothing_more_is_granted_until_it_is_given_back()
    {
        var budget = new ByteBudget(10);
        using var held = await budget.ClaimAsync(8, "a", CancellationToken.None);
        var forced = budget.Force(7);
        Assert.Equal(15, budget.InUse);
        Assert.Null(budget.TryClaim(1));
        var next = budget.ClaimAsync(2, "b", CancellationToken.None).AsTask();
        Assert.False(next.IsCompleted);

        forced.Dispose();
        using var granted = await next;
        Assert.Equal(10, budget.InUse);
    }

    [Fact]
    public async Task A_lease_gives_back_what_it_holds_over_what_was_used_and_the_rest_on_dispose()
    {
        var budget = new ByteBudget(100);
        var lease = await budget.ClaimAsync(64, "a", CancellationToken.None);
        var waiting = budget.ClaimAsync(60, "b", CancellationToken.None).AsTask();

        lease.KeepOnly(30);
        Assert.Equal(30, lease.Bytes);
        using var granted = await waiting; // what was given back let the next claim through
        lease.KeepOnly(50); // never takes more
        Assert.Equal(30, lease.Bytes);
        lease.Dispose();
        lease.KeepOnly(10); // after dispose: nothing held, nothing given twice
        Assert.Equal(60, budget.InUse);
    }
}
