using System.Net;

namespace Raworc.Tests.Http.SignIn;

/// <summary>POST /token: codes with PKCE, refresh with rotation, and every way a grant is refused.</summary>
public sealed class TokenTests
{
    [Fact]
    public async Task A_code_and_its_verifier_give_a_bearer_access_token_and_a_refresh_token_never_cached()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, verifier) = await driver.SignInAsync();
        var response = await driver.Http.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["client_id"] = clientId,
            ["code"] = code,
            ["code_verifier"] = verifier,
            ["redirect_uri"] = SignInDriver.Redirect,
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("raworc:read raworc:write", body.GetProperty("scope").GetString());
        string access = body.GetProperty("access_token").GetString()!, refresh = body.GetProperty("refresh_token").GetString()!;
        Assert.DoesNotContain(SignInDriver.RaworcToken, access + refresh + code);
        Assert.DoesNotContain("eyJ", access + refresh + code);
    }

    [Fact]
    public async Task A_wrong_verifier_is_invalid_grant()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, _) = await driver.SignInAsync();
        var (status, body) = await driver.RedeemAsync(clientId, code, SignInDriver.Pkce().Verifier);
        AssertError(status, body, "invalid_grant", "code_verifier");
    }

    [Fact]
    public async Task A_code_is_redeemed_once_on_a_replica()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, verifier) = await driver.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, (await driver.RedeemAsync(clientId, code, verifier)).Status);
        var (status, body) = await driver.RedeemAsync(clientId, code, verifier);
        AssertError(status, body, "invalid_grant", "already been used");
    }

    [Fact]
    public async Task An_expired_code_is_invalid_grant()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, verifier) = await driver.SignInAsync();
        driver.Clock.Advance(TimeSpan.FromSeconds(61));
        var (status, body) = await driver.RedeemAsync(clientId, code, verifier);
        AssertError(status, body, "invalid_grant", "expired");
    }

    [Fact]
    public async Task A_foreign_resource_is_invalid_target()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, verifier) = await driver.SignInAsync();
        var (status, body) = await driver.TokenAsync(("grant_type", "authorization_code"), ("client_id", clientId), ("code", code),
            ("code_verifier", verifier), ("resource", "https://other.example/mcp"));
        AssertError(status, body, "invalid_target", SignInDriver.Resource);
    }

    [Fact]
    public async Task One_bit_flipped_in_a_code_or_a_client_id_is_refused()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, code, verifier) = await driver.SignInAsync();
        var (status, body) = await driver.RedeemAsync(clientId, SignInDriver.FlipOneBit(code), verifier);
        AssertError(status, body, "invalid_grant", "not one this server issued");
        (status, body) = await driver.RedeemAsync(SignInDriver.FlipOneBit(clientId), code, verifier);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.OK, (await driver.RedeemAsync(clientId, code, verifier)).Status);
    }

    [Fact]
    public async Task A_code_issued_to_another_client_is_refused()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (_, code, verifier) = await driver.SignInAsync();
        string other = await driver.RegisterAsync("Other");
        var (status, body) = await driver.RedeemAsync(other, code, verifier);
        AssertError(status, body, "invalid_grant", "another client");
    }

    [Fact]
    public async Task A_refresh_gives_a_new_pair_and_the_used_refresh_token_is_refused_after()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, tokens) = await driver.TokensAsync();
        string refresh = tokens.GetProperty("refresh_token").GetString()!;
        var (status, renewed) = await driver.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(refresh, renewed.GetProperty("refresh_token").GetString());
        Assert.Equal("raworc:read raworc:write", renewed.GetProperty("scope").GetString());
        var (again, body) = await driver.RefreshAsync(clientId, refresh);
        AssertError(again, body, "invalid_grant", "already been used");
        Assert.Equal(HttpStatusCode.OK, (await driver.RefreshAsync(clientId, renewed.GetProperty("refresh_token").GetString()!)).Status);
    }

    [Fact]
    public async Task An_access_token_is_not_a_refresh_token_nor_the_reverse()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (clientId, tokens) = await driver.TokensAsync();
        var (status, body) = await driver.RefreshAsync(clientId, tokens.GetProperty("access_token").GetString()!);
        AssertError(status, body, "invalid_grant", "not one this server issued");
        var response = await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(tokens.GetProperty("refresh_token").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Scopes_never_widen_at_refresh_and_may_narrow()
    {
        await using var driver = await SignInDriver.StartAsync(["--allow-destructive"]);
        var (clientId, tokens) = await driver.TokensAsync(scope: "raworc:read");
        string refresh = tokens.GetProperty("refresh_token").GetString()!;
        var (status, body) = await driver.RefreshAsync(clientId, refresh, "raworc:read raworc:write");
        AssertError(status, body, "invalid_scope", "cannot widen");

        (clientId, var wide) = await driver.TokensAsync();
        Assert.Equal("raworc:read raworc:write raworc:destroy", wide.GetProperty("scope").GetString());
        var (narrowStatus, narrow) = await driver.RefreshAsync(clientId, wide.GetProperty("refresh_token").GetString()!, "raworc:read");
        Assert.Equal(HttpStatusCode.OK, narrowStatus);
        Assert.Equal("raworc:read", narrow.GetProperty("scope").GetString());
        // The narrowed refresh keeps the grant: the next refresh may ask for what was first granted.
        var (back, widened) = await driver.RefreshAsync(clientId, narrow.GetProperty("refresh_token").GetString()!, "raworc:write");
        Assert.Equal(HttpStatusCode.OK, back);
        Assert.Equal("raworc:write", widened.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Access_tokens_never_outlive_the_raworc_token_and_a_refresh_after_it_is_invalid_grant()
    {
        await using var driver = await SignInDriver.StartAsync();
        driver.RaworcExpires = driver.Clock.GetUtcNow().AddMinutes(20);
        var (clientId, tokens) = await driver.TokensAsync();
        Assert.Equal(1200, tokens.GetProperty("expires_in").GetInt32());
        driver.Clock.Advance(TimeSpan.FromMinutes(21));
        var (status, body) = await driver.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        AssertError(status, body, "invalid_grant", "sign in again");
    }

    [Fact]
    public async Task A_token_sealed_with_a_key_rotated_out_is_refused_and_one_still_in_the_ring_works()
    {
        string newKey = Convert.ToBase64String(Enumerable.Repeat((byte)9, 32).ToArray());
        string refresh, clientId;
        await using (var before = await SignInDriver.StartAsync())
        {
            (clientId, var tokens) = await before.TokensAsync();
            refresh = tokens.GetProperty("refresh_token").GetString()!;
        }
        await using (var rotating = await SignInDriver.StartAsync(environment: new Dictionary<string, string?> { ["RAWORC_MCP_OAUTH_KEYS"] = $"{newKey},{SignInDriver.Keys}" }))
            Assert.Equal(HttpStatusCode.OK, (await rotating.RefreshAsync(clientId, refresh)).Status);
        await using var after = await SignInDriver.StartAsync(environment: new Dictionary<string, string?> { ["RAWORC_MCP_OAUTH_KEYS"] = newKey });
        var (status, body) = await after.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("invalid_client", body.GetProperty("error").GetString()); // the client id went with the key: register again
    }

    [Theory]
    [InlineData("password", "unsupported_grant_type")]
    [InlineData("client_credentials", "unsupported_grant_type")]
    public async Task Other_grant_types_are_unsupported(string grantType, string error)
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var (status, body) = await driver.TokenAsync(("grant_type", grantType), ("client_id", clientId));
        AssertError(status, body, error, grantType);
    }

    [Fact]
    public async Task A_repeated_parameter_is_invalid_request()
    {
        await using var driver = await SignInDriver.StartAsync();
        string clientId = await driver.RegisterAsync();
        var (status, body) = await driver.TokenAsync(("grant_type", "refresh_token"), ("grant_type", "authorization_code"), ("client_id", clientId));
        AssertError(status, body, "invalid_request", "more than once");
    }

    private static void AssertError(HttpStatusCode status, System.Text.Json.JsonElement body, string error, string expected)
    {
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains(expected, body.GetProperty("error_description").GetString());
    }
}
