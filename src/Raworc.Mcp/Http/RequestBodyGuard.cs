using Microsoft.AspNetCore.Http;
using ModelContextProtocol;
using Raworc.Client;

namespace Raworc.Mcp.Http;

/// <summary>
/// Reads a request's body before the MCP layer does, so that no body can make the process hold memory in proportion
/// to what an unauthenticated caller sends: the body is refused (413) when it is larger than the largest legal call
/// (<see cref="JsonLimits"/>), or, while its bytes arrive, once it nests too deep or holds more values than any call
/// needs; its bytes are claimed from the process's budget of request bytes (<see cref="DefaultBudgetBytes"/>, apart
/// from the responses' <see cref="ByteBudget.Process"/>, so that requests waiting for their answers can never hold
/// back the answers) for as long as the request is served, waiting their turn among callers, and refused with 503 and <c>Retry-After</c> when the turn does not come within
/// <see cref="MaxBudgetWait"/>. A string that is not Unicode text is answered with JSON-RPC's -32602.
/// </summary>
internal sealed class RequestBodyGuard(JsonLimits limits, ByteBudget budget, Func<HttpContext, string> callerKey)
{
    /// <summary>Bytes of request bodies the process holds at once: many times the largest call, a fraction of a pod's memory.</summary>
    public const long DefaultBudgetBytes = 16 * 1024 * 1024;

    /// <summary>How long a body may wait for its bytes before it is refused as "busy".</summary>
    public static readonly TimeSpan MaxBudgetWait = TimeSpan.FromSeconds(10);

    private const int FirstBufferBytes = 16 * 1024;

    public JsonLimits Limits => limits;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        long? declared = context.Request.ContentLength;
        if (declared > limits.MaxBytes)
        {
            await TooLargeAsync(context, $"the request body is {declared:N0} bytes; the limit is {limits.MaxBytes:N0} bytes (the largest call this server takes)").ConfigureAwait(false);
            return;
        }
        // This guard enforces the limit itself, and reads on (discarding) past it so that the client hears the 413.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = null;

        var leases = new List<ByteLease>();
        try
        {
            var (body, length, scan) = await ReadAsync(context, declared, leases).ConfigureAwait(false);
            if (body is null) return; // answered
            if (scan.UnpairedSurrogate)
            {
                await InvalidParamsAsync(context, scan.RawId).ConfigureAwait(false);
                return;
            }
            context.Request.Body = new MemoryStream(body, 0, length, writable: false, publiclyVisible: true); // ScopeCheck reads it in place
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            foreach (var lease in leases) lease.Dispose();
        }
    }

    /// <summary>The body, checked as it arrives, its bytes claimed as the buffer grows; null when it was refused (the answer is written).</summary>
    private async Task<(byte[]? Body, int Length, JsonScan Scan)> ReadAsync(HttpContext context, long? declared, List<ByteLease> leases)
    {
        var scan = new JsonScan(limits);
        int size = (int)Math.Min(limits.MaxBytes, Math.Max(declared ?? FirstBufferBytes, 1));
        if (!await ClaimAsync(context, size, leases).ConfigureAwait(false)) return (null, 0, scan);
        var buffer = new byte[size];
        int length = 0;
        var input = context.Request.Body;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length >= limits.MaxBytes)
                {
                    // Only a body without a length gets here: one more byte is one too many.
                    if (await input.ReadAsync(new byte[1], context.RequestAborted).ConfigureAwait(false) == 0) break;
                    await RefuseOverLimitAsync(context).ConfigureAwait(false);
                    return (null, 0, scan);
                }
                int grown = (int)Math.Min(limits.MaxBytes, 2L * buffer.Length);
                if (!await ClaimAsync(context, grown - buffer.Length, leases).ConfigureAwait(false)) return (null, 0, scan);
                Array.Resize(ref buffer, grown);
            }
            int read = await input.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
            if (read == 0) break;
            length += read;
            scan.Feed(buffer.AsSpan(0, length), final: false);
            if (scan.Problem is { } problem)
            {
                await TooLargeAsync(context, problem).ConfigureAwait(false);
                return (null, 0, scan);
            }
        }
        scan.Feed(buffer.AsSpan(0, length), final: true);
        if (scan.Problem is { } last)
        {
            await TooLargeAsync(context, last).ConfigureAwait(false);
            return (null, 0, scan);
        }
        return (buffer, length, scan);
    }

    /// <summary>Claims <paramref name="bytes"/> of the budget within <see cref="MaxBudgetWait"/>; false when refused as busy (answered).</summary>
    private async Task<bool> ClaimAsync(HttpContext context, long bytes, List<ByteLease> leases)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        wait.CancelAfter(MaxBudgetWait);
        try
        {
            leases.Add(await budget.ClaimAsync(bytes, callerKey(context), wait.Token).ConfigureAwait(false));
            return true;
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Headers.RetryAfter = "1";
            await HttpResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "server_busy",
                $"this server holds as many request bytes as it may ({budget.Capacity / 1024 / 1024} MB) and could not take this request within {MaxBudgetWait.TotalSeconds:0} s; retry after 1 s").ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>
    /// 413 for a body without a length that runs over the limit. The rest is read and dropped first (up to
    /// <see cref="MaxDiscardBytes"/>, in one small buffer), because a client still sending would not hear an answer
    /// given while it sends.
    /// </summary>
    private async Task RefuseOverLimitAsync(HttpContext context)
    {
        var discard = new byte[16 * 1024];
        long dropped = 0;
        while (dropped < MaxDiscardBytes && await context.Request.Body.ReadAsync(discard, context.RequestAborted).ConfigureAwait(false) is > 0 and var read)
            dropped += read;
        await TooLargeAsync(context, $"the request body is over the limit of {limits.MaxBytes:N0} bytes (the largest call this server takes)").ConfigureAwait(false);
    }

    /// <summary>How much of an oversized body without a length is read and dropped before the 413.</summary>
    private const long MaxDiscardBytes = 16 * 1024 * 1024;

    private static Task TooLargeAsync(HttpContext context, string message) =>
        HttpResponses.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "too_large", message);

    /// <summary>What the JSON-RPC layer would answer a request whose strings are not text: -32602, naming the request.</summary>
    private static Task InvalidParamsAsync(HttpContext context, string? rawId)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        return context.Response.Body.WriteAsync(
            Transport.StdioJsonRpcTransport.ErrorMessage(rawId, (int)McpErrorCode.InvalidParams, InvalidParamsFilter.NotUnicode), context.RequestAborted).AsTask();
    }
}
