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
}
