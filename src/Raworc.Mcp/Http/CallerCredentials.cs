using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Raworc.Client;

namespace Raworc.Mcp.Http;

/// <summary>
/// Binds each MCP request to its caller's Raworc token (<c>Authorization: Bearer</c>) for the request's API calls,
/// and answers 401 before the body is read when there is none, when it cannot be a Raworc token
/// (<see cref="BearerToken"/>), or when Raworc rejected it moments ago (<see cref="RecentTokens"/>): such requests
/// cost no more than their headers and never reach the API. Without a bearer, the server's own credentials serve
/// only with <c>--shared-credentials</c>. Raworc's signature cannot be checked here, so a caller could make up a
/// new well-formed token for every request: tokens Raworc has not accepted yet are let through at
/// <see cref="NewTokensPerSecond"/> per client address (429 beyond), so made-up tokens reach Raworc a bounded
/// number of times.
/// </summary>
internal sealed class CallerCredentials
{
    private static readonly object ParsedKey = new();

    /// <summary>New tokens (not seen lately, not accepted by Raworc yet) let through per second from one client address; bursts of twice that.</summary>
    public const int NewTokensPerSecond = 5;

    private readonly PartitionedRateLimiter<string> _newTokens = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = 2 * NewTokensPerSecond,
            TokensPerPeriod = NewTokensPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    private readonly RaworcClient _api;
    private readonly bool _sharedCredentials;
    private readonly TimeProvider _clock;

    public CallerCredentials(RaworcClient api, bool sharedCredentials, TimeProvider clock)
    {
        _api = api;
        _sharedCredentials = sharedCredentials;
        _clock = clock;
        Recent = new RecentTokens(clock);
        api.CallerTokenChecked += Recent.Record;
    }

    /// <summary>Raworc's recent verdicts on callers' tokens.</summary>
    public RecentTokens Recent { get; }

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers.Authorization.Count == 0 && _sharedCredentials)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (Token(context) is not { } token)
        {
            var (error, message) = Problem(context);
            await HttpResponses.UnauthorizedAsync(context, error, message).ConfigureAwait(false);
            return;
        }
        if (Recent.WasRejected(token.Key))
        {
            await HttpResponses.UnauthorizedAsync(context, "invalid_token",
                $"Raworc rejected this token within the last {RecentTokens.RejectedFor.TotalSeconds:0} s (invalid or expired); log in again for a fresh one").ConfigureAwait(false);
            return;
        }
        if (Recent.IsNew(token.Key))
        {
            using var lease = _newTokens.AttemptAcquire("a:" + context.Connection.RemoteIpAddress);
            if (!lease.IsAcquired)
            {
                context.Response.Headers.RetryAfter = "1";
                await HttpResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"more than {NewTokensPerSecond} new tokens per second from this address; retry after 1 s").ConfigureAwait(false);
                return;
            }
        }
        using (_api.ActAs(token.Value))
            await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// Who a request counts as for every per-caller limit: the Raworc token it acts with (with sign-in, the one inside
    /// its access token, bound before the limits run), else its bearer parsed, so that neither the scheme's case nor
    /// spacing makes a new caller; the client address for a request without a token that could be a Raworc token.
    /// </summary>
    public string CallerKey(HttpContext context) =>
        _api.CallerKey is { } acting ? "t:" + acting
        : Token(context) is { } token ? "t:" + token.Key
        : "a:" + context.Connection.RemoteIpAddress;

    /// <summary>The request's bearer token, parsed once per request; null when it has none that could be a Raworc token.</summary>
    public BearerToken? Token(HttpContext context) => Parsed(context).Token;

    private (string? Error, string Message) Problem(HttpContext context) => Parsed(context).Problem;

    private (BearerToken? Token, (string? Error, string Message) Problem) Parsed(HttpContext context)
    {
        if (context.Items.TryGetValue(ParsedKey, out var parsed)) return ((BearerToken?, (string?, string)))parsed!;
        var token = BearerToken.Parse(context.Request.Headers.Authorization, _clock.GetUtcNow(), out var problem);
        context.Items[ParsedKey] = (token, problem);
        return (token, problem);
    }
}
