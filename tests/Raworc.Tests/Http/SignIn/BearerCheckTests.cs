using System.Net;
using ModelContextProtocol.Client;

namespace Raworc.Tests.Http.SignIn;

/// <summary>/mcp with sign-in on: only this server's access tokens, the Raworc token inside used for the calls, scopes.</summary>
public sealed class BearerCheckTests
{
    [Fact]
    public async Task An_access_token_serves_its_calls_with_the_raworc_token_inside()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (_, tokens) = await driver.TokensAsync();
        await using var client = await driver.Host.ConnectWithTokenAsync(tokens.GetProperty("access_token").GetString());
        Assert.Equal(HttpTestHost.UserOf(SignInDriver.RaworcToken), await HttpTestHost.WhoAmIAsync(client));
        Assert.Equal($"Bearer {SignInDriver.RaworcToken}", driver.Host.ApiAuthorizations().Last());
    }

    [Fact]
    public async Task A_raw_raworc_token_gets_401_unless_the_operator_accepts_them()
    {
        await using (var driver = await SignInDriver.StartAsync())
        {
            var response = await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(SignInDriver.RaworcToken));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            string challenge = response.Headers.WwwAuthenticate.ToString();
            Assert.Contains("error=\"invalid_token\"", challenge);
            Assert.Contains("resource_metadata=", challenge);
            Assert.Contains("not accepted here", await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain(driver.Host.Api.LogEntries, e => e.RequestMessage.Path.Contains("/auth/me", StringComparison.Ordinal));
        }
        await using var accepting = await SignInDriver.StartAsync(["--accept-raworc-tokens"]);
        await using var client = await accepting.Host.ConnectWithTokenAsync(SignInDriver.RaworcToken);
        Assert.Equal(HttpTestHost.UserOf(SignInDriver.RaworcToken), await HttpTestHost.WhoAmIAsync(client));
        Assert.Equal(HttpStatusCode.Unauthorized, (await accepting.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf("not-a-jwt"))).StatusCode);
    }

    [Fact]
    public async Task One_bit_flipped_in_an_access_token_is_invalid_token()
    {
        await using var driver = await SignInDriver.StartAsync();
        var (_, tokens) = await driver.TokensAsync();
        string access = tokens.GetProperty("access_token").GetString()!;
        for (int bit = 0; bit < 8 * 40; bit += 37)
        {
            var response = await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(SignInDriver.FlipOneBit(access, bit)));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        }
        Assert.Equal(HttpStatusCode.OK, (await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(access))).StatusCode);
    }

    [Fact]
    public async Task An_expired_access_token_is_invalid_token_while_its_refresh_still_works()
    {
        await using var driver = await SignInDriver.StartAsync(["--access-token-seconds", "10"]);
        var (clientId, tokens) = await driver.TokensAsync();
        Assert.Equal(10, tokens.GetProperty("expires_in").GetInt32());
        driver.Clock.Advance(TimeSpan.FromSeconds(11));
        var response = await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(tokens.GetProperty("access_token").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("expired", response.Headers.WwwAuthenticate.ToString());
        var (status, renewed) = await driver.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(renewed.GetProperty("access_token").GetString()!))).StatusCode);
    }

    [Fact]
    public async Task An_access_token_for_another_resource_or_sealed_with_a_rotated_out_key_is_refused()
    {
        await using var driver = await SignInDriver.StartAsync();
        var keys = Raworc.Mcp.SealingKeys.Parse(SignInDriver.Keys);
        var grants = new Raworc.Mcp.Http.SignIn.SealedGrants(keys);
        long later = driver.Clock.GetUtcNow().AddMinutes(30).ToUnixTimeSeconds();
        var grant = new Raworc.Mcp.Http.SignIn.Grant("client", null, null, "raworc:read", "https://other.example.test/mcp", SignInDriver.RaworcToken, later, later);
        var foreign = await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(grants.SealGrant(Raworc.Mcp.Http.SignIn.SealedGrants.AccessPurpose, grant)));
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Contains("another resource", await foreign.Content.ReadAsStringAsync());
        string ours = grants.SealGrant(Raworc.Mcp.Http.SignIn.SealedGrants.AccessPurpose, grant with { Audience = SignInDriver.Resource });
        Assert.Equal(HttpStatusCode.OK, (await driver.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(ours))).StatusCode);

        string newKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 32).ToArray());
        await using var rotated = await SignInDriver.StartAsync(environment: new Dictionary<string, string?> { ["RAWORC_MCP_OAUTH_KEYS"] = newKey });
        var response = await rotated.Host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.BearerOf(ours));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_read_scope_narrows_tools_list_and_a_call_beyond_it_is_refused_naming_the_scope()
    {
        await using var driver = await SignInDriver.StartAsync(["--allow-destructive"]);
        var (_, full) = await driver.TokensAsync();
        var (_, read) = await driver.TokensAsync(scope: "raworc:read");
        await using var fullClient = await driver.Host.ConnectWithTokenAsync(full.GetProperty("access_token").GetString());
        await using var readClient = await driver.Host.ConnectWithTokenAsync(read.GetProperty("access_token").GetString());
        var all = (await fullClient.ListToolsAsync()).Select(t => t.Name).ToList();
        var readable = (await readClient.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Contains("create_space", all);
        Assert.Contains("delete_space", all); // no scope asked: all the server allows
        Assert.Contains("list_spaces", readable);
        Assert.DoesNotContain("create_space", readable);
        Assert.All((await readClient.ListToolsAsync()), t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint));

        var refused = await readClient.CallToolAsync("create_space", new Dictionary<string, object?> { ["name"] = "x" });
        Assert.True(refused.IsError);
        Assert.Contains("needs the scope raworc:write", McpTestHost.Text(refused));
        Assert.DoesNotContain(driver.Host.Api.LogEntries, e => e.RequestMessage.Method == "POST" && e.RequestMessage.Path.EndsWith("/spaces", StringComparison.Ordinal));
    }
}
