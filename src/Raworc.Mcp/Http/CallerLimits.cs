using System.Globalization;
using Microsoft.AspNetCore.Http;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp.Http;

/// <summary>
/// How much one caller (<see cref="CallerCredentials.CallerKey"/>) may hold at once: requests in flight, and among them waits, which
/// run for up to a minute each. Past a limit a request gets 429 with <c>Retry-After</c>, and a wait a tool error
/// naming the limit: one caller cannot take the connections, threads and API capacity everyone shares.
/// </summary>
internal sealed class CallerLimits(int requests, int waits, Func<HttpContext, string> callerKey) : IWaitAdmission
{
    /// <summary>What one caller holds now; a caller holding nothing has no entry, so the table stays as small as the load.</summary>
    private sealed class Held
    {
        public int Requests;
        public int Waits;
    }

    private readonly Dictionary<string, Held> _callers = new(StringComparer.Ordinal);

    /// <summary>The caller of the request running on this asynchronous flow; the wait tools run on it.</summary>
    private static readonly AsyncLocal<string?> Current = new();

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        string caller = callerKey(context);
        if (!TryTake(caller, wait: false))
        {
            context.Response.Headers.RetryAfter = "1";
            await HttpResponses.WriteAsync(context, StatusCodes.Status429TooManyRequests, "too_many_requests",
                $"this caller already has {requests.ToString(CultureInfo.InvariantCulture)} requests in flight, the most allowed at once; retry when one has finished").ConfigureAwait(false);
            return;
        }
        Current.Value = caller;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Current.Value = null;
            Release(caller, wait: false);
        }
    }

    public IDisposable? TryEnter(out string refusal)
    {
        refusal = "";
        if (Current.Value is not { } caller) return Slot.None; // not an HTTP request of a known caller
        if (TryTake(caller, wait: true)) return new Slot(this, caller);
        refusal = $"This caller already has {waits.ToString(CultureInfo.InvariantCulture)} waits running (wait_for_build, wait_for_session, " +
            "send_message with wait_for_reply), the most this server allows at once. Let one finish or cancel it, then call again; " +
            "get_build, get_session and get_messages read the current state without waiting.";
        return null;
    }

    /// <summary>Requests and waits in flight for a caller (tests).</summary>
    internal (int Requests, int Waits) HeldBy(string caller)
    {
        lock (_callers) return _callers.TryGetValue(caller, out var held) ? (held.Requests, held.Waits) : (0, 0);
    }

    private bool TryTake(string caller, bool wait)
    {
        lock (_callers)
        {
            if (!_callers.TryGetValue(caller, out var held)) _callers[caller] = held = new Held();
            if (wait ? held.Waits >= waits : held.Requests >= requests) return false;
            if (wait) held.Waits++;
            else held.Requests++;
            return true;
        }
    }

    private void Release(string caller, bool wait)
    {
        lock (_callers)
        {
            var held = _callers[caller];
            if (wait) held.Waits--;
            else held.Requests--;
            if (held.Requests == 0 && held.Waits == 0) _callers.Remove(caller);
        }
    }

    private sealed class Slot(CallerLimits? owner, string caller) : IDisposable
    {
        public static readonly Slot None = new(null, "");

        private int _released;

        public void Dispose()
        {
            if (owner is not null && Interlocked.Exchange(ref _released, 1) == 0) owner.Release(caller, wait: true);
        }
    }
}
