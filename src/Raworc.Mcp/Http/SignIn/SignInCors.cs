using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// CORS for the endpoints a browser-based client (the MCP Inspector) calls directly: the discovery documents,
/// registration and the token endpoint, and /mcp for the origins the Origin check allows. Never on the sign-in page,
/// whose form is a top-level navigation.
/// </summary>
internal static class SignInCors
{
    /// <summary>
    /// Any origin may call discovery, registration and the token endpoint: they act on nothing but what the request
    /// itself carries (no cookie, no ambient credential).
    /// </summary>
    public static RequestDelegate Wrap(RequestDelegate endpoint) => context =>
        context.Request.Headers.Origin.Count == 0 ? endpoint(context)
        : Answer(context, "*", "GET, POST, OPTIONS", "Content-Type, Authorization, MCP-Protocol-Version") ? Task.CompletedTask
        : endpoint(context);

    /// <summary>
    /// /mcp for a browser-based client whose origin the Origin check allowed (<c>--allowed-origins</c>): its preflight
    /// is answered, and the 401 challenge it must read to find sign-in (<c>WWW-Authenticate</c>) is exposed to it.
    /// </summary>
    public static Task ForMcp(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers.Origin is not { Count: > 0 } origin) return next(context);
        context.Response.Headers.Vary = "Origin";
        return Answer(context, origin.ToString(), "GET, POST, OPTIONS", "Authorization, Content-Type, Accept, MCP-Protocol-Version, Last-Event-ID")
            ? Task.CompletedTask : next(context);
    }

    /// <summary>Adds the CORS headers; answers a preflight (true) or lets the request go on (false).</summary>
    private static bool Answer(HttpContext context, string origin, string methods, string requestHeaders)
    {
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlExposeHeaders = "WWW-Authenticate, Retry-After, MCP-Protocol-Version";
        if (!HttpMethods.IsOptions(context.Request.Method)) return false;
        headers.AccessControlAllowMethods = methods;
        headers.AccessControlAllowHeaders = requestHeaders;
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return true;
    }
}
