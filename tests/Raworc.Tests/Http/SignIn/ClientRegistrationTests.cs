using System.Net;
using System.Text.Json;

namespace Raworc.Tests.Http.SignIn;

/// <summary>POST /register: a stateless registration whose client id carries it, sealed.</summary>
public sealed class ClientRegistrationTests
{
    [Fact]
    public async Task A_registration_is_answered_with_a_sealed_client_id_and_the_public_client_metadata()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (status, body) = await driver.PostJsonAsync("/register", """
            {"client_name":"Claude","redirect_uris":["https://claude.ai/api/mcp/auth_callback","http://localhost/callback","cursor://anysphere.cursor-mcp/oauth/callback"],
             "grant_types":["authorization_code","refresh_token"],"response_types":["code"],"token_endpoint_auth_method":"client_secret_post"}
            """);
        Assert.Equal(HttpStatusCode.Created, status);
        string clientId = body.GetProperty("client_id").GetString()!;
        Assert.DoesNotContain("claude", clientId, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Claude", body.GetProperty("client_name").GetString());
        Assert.Equal(3, body.GetProperty("redirect_uris").GetArrayLength());
        Assert.Equal("none", body.GetProperty("token_endpoint_auth_method").GetString());
        Assert.False(body.TryGetProperty("client_secret", out _));
    }

    [Theory]
    [InlineData("""{"redirect_uris":["http://mcp.example.com/callback"]}""", "invalid_redirect_uri", "not this machine")]
    [InlineData("""{"redirect_uris":["javascript:alert(1)"]}""", "invalid_redirect_uri", "not allowed for redirects")]
    [InlineData("""{"redirect_uris":["vscode://callback"]}""", "invalid_redirect_uri", "not allowed for redirects")]
    [InlineData("""{"redirect_uris":["https://app.example/cb#frag"]}""", "invalid_redirect_uri", "fragment")]
    [InlineData("""{"redirect_uris":["/relative"]}""", "invalid_redirect_uri", "not an absolute URI")]
    [InlineData("""{"redirect_uris":[]}""", "invalid_redirect_uri", "non-empty array")]
    [InlineData("""{"client_name":"x"}""", "invalid_redirect_uri", "non-empty array")]
    [InlineData("""{"redirect_uris":["https://a.example/cb"],"grant_types":["client_credentials"]}""", "invalid_client_metadata", "client_credentials")]
    [InlineData("""{"redirect_uris":["https://a.example/cb"],"response_types":["token"]}""", "invalid_client_metadata", "'token'")]
    [InlineData("""{"redirect_uris":["https://a.example/cb"],"client_name":7}""", "invalid_client_metadata", "client_name must be a string")]
    [InlineData("""[1,2]""", "invalid_client_metadata", "JSON object")]
    [InlineData("""not json""", "invalid_client_metadata", "not JSON")]
    public async Task A_bad_registration_is_refused_naming_the_problem(string json, string error, string expected)
    {
        await using var driver = await SignInDriver.StartAsync();
        var (status, body) = await driver.PostJsonAsync("/register", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Contains(expected, body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task A_registration_body_over_the_limit_is_refused_unread()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (status, body) = await driver.PostJsonAsync("/register", JsonSerializer.Serialize(new { redirect_uris = new[] { "https://a.example/cb" }, client_name = new string('x', 9000) }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("longer than 8192 bytes", body.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Private_use_schemes_follow_the_setting()
    {
        await using var driver = await SignInDriver.StartAsync(["--oauth-redirect-schemes", "none"]);
        var (status, body) = await driver.PostJsonAsync("/register", """{"redirect_uris":["cursor://anysphere.cursor-mcp/oauth/callback"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_redirect_uri", body.GetProperty("error").GetString());
    }
}
