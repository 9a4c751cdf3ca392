using System.Threading.RateLimiting;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// How many failed sign-ins are allowed, per account name and per client address, in a window: enough for typing
/// mistakes, too few to guess a password. Only failures count, so signing in never uses up anyone's allowance. Counted
/// per replica (in memory), so behind N replicas an attacker gets at most N times as many; behind a load balancer
/// the address is the balancer's, so the address limit is high enough to serve as a shared ceiling.
/// </summary>
internal sealed class SignInAttempts : IDisposable
{
    public const int PerAccount = 10;
    public const int PerAddress = 100;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = key.StartsWith("a:", StringComparison.Ordinal) ? PerAccount : PerAddress,
            Window = Window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>True when this account or this address has used up its failures: do not even ask Raworc.</summary>
    public bool Blocked(string account, string? address) =>
        _failures.GetStatistics(AccountKey(account))?.CurrentAvailablePermits == 0
        || _failures.GetStatistics(AddressKey(address))?.CurrentAvailablePermits == 0;

    /// <summary>Counts one failed sign-in against both.</summary>
    public void Failed(string account, string? address)
    {
        using var byAccount = _failures.AttemptAcquire(AccountKey(account));
        using var byAddress = _failures.AttemptAcquire(AddressKey(address));
    }

    // Account names are compared as Raworc would see them, case and surrounding spaces aside, so variants share a count.
    private static string AccountKey(string account) => "a:" + account.Trim().ToLowerInvariant();

    private static string AddressKey(string? address) => "i:" + (address ?? "unknown");

    public void Dispose() => _failures.Dispose();
}
