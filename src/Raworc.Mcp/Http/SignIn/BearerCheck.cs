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
        if (BearerToken.Word(header, out var problem) is not { } token)
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
            using (ScopeFilters.Grant(SignInScopes.Level(grant.Scope), grant.Scope))
            using (signIn.Api.ActAs(grant.Raworc))
                await next(context).ConfigureAwait(false);
            return;
        }
        if (signIn.Settings.AcceptRaworcTokens && BearerToken.Parse(header, signIn.Clock.GetUtcNow(), out _) is { } raworc)
        {
            using (signIn.Api.ActAs(raworc.Value))
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
}
