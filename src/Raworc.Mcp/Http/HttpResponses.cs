using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Raworc.Mcp.Http;

/// <summary>
/// The few answers the HTTP layer gives itself, each a small JSON object naming the problem. They are refusals given
/// before the request body is read; a client may still be sending it (Node's fetch sends the whole body before it
/// reads any answer), and a connection closed under it shows as "fetch failed" or EPIPE instead of the refusal. So
/// after answering, the rest of the body is read and thrown away, up to a bound in size and time.
/// </summary>
internal static class HttpResponses
{
    /// <summary>Most bytes of an unread body read and discarded after a refusal; a larger body gets its connection closed.</summary>
    internal const long MaxDiscardedBytes = 64L * 1024 * 1024;

    /// <summary>Longest time spent discarding a body (Kestrel's minimum data rate also cuts a client that trickles).</summary>
    private static readonly TimeSpan MaxDiscardTime = TimeSpan.FromSeconds(10);

    public static Task UnauthorizedAsync(HttpContext context, string? error, string message)
    {
        // RFC 6750: an error code only when a token was sent but is unusable.
        context.Response.Headers.WWWAuthenticate = error is null
            ? "Bearer realm=\"raworc-mcp\""
            : $"Bearer realm=\"raworc-mcp\", error=\"{error}\"";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", message);
    }

    public static async Task WriteAsync(HttpContext context, int status, string error, string message)
    {
        // Before anything is read: Kestrel would otherwise cut a body over its limit by closing the connection.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxDiscardedBytes;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var buffer = new ArrayBufferWriter<byte>();
        // Relaxed escaping keeps quotes and '<' readable; the body is JSON for a client, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("message", message);
            json.WriteEndObject();
        }
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        await context.Response.CompleteAsync().ConfigureAwait(false);
        await DiscardBodyAsync(context).ConfigureAwait(false);
    }

    /// <summary>Reads what is left of the request body into nothing; past the bounds, closes the connection instead.</summary>
    private static async Task DiscardBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength == 0) return;
        if (context.Request.ContentLength > MaxDiscardedBytes)
        {
            context.Abort();
            return;
        }
        using var time = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        time.CancelAfter(MaxDiscardTime);
        byte[] chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (await context.Request.Body.ReadAsync(chunk, time.Token).ConfigureAwait(false) > 0) { }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            context.Abort(); // too long, too slow or too large: the connection cannot be reused anyway
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
