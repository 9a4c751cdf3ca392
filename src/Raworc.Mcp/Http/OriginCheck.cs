using System.Net;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http;

/// <summary>
/// DNS-rebinding and cross-site protection, as MCP requires of HTTP servers: a request carrying an <c>Origin</c>
/// is served only when that origin is allowed. Requests without one (MCP clients, probes, curl) are not browsers
/// acting for a web page, and are served. On a loopback address, loopback origins (a local tool's web UI) are allowed
/// too: a rebinding page's origin is its own domain, never a loopback one.
/// </summary>
internal sealed class OriginCheck(HttpSettings settings)
{
    private readonly bool _loopback = IsLoopback(settings.ListenHost);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0 || Allowed(origin.ToString()))
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        await HttpResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden_origin",
            $"requests from the web origin '{Printable(origin.ToString())}' are not allowed; the server's operator can allow it with --allowed-origins").ConfigureAwait(false);
    }

    public bool Allowed(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return false; // includes "null", the origin of sandboxed and file pages
        return settings.AllowedOrigins.Contains(HttpSettings.OriginOf(uri)) || (_loopback && uri.IsLoopback);
    }

    private static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));

    private static string Printable(string value) =>
        new([.. value.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
}
