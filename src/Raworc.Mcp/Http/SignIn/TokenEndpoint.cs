using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// The token endpoint: a code with its PKCE verifier, or a refresh token, for a new access token (an hour at most,
/// never past the Raworc token inside) and a new refresh token (rotated at each use; it lasts as long as the Raworc
/// token inside). Codes and refresh tokens are redeemed once on each replica. Errors are RFC 6749 §5.2 JSON.
/// </summary>
internal sealed class TokenEndpoint(SignInService signIn)
{
    /// <summary>What a redemption yields: the grant behind the new tokens, and the scope of the access token.</summary>
    private sealed record Redeemed(Grant Grant, string AccessScope);

    public async Task ExchangeAsync(HttpContext context)
    {
        var (form, problem) = await RequestBody.ReadFormAsync(context).ConfigureAwait(false);
        if (form is null)
        {
            await Error(context, "invalid_request", problem!).ConfigureAwait(false);
            return;
        }
        if (signIn.Grants.OpenClient(form.GetValueOrDefault("client_id")) is null)
        {
            // 401 invalid_client makes clients such as Claude register again (a key rotated out, a client id changed).
            await SignInService.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_client",
                form.ContainsKey("client_id") ? "the client_id is not one this server issued (or its key was rotated out); register again"
                    : "client_id is required").ConfigureAwait(false);
            return;
        }
        if (form.TryGetValue("resource", out string? resource) && resource != signIn.Resource)
        {
            await Error(context, "invalid_target", $"this server issues tokens for {signIn.Resource} only").ConfigureAwait(false);
            return;
        }
        string client = SealedGrants.Digest(form["client_id"]);
        var (redeemed, error, description) = form.GetValueOrDefault("grant_type") switch
        {
            "authorization_code" => RedeemCode(form, client),
            "refresh_token" => Refresh(form, client),
            null => (null, "invalid_request", "grant_type is required"),
            var other => (null, "unsupported_grant_type", $"the grant type '{SignInScopes.Printable(other)}' is not supported (authorization_code, refresh_token)"),
        };
        if (redeemed is null)
        {
            await Error(context, error!, description!).ConfigureAwait(false);
            return;
        }
        var grant = redeemed.Grant with { RedirectUri = null, Challenge = null };
        long now = signIn.Now;
        long accessExpires = Math.Min(now + (long)signIn.Settings.AccessTokenLifetime.TotalSeconds, grant.RaworcExpires);
        string access = signIn.Grants.SealGrant(SealedGrants.AccessPurpose, grant with { Scope = redeemed.AccessScope, Expires = accessExpires });
        string refresh = signIn.Grants.SealGrant(SealedGrants.RefreshPurpose, grant with { Expires = grant.RaworcExpires });
        await SignInService.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("access_token", access);
            json.WriteString("token_type", "Bearer");
            json.WriteNumber("expires_in", accessExpires - now);
            json.WriteString("scope", redeemed.AccessScope);
            json.WriteString("refresh_token", refresh);
        }).ConfigureAwait(false);
    }

    private (Redeemed?, string?, string?) RedeemCode(Dictionary<string, string> form, string client)
    {
        string code = form.GetValueOrDefault("code") ?? "";
        if (code.Length == 0) return (null, "invalid_request", "code is required");
        if (signIn.Grants.OpenGrant(SealedGrants.CodePurpose, code) is not { } grant)
            return (null, "invalid_grant", "the code is not one this server issued");
        if (grant.Expires < signIn.Now) return (null, "invalid_grant", "the code has expired (codes last 60 seconds); sign in again");
        if (grant.ClientId != client) return (null, "invalid_grant", "the code was issued to another client");
        if (form.GetValueOrDefault("redirect_uri") is { } redirect && redirect != grant.RedirectUri)
            return (null, "invalid_grant", "redirect_uri differs from the one the code was sent to");
        if (form.GetValueOrDefault("code_verifier") is not { } verifier) return (null, "invalid_request", "code_verifier is required (PKCE)");
        if (!VerifierMatches(verifier, grant.Challenge ?? "")) return (null, "invalid_grant", "the code_verifier does not match the code_challenge");
        if (!signIn.UsedOnce.TryUse("code:" + SealedGrants.Digest(code), grant.Expires))
            return (null, "invalid_grant", "the code has already been used");
        return (new Redeemed(grant, grant.Scope), null, null);
    }

    private (Redeemed?, string?, string?) Refresh(Dictionary<string, string> form, string client)
    {
        string token = form.GetValueOrDefault("refresh_token") ?? "";
        if (token.Length == 0) return (null, "invalid_request", "refresh_token is required");
        if (signIn.Grants.OpenGrant(SealedGrants.RefreshPurpose, token) is not { } grant)
            return (null, "invalid_grant", "the refresh token is not one this server issued (or its key was rotated out); sign in again");
        if (grant.RaworcExpires <= signIn.Now)
            return (null, "invalid_grant", "the Raworc sign-in inside this refresh token has expired; sign in again");
        if (grant.ClientId != client) return (null, "invalid_grant", "the refresh token was issued to another client");
        string scope = grant.Scope;
        if (form.GetValueOrDefault("scope") is { Length: > 0 } requested)
        {
            if (SignInScopes.Grant(requested, signIn.Configuration, out scope) is { } problem) return (null, "invalid_scope", problem);
            if (SignInScopes.Level(scope) > SignInScopes.Level(grant.Scope))
                return (null, "invalid_scope", $"a refresh cannot widen the access granted ({grant.Scope}); sign in again to ask for more");
        }
        if (!signIn.UsedOnce.TryUse("refresh:" + SealedGrants.Digest(token), grant.RaworcExpires))
            return (null, "invalid_grant", "the refresh token has already been used (they rotate at each use)");
        return (new Redeemed(grant, scope), null, null);
    }

    /// <summary>PKCE S256 (RFC 7636): BASE64URL(SHA256(verifier)) equals the challenge; the verifier is 43 to 128 unreserved characters.</summary>
    private static bool VerifierMatches(string verifier, string challenge)
    {
        if (verifier.Length is < 43 or > 128 || !verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~')) return false;
        string computed = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), Encoding.ASCII.GetBytes(challenge));
    }

    private static Task Error(HttpContext context, string error, string description) =>
        SignInService.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, description);
}
