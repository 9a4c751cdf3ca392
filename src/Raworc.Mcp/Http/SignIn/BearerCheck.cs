using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// /mcp with sign-in on: only this server's access tokens pass (opened with a known key, issued for this resource,
/// not expired); the Raworc token inside serves the request's API calls, through the same path as a caller's bearer
/// without sign-in. A raw Raworc token gets 401 (no token passthrough) unless the operator accepts them. The 401
/// challenge names the protected-resource metadata and the scope, as the MCP authorization spec asks.
/// </summary>
internal sealed class BearerCheck(SignInService signIn)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization;
        if (CallerCredentials.Problem(header, out string token) is { } problem)
        {
            await ChallengeAsync(context, problem.Error, problem.Error is null
                ? $"sign in first: this server is its own OAuth authorization server (metadata at {signIn.ResourceMetadataUrl})"
                : problem.Message).ConfigureAwait(false);
            return;
        }
        if (signIn.Grants.OpenGrant(SealedGrants.AccessPurpose, token) is { } grant)
        {
            if (grant.Audience != signIn.Resource)
            {
                await ChallengeAsync(context, "invalid_token", "the access token was issued for another resource").ConfigureAwait(false);
                return;
            }
            if (grant.Expires <= signIn.Now)
            {
                await ChallengeAsync(context, "invalid_token", "the access token has expired; refresh it or sign in again").ConfigureAwait(false);
                return;
            }
            int level = SignInScopes.Level(grant.Scope);
            if (level < SignInScopes.Level(SignInScopes.Destroy) && await CalledToolAsync(context).ConfigureAwait(false) is { } tool
                && signIn.NeededLevels.TryGetValue(tool, out int needed) && needed > level)
            {
                await InsufficientScopeAsync(context, tool, needed).ConfigureAwait(false);
                return;
            }
            using (ScopeFilters.Grant(level, grant.Scope))
            using (signIn.Api.ActAs(grant.Raworc))
                await next(context).ConfigureAwait(false);
            return;
        }
        if (signIn.Settings.AcceptRaworcTokens && LooksLikeJwt(token))
        {
            using (signIn.Api.ActAs(token))
                await next(context).ConfigureAwait(false);
            return;
        }
        await ChallengeAsync(context, "invalid_token", signIn.Settings.AcceptRaworcTokens
            ? "the bearer token is neither an access token of this server (opened with its keys) nor a Raworc token"
            : "the bearer token is not an access token of this server (a Raworc token is not accepted here: sign in through OAuth), or it was sealed with a key this server no longer has").ConfigureAwait(false);
    }

    /// <summary>401 with <c>resource_metadata</c> and <c>scope</c>, and <c>error</c> when a token was sent but is unusable.</summary>
    private Task ChallengeAsync(HttpContext context, string? error, string message)
    {
        string challenge = $"Bearer resource_metadata=\"{signIn.ResourceMetadataUrl}\", scope=\"{SignInScopes.Default(signIn.Configuration)}\"";
        if (error is not null) challenge += $", error=\"{error}\", error_description=\"{message.Replace("\"", "'", StringComparison.Ordinal)}\"";
        context.Response.Headers.WWWAuthenticate = challenge;
        return HttpResponses.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", message);
    }

    /// <summary>
    /// 403 <c>insufficient_scope</c> naming every scope the call needs, so that a client can ask the user for more
    /// (MCP step-up authorization). Only for a call this check can see; the scope filters refuse any other.
    /// </summary>
    private Task InsufficientScopeAsync(HttpContext context, string tool, int needed)
    {
        string scope = string.Join(' ', SignInScopes.Supported(signIn.Configuration).Take(needed));
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{signIn.ResourceMetadataUrl}\", error_description=\"{tool} needs {SignInScopes.Name(needed)}\"";
        return HttpResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope",
            $"the tool {tool} needs the scope {SignInScopes.Name(needed)}, which this sign-in did not grant; sign in again and allow it");
    }

    /// <summary>
    /// The tool a tools/call request names, read from a copy of the body that then replaces it (bodies are bounded by
    /// the server's request limit); null for anything else or anything unreadable, which the MCP layer answers.
    /// </summary>
    private static async Task<string?> CalledToolAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method)) return null;
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted).ConfigureAwait(false);
        byte[] bytes = copy.ToArray();
        context.Request.Body = new MemoryStream(bytes, writable: false);
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(bytes);
            var root = json.RootElement;
            return root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("method", out var method) && method.ValueEquals(ModelContextProtocol.Protocol.RequestMethods.ToolsCall)
                && root.TryGetProperty("params", out var parameters) && parameters.ValueKind == System.Text.Json.JsonValueKind.Object
                && parameters.TryGetProperty("name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String
                ? name.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Three dot-separated base64url parts: the shape of a Raworc token (a JWT), which no sealed token has.</summary>
    private static bool LooksLikeJwt(string token)
    {
        string[] parts = token.Split('.');
        return parts.Length == 3 && parts.All(p => p.Length > 0 && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }
}
