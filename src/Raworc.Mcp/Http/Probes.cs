using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http;

/// <summary>
/// The probes, without credentials: <c>/healthz</c> (200 while the process is up) and <c>/readyz</c> (200 when it
/// takes work, 503 while draining). They answer on the main port and, with <c>--probe-port</c>, on a listener of
/// their own: Kestrel caps connections per listener, so however many connections <c>/mcp</c> holds, a probe still
/// gets one. The probe port serves nothing else.
/// </summary>
internal static class Probes
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";

    public static void Map(WebApplication app, HttpSettings settings, Drain drain)
    {
        if (settings.ProbePort is { } probePort)
            app.Use((context, next) => context.Connection.LocalPort == probePort && context.Request.Path.Value is not (HealthPath or ReadyPath)
                ? HttpResponses.WriteAsync(context, StatusCodes.Status404NotFound, "not_found",
                    $"this port serves only {HealthPath} and {ReadyPath}; MCP is on port {settings.Port}")
                : next(context));
        app.MapGet(HealthPath, context => Plain(context, StatusCodes.Status200OK, "ok"));
        app.MapGet(ReadyPath, context => drain.Draining
            ? Plain(context, StatusCodes.Status503ServiceUnavailable, "draining")
            : Plain(context, StatusCodes.Status200OK, "ready"));
    }

    private static Task Plain(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text + "\n");
    }
}
