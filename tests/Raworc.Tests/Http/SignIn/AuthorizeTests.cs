using System.Net;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests.Http.SignIn;

/// <summary>GET and POST /authorize: the request's checks, the sign-in page, its form and the redirect back.</summary>
public sealed class AuthorizeTests
{
    [Fact]
    public async Task The_page_has_the_contract_form_and_safe_headers()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync("Claude Code");
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/authorize\">", page.Html);
        Assert.Contains("<label for=\"username\">Raworc account</label><input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\"", page.Html);
        Assert.Contains("<label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\"", page.Html);
        Assert.Contains("<input type=\"checkbox\" name=\"read_only\" value=\"1\">", page.Html);
        Assert.Contains("<button type=\"submit\" name=\"decision\" value=\"allow\" class=\"allow\">Allow</button>", page.Html);
        Assert.Contains("name=\"decision\" value=\"cancel\"", page.Html);
        Assert.Contains("Claude Code", page.Html);
        Assert.Contains("http://127.0.0.1", page.Html); // where the user is sent back
        Assert.DoesNotContain("<script", page.Html, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(page.RequestField);
        Assert.NotNull(page.CsrfField);

        var headers = page.Response.Headers;
        string csp = headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("form-action 'self' http://127.0.0.1:43117", csp);
        Assert.Contains("style-src 'sha256-", csp);
        Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-store", headers.CacheControl!.ToString());
        Assert.Equal("no-referrer", headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("HttpOnly", headers.GetValues("Set-Cookie").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Markup_in_the_client_name_is_rendered_inert()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync("<script>alert(1)</script><img src=x onerror=alert(2)>\"'&");
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        Assert.DoesNotContain("<script>", page.Html);
        Assert.DoesNotContain("<img", page.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", page.Html);
    }

    [Fact]
    public async Task A_read_only_request_shows_no_read_only_box()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge, scope: "raworc:read"));
        Assert.DoesNotContain("read_only", page.Html);
        Assert.Contains("change nothing", page.Html);
    }

    [Fact]
    public async Task An_unregistered_redirect_uri_gets_an_error_page_never_a_redirect()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        foreach (string redirect in new[] { "http://127.0.0.1:43117/other", "https://attacker.example/callback", "http://localhost:43117/callback" })
        {
            var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge, redirect: redirect));
            Assert.Equal(HttpStatusCode.BadRequest, page.Response.StatusCode);
            Assert.Null(page.Response.Headers.Location);
            Assert.Contains("did not register", page.Html);
        }
    }

    [Fact]
    public async Task A_loopback_redirect_matches_whatever_its_port()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync("VS Code", "http://127.0.0.1/callback");
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge, redirect: "http://127.0.0.1:51234/callback"));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        var parameters = SignInDriver.RedirectParameters(await driver.SubmitAsync(page));
        Assert.Contains("code", parameters.Keys);
    }

    [Fact]
    public async Task A_client_id_with_one_bit_flipped_gets_an_error_page()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = SignInDriver.FlipOneBit(await driver.RegisterAsync());
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        Assert.Equal(HttpStatusCode.BadRequest, page.Response.StatusCode);
        Assert.Contains("not registered with this server", page.Html);
        Assert.Null(page.Response.Headers.Location);
    }

    [Theory]
    [InlineData("resource", "https://other.example/mcp", "invalid_target")]
    [InlineData("scope", "raworc:destroy", "invalid_scope")]
    [InlineData("scope", "raworc:admin", "invalid_scope")]
    [InlineData("code_challenge_method", "plain", "invalid_request")]
    [InlineData("response_type", "token", "unsupported_response_type")]
    public async Task Other_errors_go_back_to_the_client_with_state_and_iss(string parameter, string value, string error)
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        string url = SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge, resource: parameter == "resource" ? value : SignInDriver.Resource,
            scope: parameter == "scope" ? value : null);
        if (parameter is "code_challenge_method" or "response_type")
            url = url.Replace(parameter == "response_type" ? "response_type=code" : "code_challenge_method=S256", $"{parameter}={value}", StringComparison.Ordinal);
        var response = await driver.Http.GetAsync(url);
        var parameters = SignInDriver.RedirectParameters(response);
        Assert.Equal(error, parameters["error"]);
        Assert.Equal("st-1", parameters["state"]);
        Assert.Equal(SignInDriver.Issuer, parameters["iss"]);
    }

    [Fact]
    public async Task Scopes_of_other_vocabularies_are_left_out_of_the_grant()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (_, tokens) = await driver.TokensAsync(scope: "openid email profile raworc:read");
        Assert.Equal("raworc:read", tokens.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_missing_pkce_challenge_goes_back_as_invalid_request()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var response = await driver.Http.GetAsync($"/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri={Uri.EscapeDataString(SignInDriver.Redirect)}&state=s");
        Assert.Equal("invalid_request", SignInDriver.RedirectParameters(response)["error"]);
    }

    [Fact]
    public async Task Cancel_redirects_with_access_denied_and_never_asks_raworc()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        var parameters = SignInDriver.RedirectParameters(await driver.SubmitAsync(page, null, null, decision: "cancel"));
        Assert.Equal("access_denied", parameters["error"]);
        Assert.Equal("st-1", parameters["state"]);
        Assert.Empty(driver.Host.Api.LogEntries);
    }

    [Fact]
    public async Task A_wrong_password_shows_the_page_again_without_saying_which_was_wrong()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        var response = await driver.SubmitAsync(page, password: "wrong-password-6d1f");
        string html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The account name or password is wrong.", html);
        Assert.Contains("name=\"password\"", html);
        Assert.DoesNotContain("wrong-password-6d1f", html);
        Assert.DoesNotContain("wrong-password-6d1f", driver.Host.Logs.All);

        // The form shown again still works.
        var again = new SignInDriver.Page(response, html, page.Cookie, page.RequestField, Hidden(html));
        Assert.Contains("code", SignInDriver.RedirectParameters(await driver.SubmitAsync(again)).Keys);
    }

    [Fact]
    public async Task A_form_without_its_csrf_token_or_from_another_browser_is_refused_before_raworc_is_asked()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        var missing = await driver.SubmitAsync(page, withCsrf: false);
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
        Assert.Contains("security token", await missing.Content.ReadAsStringAsync());
        var otherBrowser = await driver.SubmitAsync(page, cookie: "raworc_signin=c29tZW9uZS1lbHNl");
        Assert.Equal(HttpStatusCode.Forbidden, otherBrowser.StatusCode);
        var otherRequest = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        var swapped = await driver.SubmitAsync(page with { CsrfField = otherRequest.CsrfField }, cookie: otherRequest.Cookie);
        Assert.Equal(HttpStatusCode.Forbidden, swapped.StatusCode);
        Assert.DoesNotContain(driver.Host.Api.LogEntries, e => e.RequestMessage.Path.EndsWith("/auth/login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_attempt_limit_per_account_ends_in_429_with_a_clear_text()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        for (int i = 0; i < 10; i++)
            Assert.Equal(HttpStatusCode.OK, (await driver.SubmitAsync(page, password: $"guess-{i}")).StatusCode);
        var limited = await driver.SubmitAsync(page, username: " ALICE ");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Contains("Too many sign-in attempts", await limited.Content.ReadAsStringAsync());
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(10, driver.Host.Api.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/auth/login", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Raworc_down_during_sign_in_is_a_clear_page_not_a_500()
    {
        await using var driver = await SignInDriver.StartAsync(loginAnswers: false);
        driver.Host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost()).RespondWith(Response.Create().WithStatusCode(503));
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        var response = await driver.SubmitAsync(page);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("Raworc cannot be reached", await response.Content.ReadAsStringAsync());

        driver.Host.Api.Stop();
        var unreachable = await driver.SubmitAsync(page);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unreachable.StatusCode);
        Assert.DoesNotContain("right", driver.Host.Logs.All);
    }

    [Fact]
    public async Task An_expired_sign_in_form_is_refused()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var page = await driver.GetPageAsync(SignInDriver.AuthorizeUrl(clientId, SignInDriver.Pkce().Challenge));
        driver.Clock.Advance(TimeSpan.FromMinutes(11));
        var response = await driver.SubmitAsync(page);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("expired", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Read_only_narrows_the_grant()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (_, tokens) = await driver.TokensAsync(readOnly: true);
        Assert.Equal("raworc:read", tokens.GetProperty("scope").GetString());
    }

    private static string? Hidden(string html)
    {
        const string marker = "name=\"csrf\" value=\"";
        int start = html.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return WebUtility.HtmlDecode(html[start..html.IndexOf('"', start)]);
    }
}
