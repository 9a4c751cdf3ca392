using System.Net;
using System.Text.Json;

namespace Raworc.Tests.Http.SignIn;

/// <summary>Discovery: protected-resource and authorization-server metadata, and the 401 challenge that points to them.</summary>
public sealed class MetadataTests
{
    [Theory]
    [InlineData("/.well-known/oauth-protected-resource/mcp")]
    [InlineData("/.well-known/oauth-protected-resource")]
    public async Task Protected_resource_metadata_names_the_resource_and_this_server_from_the_public_url(string path)
    {
        await using var driver = await SignInDriver.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Host = "attacker.example"; // never derived from Host
        var response = await driver.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(SignInDriver.Resource, body.GetProperty("resource").GetString());
        Assert.Equal([SignInDriver.Issuer], body.GetProperty("authorization_servers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["raworc:read", "raworc:write"], body.GetProperty("scopes_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["header"], body.GetProperty("bearer_methods_supported").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Authorization_server_metadata_has_what_mcp_clients_check(string path)
    {
        await using var driver = await SignInDriver.StartAsync(["--allow-destructive"]);
        var body = JsonDocument.Parse(await driver.Http.GetStringAsync(path)).RootElement;
        Assert.Equal(SignInDriver.Issuer, body.GetProperty("issuer").GetString());
        Assert.Equal(SignInDriver.Issuer + "/authorize", body.GetProperty("authorization_endpoint").GetString());
        Assert.Equal(SignInDriver.Issuer + "/token", body.GetProperty("token_endpoint").GetString());
        Assert.Equal(SignInDriver.Issuer + "/register", body.GetProperty("registration_endpoint").GetString());
        Assert.Equal(["code"], Strings(body, "response_types_supported"));
        Assert.Equal(["authorization_code", "refresh_token"], Strings(body, "grant_types_supported"));
        Assert.Equal(["S256"], Strings(body, "code_challenge_methods_supported"));
        Assert.Equal(["none"], Strings(body, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["raworc:read", "raworc:write", "raworc:destroy"], Strings(body, "scopes_supported"));
        Assert.True(body.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
    }

    [Fact]
    public async Task A_call_without_a_token_gets_the_challenge_with_metadata_and_scope_and_no_error()
    {
        await using var driver = await SignInDriver.StartAsync();
        var response = await driver.Host.PostAsync(HttpTestHost.ToolsList);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        string challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.Contains($"resource_metadata=\"{SignInDriver.Issuer}/.well-known/oauth-protected-resource/mcp\"", challenge);
        Assert.Contains("scope=\"raworc:read raworc:write\"", challenge);
        Assert.DoesNotContain("error=", challenge);
        Assert.Empty(driver.Host.Api.LogEntries);
    }

    [Fact]
    public async Task Discovery_registration_and_token_answer_browsers_with_cors_but_the_sign_in_page_does_not()
    {
        await using var driver = await SignInDriver.StartAsync();
        foreach (string path in new[] { "/.well-known/oauth-authorization-server", "/.well-known/oauth-protected-resource/mcp", "/register", "/token" })
        {
            var preflight = new HttpRequestMessage(HttpMethod.Options, path);
            preflight.Headers.Add("Origin", "http://localhost:6274");
            preflight.Headers.Add("Access-Control-Request-Method", "POST");
            var response = await driver.Http.SendAsync(preflight);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Contains("WWW-Authenticate", response.Headers.GetValues("Access-Control-Expose-Headers").Single());
        }
        var get = new HttpRequestMessage(HttpMethod.Get, "/.well-known/oauth-authorization-server");
        get.Headers.Add("Origin", "http://localhost:6274");
        Assert.Equal("*", (await driver.Http.SendAsync(get)).Headers.GetValues("Access-Control-Allow-Origin").Single());

        var page = new HttpRequestMessage(HttpMethod.Get, "/authorize");
        page.Headers.Add("Origin", "http://localhost:6274");
        Assert.False((await driver.Http.SendAsync(page)).Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_a_public_url_there_is_no_sign_in_and_raw_tokens_work_as_before()
    {
        await using var host = await HttpTestHost.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync("/.well-known/oauth-authorization-server")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(SignInDriver.RaworcToken))).StatusCode);
    }

    private static IEnumerable<string?> Strings(JsonElement body, string name) => body.GetProperty(name).EnumerateArray().Select(e => e.GetString());
}
