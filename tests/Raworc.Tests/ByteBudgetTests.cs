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
}
