using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// CORS for the endpoints a browser-based client (the MCP Inspector) calls directly: the discovery documents,
/// registration and the token endpoint. Any origin may call them, because they act on nothing but what the request
/// itself carries (no cookie, no ambient credential). Never on the sign-in page, whose form is a top-level navigation.
/// </summary>
internal static class SignInCors
{
    public static RequestDelegate Wrap(RequestDelegate endpoint) => context =>
    {
        var headers = context.Response.Headers;
        if (context.Request.Headers.Origin.Count > 0)
        {
            headers.AccessControlAllowOrigin = "*";
            headers.AccessControlExposeHeaders = "WWW-Authenticate, Retry-After";
        }
        if (!HttpMethods.IsOptions(context.Request.Method)) return endpoint(context);
        headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
        headers.AccessControlAllowHeaders = "Content-Type, Authorization, MCP-Protocol-Version";
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    };

    /// <summary>
    /// /mcp for a browser-based client whose origin the Origin check allowed (<c>--allowed-origins</c>): its preflight
    /// is answered, and the 401 challenge it must read to find sign-in (<c>WWW-Authenticate</c>) is exposed to it.
    /// </summary>
    public static Task ForMcp(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers.Origin is not { Count: > 0 } origin) return next(context);
        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin.ToString();
        headers.Vary = "Origin";
        headers.AccessControlExposeHeaders = "WWW-Authenticate, Retry-After, Mcp-Protocol-Version";
        if (!HttpMethods.IsOptions(context.Request.Method)) return next(context);
        headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
        headers.AccessControlAllowHeaders = "Authorization, Content-Type, Accept, MCP-Protocol-Version, Last-Event-ID";
        headers.AccessControlMaxAge = "600";
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }
}
