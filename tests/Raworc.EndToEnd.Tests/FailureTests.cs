namespace Raworc.EndToEnd.Tests;

/// <summary>What the model sees when something is wrong: unknown names and expired credentials.</summary>
public sealed class FailureTests
{
    [Theory]
    [InlineData("get_space", """{"name":"no-such-space"}""", "list_spaces")]
    [InlineData("get_agent", """{"agent_name":"no-such-agent","space":"default"}""", "list_agents")]
    [InlineData("get_session", """{"session_id":"00000000-0000-4000-8000-000000000000"}""", "list_sessions")]
    [InlineData("get_secret", """{"key":"NO_SUCH_KEY","space":"default"}""", "list_secrets")]
    [InlineData("get_latest_build", """{"space":"default"}""", "create_build")]
    public async Task Unknown_names_are_404_errors_with_a_next_step(string tool, string args, string nextTool)
    {
        await using var standIn = await E2e.StartStandInAsync();
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl);

        var error = await mcp.ErrorAsync(tool, System.Text.Json.JsonDocument.Parse(args).RootElement);
        Assert.StartsWith("Raworc API error (HTTP 404", error);
        Assert.Contains("Next step:", error);
        Assert.Contains(nextTool, error);
    }

    [Fact]
    public async Task An_expired_token_is_a_clear_401()
    {
        await using var standIn = await E2e.StartStandInAsync(tokenLifetime: TimeSpan.FromSeconds(1));
        var token = await E2e.LoginAsync(standIn);
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl, new Dictionary<string, string> { ["RAWORC_AUTH_TOKEN"] = token });

        await WaitUntilExpiredAsync(standIn, token);
        var error = await mcp.ErrorAsync("list_spaces");
        Assert.Contains("HTTP 401", error);
        Assert.Contains("RAWORC_AUTH_TOKEN", error);
        Assert.Contains("Next step:", error);
        // Endpoints without authentication still work.
        Assert.Equal("0.3.0", (await mcp.CallAsync("get_version")).Str("version"));
    }

    [Fact]
    public async Task With_a_username_and_password_an_expired_token_is_renewed_transparently()
    {
        await using var standIn = await E2e.StartStandInAsync(tokenLifetime: TimeSpan.FromSeconds(1));
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl,
            new Dictionary<string, string> { ["RAWORC_USERNAME"] = "admin", ["RAWORC_PASSWORD"] = "admin" });

        Assert.Equal("admin", (await mcp.CallAsync("whoami")).Str("user")); // logs in and caches a 1 s token
        await Task.Delay(TimeSpan.FromMilliseconds(1600));
        Assert.Equal("admin", (await mcp.CallAsync("whoami")).Str("user"));
        Assert.Contains("default", (await mcp.CallAsync("list_spaces")).Names());
        await Task.Delay(TimeSpan.FromMilliseconds(1600));
        Assert.Contains("default", (await mcp.CallAsync("list_spaces")).Names());
    }

    [Fact]
    public async Task Wrong_password_is_reported_as_such()
    {
        await using var standIn = await E2e.StartStandInAsync();
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl,
            new Dictionary<string, string> { ["RAWORC_USERNAME"] = "admin", ["RAWORC_PASSWORD"] = "wrong" });
        var error = await mcp.ErrorAsync("whoami");
        Assert.Contains("HTTP 401", error);
        Assert.Contains("RAWORC_PASSWORD", error);
    }

    /// <summary>Waits (bounded) until the stand-in itself rejects the token, so the assertion is about the server's handling.</summary>
    private static async Task WaitUntilExpiredAsync(Raworc.StandIn.RunningStandIn standIn, string token)
    {
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, standIn.BaseUrl + "/auth/me");
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized) return;
            await Task.Delay(100);
        }
        Assert.Fail("the stand-in never expired the token");
    }
}
