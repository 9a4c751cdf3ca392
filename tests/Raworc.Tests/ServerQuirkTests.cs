using System.Text.Json.Nodes;
using Raworc.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// What Raworc 0.3.0 really does where it surprises: the tools say so, refuse what the server would mishandle, and
/// report its answers truthfully.
/// </summary>
public sealed class ServerQuirkTests
{
    private const string Uuid = "550e8400-e29b-41d4-a716-446655440000";
    private const string AccountJson = """{"id":"","user":"{0}","space":null,"description":"{1}","active":true,"created_at":"2025-08-30T18:00:00+00:00","updated_at":"2025-08-30T18:00:00+00:00","last_login_at":null}""";

    private static string Account(string user, string description) => AccountJson.Replace("{0}", user).Replace("{1}", description);

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    private const string Unauthorized = """{"error":{"code":"UNAUTHORIZED","message":"Authentication required"}}""";

    [Theory]
    [InlineData("list_spaces", "active spaces")]
    [InlineData("get_agent_logs", "log files on the API host")]
    [InlineData("get_agent_logs", "empty may just mean no file")]
    [InlineData("terminate_session", "its messages stay in the database")]
    [InlineData("send_message", "A closed session needs restore_session")]
    [InlineData("close_session", "restore_session reopens it")]
    public async Task Descriptions_say_what_the_server_does(string tool, string phrase)
    {
        await using var host = await StartAsync();
        var listed = (await host.Client.ListToolsAsync()).Single(t => t.Name == tool).ProtocolTool;
        Assert.Contains(phrase, listed.Description);
        Assert.DoesNotContain("message) reopens", listed.Description);
    }

    [Theory]
    [InlineData("get_agent_logs")] // the server reads the log files by agent name whatever the space
    [InlineData("update_service_account")] // the server's update fails on it
    public async Task A_space_the_server_cannot_use_is_not_offered(string tool)
    {
        await using var host = await StartAsync();
        var listed = (await host.Client.ListToolsAsync()).Single(t => t.Name == tool).ProtocolTool;
        Assert.False(listed.InputSchema.GetProperty("properties").TryGetProperty("space", out _));
    }

    [Fact]
    public async Task A_failed_message_says_how_to_reopen_a_session_that_was_closed()
    {
        await using var host = await StartAsync();
        host.Respond(500, """{"error":{"code":"INTERNAL_ERROR","message":"An internal error occurred"}}""");

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{SessionId}}","content":"hi"}""");

        Assert.True(result.IsError);
        Assert.Contains("if the session was closed: Raworc 0.3.0 does not reopen it for a message", Text(result));
        Assert.Contains("call close_session, then restore_session, then send again", Text(result));
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task A_failed_account_creation_says_that_Raworc_0_3_0_cannot_create_accounts()
    {
        await using var host = await StartAsync();
        host.Respond(500, """{"error":{"code":"DATABASE_ERROR","message":"Database operation failed"}}""");

        var result = await host.CallAsync("create_service_account", """{"name":"bot","password":"pw-1"}""");

        Assert.True(result.IsError);
        Assert.Contains("Raworc 0.3.0 cannot create service accounts (its insert names a column the table lacks)", Text(result));
    }

    [Fact]
    public async Task Update_service_account_refuses_a_space_with_the_reason()
    {
        await using var host = await StartAsync();

        var result = await host.CallAsync("update_service_account", """{"id":"bot","space":"production","description":"d"}""");

        Assert.True(result.IsError);
        Assert.Contains("Raworc 0.3.0 cannot change an account's space", Text(result));
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Update_service_account_shows_the_account_read_back_by_name_not_the_one_the_server_answers()
    {
        await using var host = await StartAsync();
        host.Api.Given(Request.Create().WithPath("/api/v0/service-accounts/bot").UsingPut()).RespondWith(Json(200, Account("admin", "Administrator")));
        host.Api.Given(Request.Create().WithPath("/api/v0/service-accounts/bot").UsingGet()).RespondWith(Json(200, Account("bot", "CI bot")));

        var result = await host.CallAsync("update_service_account", """{"name":"bot","description":"CI bot"}""");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal("bot", (string?)JsonNode.Parse(Text(result))!["user"]);
        Assert.Equal(["PUT", "GET"], host.Requests.Select(r => r.RequestMessage.Method));
        Assert.Equal("""{"description":"CI bot"}""", host.Requests[0].RequestMessage.Body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_wrong_current_password_is_named_as_such_without_logging_in_again(bool withLogin)
    {
        await using var host = await StartAsync(withLogin
            ? new Dictionary<string, string?> { ["RAWORC_AUTH_TOKEN"] = "", ["RAWORC_USERNAME"] = "admin", ["RAWORC_PASSWORD"] = "s3cret" }
            : null);
        host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost())
            .RespondWith(Json(200, """{"token":"fresh","token_type":"Bearer","expires_at":"2025-08-31T18:00:00+00:00"}"""));
        host.Api.Given(Request.Create().WithPath("/api/v0/service-accounts/bot/password").UsingPut()).RespondWith(Json(401, Unauthorized));
        host.Api.Given(Request.Create().WithPath("/api/v0/auth/me").UsingGet()).RespondWith(Json(200, """{"user":"admin","type":"ServiceAccount"}"""));

        var result = await host.CallAsync("update_service_account_password", """{"name":"bot","current_password":"wrong-1","new_password":"new-2"}""");

        Assert.True(result.IsError);
        string text = Text(result);
        Assert.Contains("the current password is wrong; nothing was changed", text);
        Assert.Contains("ask the user for the account's current password", text);
        Assert.DoesNotContain("token", text);
        Assert.DoesNotContain("wrong-1", text);
        // A login only where there was no token yet; the password call is sent once.
        Assert.Equal(withLogin ? 1 : 0, host.Requests.Count(r => r.RequestMessage.Path == "/api/v0/auth/login"));
        Assert.Single(host.Requests, r => r.RequestMessage.Method == "PUT");
    }

    [Fact]
    public async Task A_rejected_token_on_a_password_change_is_still_reported_as_the_token()
    {
        await using var host = await StartAsync();
        host.Respond(401, Unauthorized);

        var result = await host.CallAsync("update_service_account_password", """{"name":"bot","current_password":"old-1","new_password":"new-2"}""");

        Assert.True(result.IsError);
        Assert.Contains("RAWORC_AUTH_TOKEN", Text(result));
        Assert.DoesNotContain("current password is wrong", Text(result));
    }

    [Theory]
    [InlineData("create_service_account", $$"""{"name":"{{Uuid}}","password":"p"}""", "is a UUID")]
    [InlineData("get_service_account", $$"""{"name":"{{Uuid}}"}""", "list_service_accounts shows it")]
    [InlineData("update_service_account", $$"""{"name":"{{Uuid}}","active":false}""", "is a UUID")]
    [InlineData("create_role", $$"""{"name":"{{Uuid}}","rules":[{"api_groups":["*"],"resources":["*"],"verbs":["*"]}]}""", "is a UUID")]
    [InlineData("get_role", """{"name":"urn:uuid:550E8400-E29B-41D4-A716-446655440000"}""", "list_roles shows it")]
    [InlineData("create_role_binding", $$"""{"role":"{{Uuid}}","principal":"bot"}""", "is a UUID")]
    [InlineData("get_role_binding", """{"name":"550e8400e29b41d4a716446655440000"}""", "list_role_bindings shows its bindings")]
    [InlineData("create_agent", """{"name":"running","source_repo":"o/r"}""", "an agent named 'running' cannot be addressed")]
    [InlineData("get_agent", """{"name":"running"}""", "list_running_agents")]
    [InlineData("get_build", """{"build_id":"latest"}""", "use get_latest_build")]
    [InlineData("wait_for_build", """{"build_id":"latest"}""", "use wait_for_build without build_id")]
    public async Task Names_the_server_cannot_address_are_refused_with_the_reason(string tool, string arguments, string reason)
    {
        await using var host = await StartAsync();

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError);
        Assert.StartsWith($"Invalid arguments for {tool}: ", Text(result));
        Assert.Contains(reason, Text(result));
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task A_single_attempt_needs_no_retry_strategy_and_sends_once()
    {
        var api = StartApi();
        try
        {
            api.Given(Request.Create().UsingAnyMethod()).RespondWith(Json(503, """{"error":{"code":"UNAVAILABLE","message":"busy"}}"""));
            using var client = new RaworcClient(new RaworcClientOptions { ApiUrl = new Uri(api.Url + "/api/v0"), Token = "t", MaxAttempts = 1 });

            var e = await Assert.ThrowsAsync<RaworcApiException>(() => client.ListSpacesAsync());

            Assert.Equal(503, e.StatusCode);
            Assert.Single(api.LogEntries);
        }
        finally
        {
            api.Stop();
            api.Dispose();
        }
    }

    private static Task<McpTestHost> StartAsync(IDictionary<string, string?>? environment = null) => McpTestHost.StartAsync(environment);
}
