using System.Threading.RateLimiting;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// How many sign-ins may be tried, per account name and per client address, in a window: enough for typing mistakes,
/// too few to guess a password. Counted per replica (in memory), so behind N replicas an attacker gets at most N
/// times as many; Raworc's own limits, if any, still apply behind it.
/// </summary>
internal sealed class SignInAttempts : IDisposable
{
    public const int PerAccount = 10;
    public const int PerAddress = 30;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = key.StartsWith("a:", StringComparison.Ordinal) ? PerAccount : PerAddress,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Counts one attempt for this account and address; false (and counts nothing more) when either is at its limit.</summary>
    public bool TryAttempt(string account, string? address)
    {
        // Account names are compared as Raworc would see them, case and surrounding spaces aside, so variants share a count.
        using var byAddress = _limiter.AttemptAcquire("i:" + (address ?? "unknown"));
        if (!byAddress.IsAcquired) return false;
        using var byAccount = _limiter.AttemptAcquire("a:" + account.Trim().ToLowerInvariant());
        return byAccount.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
