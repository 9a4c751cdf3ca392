using Microsoft.AspNetCore.Http;
using Raworc.Client;

namespace Raworc.Mcp.Http;

/// <summary>
/// Binds each MCP request to its caller's Raworc token (<c>Authorization: Bearer</c>) for the request's API calls,
/// and answers 401 when there is none. The token is only checked for being sendable: Raworc itself decides whether
/// it is valid. Without a bearer, the server's own credentials serve only with <c>--shared-credentials</c>.
/// </summary>
internal static class CallerCredentials
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(RaworcClient api, bool sharedCredentials) => async (context, next) =>
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count == 0 && sharedCredentials)
        {
            await next(context).ConfigureAwait(false);
            return;
        }
        if (Problem(header, out string token) is { } problem)
        {
            await HttpResponses.UnauthorizedAsync(context, problem.Error, problem.Message).ConfigureAwait(false);
            return;
        }
        using (api.ActAs(token))
            await next(context).ConfigureAwait(false);
    };

    /// <summary>The Raworc token of a request's Authorization header, or why there is none.</summary>
    internal static (string? Error, string Message)? Problem(Microsoft.Extensions.Primitives.StringValues header, out string token)
    {
        token = "";
        if (header.Count == 0)
            return (null, "this server needs your Raworc token: send 'Authorization: Bearer <token>' with every request (a token from 'raworc auth' or POST /api/v0/auth/login)");
        if (header.Count > 1)
            return ("invalid_request", "send exactly one Authorization header");
        string value = header[0] ?? "";
        int space = value.IndexOf(' ');
        if (space <= 0 || !value.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return ("invalid_request", "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <Raworc token>'");
        token = value[(space + 1)..].Trim();
        if (RaworcClient.TokenProblem(token) is { } problem)
            return ("invalid_request", $"the bearer token must be one word of printable ASCII characters; it {problem}");
        return null;
    }
}
