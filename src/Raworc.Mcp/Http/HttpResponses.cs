using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http;

/// <summary>The few answers the HTTP layer gives itself, each a small JSON object naming the problem.</summary>
internal static class HttpResponses
{
    public static Task UnauthorizedAsync(HttpContext context, string? error, string message)
    {
        // RFC 6750: an error code only when a token was sent but is unusable.
        context.Response.Headers.WWWAuthenticate = error is null
            ? "Bearer realm=\"raworc-mcp\""
            : $"Bearer realm=\"raworc-mcp\", error=\"{error}\"";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", message);
    }

    public static Task WriteAsync(HttpContext context, int status, string error, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        // Relaxed escaping keeps quotes and '<' readable; the body is JSON for a client, never embedded in HTML.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("message", message);
            json.WriteEndObject();
        }
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }
}
