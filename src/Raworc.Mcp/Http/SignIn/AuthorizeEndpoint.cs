using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Raworc.Client;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// The authorization endpoint. GET checks the request and shows the sign-in page; POST takes the page's form, sends
/// the account name and password to Raworc's <c>POST /auth/login</c> (and nowhere else; neither is kept or logged),
/// and redirects to the client with a sealed code holding the Raworc token. A request whose client or redirect
/// cannot be trusted gets an error page, never a redirect; every other error goes back to the client as <c>error=</c>.
/// </summary>
internal sealed class AuthorizeEndpoint(SignInService signIn)
{
    /// <summary>The cookie that ties the form to the browser that loaded it (with the form token: login CSRF).</summary>
    private string BrowserCookie => signIn.Issuer.StartsWith("https:", StringComparison.Ordinal) ? "__Host-raworc_signin" : "raworc_signin";

    public async Task ShowAsync(HttpContext context)
    {
        var (query, queryProblem) = RequestBody.Query(context);
        if (query is null)
        {
            await BadLink(context, queryProblem!).ConfigureAwait(false);
            return;
        }
        string clientId = query.GetValueOrDefault("client_id") ?? "";
        if (signIn.Grants.OpenClient(clientId) is not { } client)
        {
            await BadLink(context, clientId.Length == 0 ? "It names no application (client_id is missing)."
                : "The application is not registered with this server, or its registration was made with a key this server no longer has.").ConfigureAwait(false);
            return;
        }
        string? redirect = query.GetValueOrDefault("redirect_uri") ?? (client.RedirectUris.Length == 1 ? client.RedirectUris[0] : null);
        if (redirect is null || !RedirectRules.Matches(client.RedirectUris, redirect))
        {
            await BadLink(context, redirect is null ? "It does not say where to send you back (redirect_uri is missing)."
                : "It would send you back to an address the application did not register.").ConfigureAwait(false);
            return;
        }
        string? state = query.GetValueOrDefault("state");
        string? problem = null, error = "invalid_request";
        string scope = "";
        if (query.GetValueOrDefault("response_type") != "code")
            (problem, error) = ("response_type must be code", "unsupported_response_type");
        else if (query.GetValueOrDefault("code_challenge") is not { } challenge || !IsChallenge(challenge))
            problem = "code_challenge is required: PKCE with S256 (43 base64url characters)";
        else if (query.GetValueOrDefault("code_challenge_method") != "S256")
            problem = "code_challenge_method must be S256";
        else if (query.TryGetValue("resource", out string? resource) && resource != signIn.Resource)
            (problem, error) = ($"this server issues tokens for {signIn.Resource} only", "invalid_target");
        else if (SignInScopes.Grant(query.GetValueOrDefault("scope"), signIn.Configuration, out scope) is { } scopeProblem)
            (problem, error) = (scopeProblem, "invalid_scope");
        if (problem is not null)
        {
            Redirect(context, RedirectRules.With(redirect, ("error", error), ("error_description", problem), ("state", state), ("iss", signIn.Issuer)));
            return;
        }
        var pending = new PendingAuthorization(clientId, redirect, state, query["code_challenge"], scope, signIn.Now + (long)SignInService.FormLifetime.TotalSeconds);
        await ShowFormAsync(context, StatusCodes.Status200OK, pending, client, signIn.Grants.SealRequest(pending), browser: null, message: null).ConfigureAwait(false);
    }

    public async Task SubmitAsync(HttpContext context)
    {
        var (form, formProblem) = await RequestBody.ReadFormAsync(context).ConfigureAwait(false);
        if (form is null)
        {
            await BadLink(context, formProblem!).ConfigureAwait(false);
            return;
        }
        string requestText = form.GetValueOrDefault("request") ?? "";
        if (signIn.Grants.OpenRequest(requestText) is not { } pending || pending.Expires < signIn.Now
            || signIn.Grants.OpenClient(pending.ClientId) is not { } client)
        {
            await SignInPage.ShowErrorAsync(context, StatusCodes.Status400BadRequest, "This sign-in page has expired",
                $"The page was open for more than {SignInService.FormLifetime.TotalMinutes:0} minutes, or was made with a key this server no longer has.").ConfigureAwait(false);
            return;
        }
        string? browser = context.Request.Cookies[BrowserCookie];
        if (signIn.Grants.OpenForm(form.GetValueOrDefault("csrf")) is not { } token || token.Expires < signIn.Now
            || !Same(token.RequestDigest, SealedGrants.Digest(requestText)) || browser is null || !Same(token.BrowserDigest, SealedGrants.Digest(browser)))
        {
            await SignInPage.ShowErrorAsync(context, StatusCodes.Status403Forbidden, "This form could not be verified",
                "It was not sent from the sign-in page this server showed in this browser (its security token is missing or does not match). Start again from your application.").ConfigureAwait(false);
            return;
        }
        if (form.GetValueOrDefault("decision") != "allow")
        {
            Redirect(context, RedirectRules.With(pending.RedirectUri, ("error", "access_denied"), ("error_description", "the user cancelled the sign-in"),
                ("state", pending.State), ("iss", signIn.Issuer)));
            return;
        }
        string username = (form.GetValueOrDefault("username") ?? "").Trim(), password = form.GetValueOrDefault("password") ?? "";
        if (username.Length == 0 || password.Length == 0)
        {
            await ShowFormAsync(context, StatusCodes.Status200OK, pending, client, requestText, browser, "Enter your Raworc account name and password.").ConfigureAwait(false);
            return;
        }
        if (!signIn.Attempts.TryAttempt(username, context.Connection.RemoteIpAddress?.ToString()))
        {
            signIn.Logger.LogWarning("Sign-in attempt limit reached for an account or from {Address}", context.Connection.RemoteIpAddress);
            context.Response.Headers.RetryAfter = ((int)SignInAttempts.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await SignInPage.ShowErrorAsync(context, StatusCodes.Status429TooManyRequests, "Too many sign-in attempts",
                $"There were too many attempts for this account or from your address. Wait {SignInAttempts.Window.TotalMinutes:0} minutes, then start again from your application.").ConfigureAwait(false);
            return;
        }
        LoginResponse login;
        try
        {
            login = await signIn.Api.LoginAsync(username, password, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RaworcApiException e) when (e.StatusCode is 401 or 403)
        {
            await ShowFormAsync(context, StatusCodes.Status200OK, pending, client, requestText, browser, "The account name or password is wrong.").ConfigureAwait(false);
            return;
        }
        catch (RaworcApiException e)
        {
            // The API's words may not be for a browser (and never name the password): the log keeps them for the operator.
            signIn.Logger.LogWarning("Sign-in could not reach Raworc: {Problem}", e.Message);
            await SignInPage.ShowErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "Raworc cannot be reached",
                "Your account could not be checked because the Raworc service did not answer. Nothing was changed; try again in a few minutes.").ConfigureAwait(false);
            return;
        }
        long raworcExpires = RaworcExpiry(login);
        if (string.IsNullOrWhiteSpace(login.Token) || RaworcClient.TokenProblem(login.Token) is not null || raworcExpires <= signIn.Now + 10)
        {
            signIn.Logger.LogWarning("Sign-in got an unusable token from Raworc's login (missing, malformed or already expiring)");
            await SignInPage.ShowErrorAsync(context, StatusCodes.Status502BadGateway, "Raworc gave an unusable answer",
                "Raworc accepted the sign-in but its answer cannot be used. Try again; if it persists, tell whoever runs this server.").ConfigureAwait(false);
            return;
        }
        string scope = form.GetValueOrDefault("read_only") == "1" ? SignInScopes.Narrow(pending.Scope, 1) : pending.Scope;
        long expires = Math.Min(signIn.Now + (long)SignInService.CodeLifetime.TotalSeconds, raworcExpires);
        string code = signIn.Grants.SealGrant(SealedGrants.CodePurpose, new Grant(SealedGrants.Digest(pending.ClientId), pending.RedirectUri,
            pending.Challenge, scope, signIn.Resource, login.Token, raworcExpires, expires));
        signIn.Logger.LogInformation("Signed in a Raworc account for {Client} with {Scope}", client.Name ?? "an unnamed client", scope);
        Redirect(context, RedirectRules.With(pending.RedirectUri, ("code", code), ("state", pending.State), ("iss", signIn.Issuer)));
    }

    private async Task ShowFormAsync(HttpContext context, int status, PendingAuthorization pending, RegisteredClient client, string requestText, string? browser, string? message)
    {
        if (browser is null)
        {
            browser = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            context.Response.Cookies.Append(BrowserCookie, browser, new CookieOptions
            {
                HttpOnly = true,
                Secure = BrowserCookie.StartsWith("__Host-", StringComparison.Ordinal),
                SameSite = SameSiteMode.Strict,
                Path = "/",
                MaxAge = SignInService.FormLifetime,
            });
        }
        string formToken = signIn.Grants.SealForm(new FormToken(SealedGrants.Digest(requestText), SealedGrants.Digest(browser), pending.Expires));
        string destination = RedirectRules.Destination(pending.RedirectUri, out bool local);
        var page = new SignInPage.Form(client.Name, destination, local, SignInScopes.Level(pending.Scope), requestText, formToken);
        await SignInPage.ShowFormAsync(context, status, page, $"'self' {RedirectRules.FormActionSource(pending.RedirectUri)}", message).ConfigureAwait(false);
    }

    /// <summary>When the Raworc token expires: as the login says, else its JWT <c>exp</c>, else Raworc's usual 24 hours.</summary>
    private long RaworcExpiry(LoginResponse login)
    {
        if (login.ExpiresAt is { } at) return at.ToUnixTimeSeconds();
        string[] parts = (login.Token ?? "").Split('.');
        if (parts.Length == 3)
        {
            try
            {
                using var payload = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
                if (payload.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && payload.RootElement.TryGetProperty("exp", out var exp)
                    && exp.TryGetInt64(out long seconds))
                    return seconds;
            }
            catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
            {
            }
        }
        return signIn.Now + (long)SignInService.AssumedRaworcLifetime.TotalSeconds;
    }

    private static bool IsChallenge(string text) =>
        text.Length == 43 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(a), System.Text.Encoding.ASCII.GetBytes(b));

    /// <summary>303: the browser follows with a GET, whether it came from the page's POST or the first GET.</summary>
    private static void Redirect(HttpContext context, string location)
    {
        context.Response.StatusCode = StatusCodes.Status303SeeOther;
        context.Response.Headers.Location = location;
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Referrer-Policy"] = "no-referrer";
    }

    private static Task BadLink(HttpContext context, string why) =>
        SignInPage.ShowErrorAsync(context, StatusCodes.Status400BadRequest, "This sign-in link is not valid", why);
}
