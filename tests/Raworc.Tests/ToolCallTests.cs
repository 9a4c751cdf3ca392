using System.Text.Json;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// Every tool, driven through MCP against WireMock: the exact HTTP request (method, path, query, body,
/// Authorization) and the exact text the model receives.
/// </summary>
public sealed class ToolCallTests
{
    private const string Sid = SessionId;
    private const string T0 = "2025-08-30T18:00:00+00:00";

    // API responses (with the API's empty ids and nulls) and what the model sees (nulls and empty ids dropped).
    private const string AccountApi = $$"""{"id":"","user":"bot","space":null,"description":"CI bot","active":true,"created_at":"{{T0}}","updated_at":"{{T0}}","last_login_at":null}""";
    private const string Account = $$"""{"user":"bot","description":"CI bot","active":true,"created_at":"{{T0}}","updated_at":"{{T0}}"}""";
    private const string RoleApi = """{"id":"","name":"reader","rules":[{"api_groups":["api"],"resources":["sessions"],"verbs":["get","list"]}],"description":null,"created_at":"2025-08-30T18:21:00.734112+00:00"}""";
    private const string Role = """{"name":"reader","rules":[{"api_groups":["api"],"resources":["sessions"],"verbs":["get","list"]}],"created_at":"2025-08-30T18:21:00.734112+00:00"}""";
    private const string BindingApi = $$"""{"id":"","role_name":"reader","principal":"bot","principal_type":"ServiceAccount","space":"staging","created_at":"{{T0}}"}""";
    private const string Binding = $$"""{"role_name":"reader","principal":"bot","principal_type":"ServiceAccount","space":"staging","created_at":"{{T0}}"}""";
    private const string Space = $$"""{"name":"staging","description":"Staging","settings":{"environment":"staging"},"active":true,"created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";
    private const string Secret = $$"""{"space":"default","key_name":"ANTHROPIC_API_KEY","description":"Claude API key","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";
    private const string SecretWithValue = $$"""{"space":"default","key_name":"ANTHROPIC_API_KEY","description":"Claude API key","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin","encrypted_value":"sk-ant-test"}""";
    private const string Agent = $$"""{"name":"data-analyzer","space":"default","description":"Data analysis","purpose":"analyze data","source_repo":"Raworc/raworc-agent-python-demo","source_branch":"main","status":"configured","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"system"}""";
    private const string BuildApi = """{"space":"default","status":"pending","image_tag":null,"build_id":"0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11","started_at":"2025-08-30T18:20:01.482915+00:00","completed_at":null,"agents_deployed":[],"error":null}""";
    private const string Build = """{"build_id":"0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11","space":"default","status":"pending","started_at":"2025-08-30T18:20:01.482915+00:00","agents_deployed":[]}""";
    private const string SessionApi = $$$"""{"id":"{{{Sid}}}","space":"default","created_by":"admin","state":"init","container_id":null,"persistent_volume_id":null,"parent_session_id":null,"created_at":"{{{T0}}}","last_activity_at":null,"metadata":{"purpose":"testing"}}""";
    private const string Session = $$$"""{"id":"{{{Sid}}}","space":"default","created_by":"admin","state":"init","created_at":"{{{T0}}}","metadata":{"purpose":"testing"}}""";
    private const string Message = $$"""{"id":"a1b2c3d4-0000-4c55-9a0e-2b7d4f1e0c11","session_id":"{{Sid}}","role":"user","content":"Generate a Python script","metadata":{},"created_at":"2025-08-30T18:23:10.5+00:00"}""";

    public static TheoryData<string, string, string, string, string?, int, string?, string> Cases => new()
    {
        // tool, arguments, method, path and query, request body, status, response body, what the model sees
        { "whoami", "{}", "GET", "/api/v0/auth/me", null, 200, """{"user":"admin","namespace":null,"type":"ServiceAccount"}""", """{"user":"admin","type":"ServiceAccount"}""" },

        { "list_service_accounts", "{}", "GET", "/api/v0/service-accounts", null, 200, $"[{AccountApi}]", $"[{Account}]" },
        { "create_service_account", """{"name":"bot","password":"pw-1","description":"CI bot"}""", "POST", "/api/v0/service-accounts",
            """{"user":"bot","pass":"pw-1","description":"CI bot"}""", 200, AccountApi, Account },
        { "get_service_account", """{"name":"bot"}""", "GET", "/api/v0/service-accounts/bot", null, 200, AccountApi, Account },
        { "delete_service_account", """{"name":"bot"}""", "DELETE", "/api/v0/service-accounts/bot", null, 200, null,
            """{"success":true,"message":"Deleted service account 'bot'."}""" },
        { "update_service_account_password", """{"name":"bot","current_password":"old-1","new_password":"new-2"}""", "PUT", "/api/v0/service-accounts/bot/password",
            """{"current_password":"old-1","new_password":"new-2"}""", 200, null, """{"success":true,"message":"Changed the password of service account 'bot'."}""" },

        { "list_roles", "{}", "GET", "/api/v0/roles", null, 200, $"[{RoleApi}]", $"[{Role}]" },
        { "create_role", """{"name":"reader","rules":[{"api_groups":["api"],"resources":["sessions"],"verbs":["get","list"]}],"description":"Read sessions"}""",
            "POST", "/api/v0/roles", """{"name":"reader","rules":[{"api_groups":["api"],"resources":["sessions"],"verbs":["get","list"]}],"description":"Read sessions"}""",
            200, RoleApi, Role },
        { "get_role", """{"name":"reader"}""", "GET", "/api/v0/roles/reader", null, 200, RoleApi, Role },
        { "delete_role", """{"name":"reader"}""", "DELETE", "/api/v0/roles/reader", null, 200, null, """{"success":true,"message":"Deleted role 'reader' and its bindings."}""" },
        { "list_role_bindings", "{}", "GET", "/api/v0/role-bindings", null, 200, $"[{BindingApi}]", $"[{Binding}]" },
        { "create_role_binding", """{"principal":"bot","role":"reader","space":"staging"}""", "POST", "/api/v0/role-bindings",
            """{"role_name":"reader","principal":"bot","principal_type":"ServiceAccount","space":"staging"}""", 200, BindingApi, Binding },
        { "get_role_binding", """{"name":"reader"}""", "GET", "/api/v0/role-bindings/reader", null, 200, BindingApi, Binding },
        { "delete_role_binding", """{"name":"reader"}""", "DELETE", "/api/v0/role-bindings/reader", null, 200, null,
            """{"success":true,"message":"Deleted the global bindings of role 'reader'."}""" },

        { "list_spaces", "{}", "GET", "/api/v0/spaces", null, 200, $"[{Space}]", $"[{Space}]" },
        { "create_space", """{"name":"staging","description":"Staging","settings":{"environment":"staging"}}""", "POST", "/api/v0/spaces",
            """{"name":"staging","description":"Staging","settings":{"environment":"staging"}}""", 200, Space, Space },
        { "get_space", """{"name":"staging"}""", "GET", "/api/v0/spaces/staging", null, 200, Space, Space },
        { "update_space", """{"name":"staging","description":"Updated"}""", "PUT", "/api/v0/spaces/staging", """{"description":"Updated"}""", 200, Space, Space },
        { "delete_space", """{"name":"staging"}""", "DELETE", "/api/v0/spaces/staging", null, 200, "", """{"success":true,"message":"Deleted space 'staging'."}""" },

        { "list_sessions", """{"space":"production"}""", "GET", "/api/v0/sessions?space=production", null, 200, $"[{SessionApi}]", $"[{Session}]" },
        { "list_sessions", """{"state":"idle"}""", "GET", "/api/v0/sessions?space=default&state=idle", null, 200, "[]", "[]" },
        { "create_session", """{"space":"development","metadata":{"purpose":"testing"}}""", "POST", "/api/v0/sessions",
            """{"space":"development","metadata":{"purpose":"testing"}}""", 200, SessionApi, Session },
        { "create_session", "{}", "POST", "/api/v0/sessions", """{"space":"default"}""", 200, SessionApi, Session },
        { "get_session", $$"""{"session_id":"{{Sid}}","space":"production"}""", "GET", $"/api/v0/sessions/{Sid}", null, 200, SessionApi, Session },
        { "update_session", $$$"""{"session_id":"{{{Sid}}}","metadata":{"purpose":"testing"}}""", "PUT", $"/api/v0/sessions/{Sid}",
            """{"metadata":{"purpose":"testing"}}""", 200, SessionApi, Session },
        { "update_session_state", $$"""{"session_id":"{{Sid}}","state":"closed"}""", "PUT", $"/api/v0/sessions/{Sid}/state",
            """{"state":"closed"}""", 200, """{"success":true,"state":"closed"}""", """{"success":true,"state":"closed"}""" },
        { "close_session", $$"""{"session_id":"{{Sid}}"}""", "POST", $"/api/v0/sessions/{Sid}/close", null, 200, SessionApi, Session },
        { "restore_session", $$"""{"session_id":"{{Sid}}"}""", "POST", $"/api/v0/sessions/{Sid}/restore", null, 200, SessionApi, Session },
        { "remix_session", $$"""{"session_id":"{{Sid}}","space":"development"}""", "POST", $"/api/v0/sessions/{Sid}/remix", "{}", 200, SessionApi, Session },
        { "pause_session", $$"""{"session_id":"{{Sid}}","space":"production"}""", "POST", $"/api/v0/sessions/{Sid}/close", null, 200, SessionApi, Session },
        { "resume_session", $$"""{"session_id":"{{Sid}}","space":"production"}""", "POST", $"/api/v0/sessions/{Sid}/restore", null, 200, SessionApi, Session },
        { "terminate_session", $$"""{"session_id":"{{Sid}}","space":"production"}""", "DELETE", $"/api/v0/sessions/{Sid}", null, 200, null,
            $$"""{"success":true,"message":"Terminated session '{{Sid}}'."}""" },

        { "get_messages", $$"""{"session_id":"{{Sid}}","space":"production","limit":10}""", "GET", $"/api/v0/sessions/{Sid}/messages?limit=10", null, 200,
            $"[{Message}]", $"[{Message}]" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":5,"offset":20}""", "GET", $"/api/v0/sessions/{Sid}/messages?limit=5&offset=20", null, 200, "[]", "[]" },
        { "send_message", $$"""{"session_id":"{{Sid}}","space":"production","content":"Generate a Python script"}""", "POST", $"/api/v0/sessions/{Sid}/messages",
            """{"role":"user","content":"Generate a Python script"}""", 200, Message, Message },
        { "get_message_count", $$"""{"session_id":"{{Sid}}"}""", "GET", $"/api/v0/sessions/{Sid}/messages/count", null, 200,
            $$"""{"count":2,"session_id":"{{Sid}}"}""", $$"""{"count":2,"session_id":"{{Sid}}"}""" },
        { "clear_messages", $$"""{"session_id":"{{Sid}}"}""", "DELETE", $"/api/v0/sessions/{Sid}/messages", null, 200,
            $$"""{"deleted":2,"session_id":"{{Sid}}"}""", $$"""{"deleted":2,"session_id":"{{Sid}}"}""" },

        { "list_agents", """{"space":"production"}""", "GET", "/api/v0/spaces/production/agents", null, 200, $"[{Agent}]", $"[{Agent}]" },
        { "create_agent", """{"space":"production","name":"data-analyzer","description":"Data analysis","purpose":"analyze data","source_repo":"Raworc/raworc-agent-python-demo","source_branch":"main"}""",
            "POST", "/api/v0/spaces/production/agents",
            """{"name":"data-analyzer","source_repo":"Raworc/raworc-agent-python-demo","description":"Data analysis","purpose":"analyze data","source_branch":"main"}""",
            201, Agent, Agent },
        { "get_agent", """{"space":"production","name":"data-analyzer"}""", "GET", "/api/v0/spaces/production/agents/data-analyzer", null, 200, Agent, Agent },
        { "update_agent", """{"name":"data-analyzer","purpose":"enhanced analysis"}""", "PUT", "/api/v0/spaces/default/agents/data-analyzer",
            """{"purpose":"enhanced analysis"}""", 200, Agent, Agent },
        { "delete_agent", """{"space":"production","name":"data-analyzer"}""", "DELETE", "/api/v0/spaces/production/agents/data-analyzer", null, 204, null,
            """{"success":true,"message":"Deleted agent 'data-analyzer' from space 'production'."}""" },
        { "update_agent_status", """{"space":"production","name":"data-analyzer","status":"stopped"}""", "PATCH",
            "/api/v0/spaces/production/agents/data-analyzer/status", """{"status":"stopped"}""", 200, Agent, Agent },
        { "deploy_agent", """{"space":"production","name":"data-analyzer"}""", "POST", "/api/v0/spaces/production/agents/data-analyzer/deploy", null, 200, Agent, Agent },
        { "stop_agent", """{"space":"production","name":"data-analyzer"}""", "POST", "/api/v0/spaces/production/agents/data-analyzer/stop", null, 200, Agent, Agent },
        { "list_running_agents", """{"space":"production"}""", "GET", "/api/v0/spaces/production/agents/running", null, 200, "[]", "[]" },
        { "get_agent_logs", """{"space":"production","name":"data-analyzer","limit":100,"follow":false,"log_type":"stderr"}""", "GET",
            "/api/v0/spaces/production/agents/data-analyzer/logs?lines=100&log_type=stderr", null, 200,
            """{"agent_name":"data-analyzer","space":"production","stdout":[],"stderr":["boom"],"timestamp":"2025-08-30T18:22:00.500+00:00"}""",
            """{"agent_name":"data-analyzer","stdout":[],"stderr":["boom"],"timestamp":"2025-08-30T18:22:00.5+00:00"}""" },

        { "list_secrets", """{"space":"production","show_values":false}""", "GET", "/api/v0/spaces/production/secrets", null, 200, $"[{Secret}]", $"[{Secret}]" },
        { "list_secrets", """{"show_values":true}""", "GET", "/api/v0/spaces/default/secrets?show_values=true", null, 200, $"[{SecretWithValue}]", $"[{SecretWithValue}]" },
        { "create_secret", """{"space":"production","name":"ANTHROPIC_API_KEY","value":"sk-ant-test","description":"Claude API key"}""", "POST",
            "/api/v0/spaces/production/secrets", """{"key_name":"ANTHROPIC_API_KEY","value":"sk-ant-test","description":"Claude API key"}""", 200, Secret, Secret },
        { "get_secret", """{"space":"production","name":"ANTHROPIC_API_KEY","show_values":true}""", "GET",
            "/api/v0/spaces/production/secrets/ANTHROPIC_API_KEY?show_values=true", null, 200, SecretWithValue, SecretWithValue },
        { "update_secret", """{"space":"production","name":"ANTHROPIC_API_KEY","value":"sk-ant-new"}""", "PUT", "/api/v0/spaces/production/secrets/ANTHROPIC_API_KEY",
            """{"value":"sk-ant-new"}""", 200, Secret, Secret },
        { "delete_secret", """{"space":"production","name":"ANTHROPIC_API_KEY"}""", "DELETE", "/api/v0/spaces/production/secrets/ANTHROPIC_API_KEY", null, 200, null,
            """{"success":true,"message":"Deleted secret 'ANTHROPIC_API_KEY' from space 'production'."}""" },

        { "create_build", """{"space":"production","dockerfile":"Dockerfile"}""", "POST", "/api/v0/spaces/production/build", "{}", 200, BuildApi, Build },
        { "create_build", """{"force_rebuild":true}""", "POST", "/api/v0/spaces/default/build", """{"force_rebuild":true}""", 200, BuildApi, Build },
        { "get_latest_build", """{"space":"production"}""", "GET", "/api/v0/spaces/production/build/latest", null, 200, BuildApi, Build },
        { "get_build", """{"space":"production","build_id":"0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11"}""", "GET",
            "/api/v0/spaces/production/build/0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11", null, 200, BuildApi, Build },
        // Already finished: one read, the result is the resource itself (Tools/BuildToolsTests and SessionToolsTests cover the polling).
        { "wait_for_build", """{"space":"production","build_id":"0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11"}""", "GET",
            "/api/v0/spaces/production/build/0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11", null, 200,
            BuildApi.Replace("\"pending\"", "\"completed\""), Build.Replace("\"pending\"", "\"completed\"") },
        { "wait_for_session", $$"""{"session_id":"{{Sid}}","state":"closed"}""", "GET", $"/api/v0/sessions/{Sid}", null, 200,
            SessionApi.Replace("\"init\"", "\"closed\""), Session.Replace("\"init\"", "\"closed\"") },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Tool_sends_the_contract_request_and_returns_the_api_json(
        string tool, string arguments, string method, string pathAndQuery, string? requestBody, int status, string? responseBody, string expected)
    {
        await using var host = await StartAsync();
        host.Respond(status, responseBody);

        var result = await host.CallAsync(tool, arguments);

        var request = host.SingleRequest().RequestMessage;
        Assert.Equal(method, request.Method);
        Assert.Equal(pathAndQuery, new Uri(request.AbsoluteUrl).PathAndQuery);
        Assert.Equal($"Bearer {Token}", request.Headers!["Authorization"].Single());
        if (requestBody is null)
        {
            Assert.True(string.IsNullOrEmpty(request.Body), $"expected no body, got {request.Body}");
        }
        else
        {
            Assert.Equal("application/json", request.Headers!["Content-Type"].Single().Split(';')[0]);
            Assert.Equal(requestBody, request.Body);
        }
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(expected, Text(result));
    }

    [Fact]
    public async Task Every_tool_has_a_case()
    {
        await using var host = await StartAsync();
        var listed = (await host.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet();
        var covered = Cases.Select(c => (string)c[0]).Concat(["health_check", "get_version", "update_service_account"]).ToHashSet();
        Assert.Empty(listed.Except(covered));
        Assert.Equal(57, listed.Count);
    }

    [Fact]
    public async Task Optional_space_defaults_to_RAWORC_DEFAULT_SPACE()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_DEFAULT_SPACE"] = "team-a" });
        host.Respond(200, "[]");

        await host.CallAsync("list_agents");

        Assert.Equal("/api/v0/spaces/team-a/agents", host.SingleRequest().RequestMessage.Path);
    }

    [Fact]
    public async Task Results_are_compact_and_not_escaped()
    {
        await using var host = await StartAsync();
        host.Respond(200, """{"id":"m","session_id":"s","role":"agent","content":"Voilà: \"quoted\" <tag> & 'single' ✓","metadata":{"a":[1, 2]},"created_at":"2025-08-30T18:23:10+00:00"}""");

        var text = Text(await host.CallAsync("send_message", """{"session_id":"s","content":"hi"}"""));

        Assert.Equal("""{"id":"m","session_id":"s","role":"agent","content":"Voilà: \"quoted\" <tag> & 'single' ✓","metadata":{"a":[1,2]},"created_at":"2025-08-30T18:23:10+00:00"}""", text);
    }

    [Theory]
    [InlineData("2025-08-30T18:14:59+00:00")]
    [InlineData("2025-08-30T18:14:59.1+00:00")]
    [InlineData("2025-08-30T18:14:59.123+00:00")]
    [InlineData("2025-08-30T18:14:59.123456+00:00")]
    [InlineData("2025-08-30T18:14:59.123456789+00:00")]
    public async Task Timestamps_with_any_fraction_are_accepted(string timestamp)
    {
        await using var host = await StartAsync();
        host.Respond(200, $$"""{"token":"t","token_type":"Bearer","expires_at":"{{timestamp}}","count":1,"session_id":"s"}""");

        var result = await host.CallAsync("get_message_count", """{"session_id":"s"}""");

        Assert.False(result.IsError ?? false, Text(result));
        host.Respond(200, $$"""{"id":"s","space":"d","state":"idle","created_at":"{{timestamp}}"}""");
        var session = await host.CallAsync("get_session", """{"session_id":"s"}""");
        Assert.False(session.IsError ?? false, Text(session));
        var parsed = JsonDocument.Parse(Text(session)).RootElement.GetProperty("created_at").GetDateTimeOffset();
        Assert.Equal(DateTimeOffset.Parse(timestamp).UtcTicks / 10, parsed.UtcTicks / 10);
    }
}
