using System.Text.Json;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// One naming rule for identifier arguments (the thing a tool acts on is <c>name</c>; sessions and builds go by
/// <c>session_id</c> and <c>build_id</c>), the argument names of earlier raworc-mcp releases still accepted
/// without being advertised, and the same arguments accepted by tools that call the same route.
/// </summary>
public sealed class ArgumentVocabularyTests
{
    private const string Sid = SessionId;

    /// <summary>tool, the arguments of the earlier README's example, the same call in today's names.</summary>
    public static TheoryData<string, string, string> EarlierNames => new()
    {
        { "create_service_account", """{"user":"api-user","pass":"secure-password","description":"API access user"}""",
            """{"name":"api-user","password":"secure-password","description":"API access user"}""" },
        { "get_service_account", """{"id":"api-user"}""", """{"name":"api-user"}""" },
        { "update_service_account", """{"id":"api-user","description":"Updated description","active":true}""",
            """{"name":"api-user","description":"Updated description","active":true}""" },
        { "delete_service_account", """{"id":"api-user"}""", """{"name":"api-user"}""" },
        { "update_service_account_password", """{"id":"api-user","current_password":"old-password","new_password":"new-secure-password"}""",
            """{"name":"api-user","current_password":"old-password","new_password":"new-secure-password"}""" },
        { "create_role", """{"id":"developer","description":"Developer role","rules":[{"api_groups":[""],"resources":["sessions"],"verbs":["get"]}]}""",
            """{"name":"developer","description":"Developer role","rules":[{"api_groups":[""],"resources":["sessions"],"verbs":["get"]}]}""" },
        { "create_role", """{"id":"developer","rules":[{"apiGroups":[""],"resources":["sessions","messages"],"verbs":["get","list","create"],"resourceNames":["a"]}]}""",
            """{"name":"developer","rules":[{"api_groups":[""],"resources":["sessions","messages"],"verbs":["get","list","create"],"resource_names":["a"]}]}""" },
        { "get_role", """{"id":"developer"}""", """{"name":"developer"}""" },
        { "delete_role", """{"id":"developer"}""", """{"name":"developer"}""" },
        { "create_role_binding", """{"subject":"api-user","role_ref":"developer","space":"staging"}""",
            """{"principal":"api-user","role":"developer","space":"staging"}""" },
        { "get_role_binding", """{"id":"admin-binding"}""", """{"name":"admin-binding"}""" },
        { "delete_role_binding", """{"id":"admin-binding"}""", """{"name":"admin-binding"}""" },
        { "get_agent", """{"space":"production","agent_name":"data-analyzer"}""", """{"space":"production","name":"data-analyzer"}""" },
        { "update_agent", """{"space":"production","agent_name":"data-analyzer","purpose":"enhanced"}""",
            """{"space":"production","name":"data-analyzer","purpose":"enhanced"}""" },
        { "delete_agent", """{"space":"production","agent_name":"data-analyzer"}""", """{"space":"production","name":"data-analyzer"}""" },
        { "update_agent_status", """{"space":"production","agent_name":"data-analyzer","status":"stopped"}""",
            """{"space":"production","name":"data-analyzer","status":"stopped"}""" },
        { "deploy_agent", """{"space":"production","agent_name":"data-analyzer"}""", """{"space":"production","name":"data-analyzer"}""" },
        { "stop_agent", """{"space":"production","agent_name":"data-analyzer"}""", """{"space":"production","name":"data-analyzer"}""" },
        { "get_agent_logs", """{"space":"production","agent_name":"data-analyzer","limit":100,"follow":false}""",
            """{"space":"production","name":"data-analyzer","limit":100}""" },
        { "create_secret", """{"space":"production","key_name":"ANTHROPIC_API_KEY","value":"sk-ant-your-actual-key","description":"Claude API key"}""",
            """{"space":"production","name":"ANTHROPIC_API_KEY","value":"sk-ant-your-actual-key","description":"Claude API key"}""" },
        { "get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY"}""", """{"space":"production","name":"ANTHROPIC_API_KEY"}""" },
        { "update_secret", """{"space":"production","key":"ANTHROPIC_API_KEY","value":"new-secret-value","description":"Updated description"}""",
            """{"space":"production","name":"ANTHROPIC_API_KEY","value":"new-secret-value","description":"Updated description"}""" },
        { "delete_secret", """{"space":"production","key":"ANTHROPIC_API_KEY"}""", """{"space":"production","name":"ANTHROPIC_API_KEY"}""" },
    };

    [Theory]
    [MemberData(nameof(EarlierNames))]
    public async Task Earlier_argument_names_still_work_and_send_the_same_request(string tool, string earlier, string current)
    {
        await using var host = await StartAsync();
        // 404 is never retried and ends every tool after its first request.
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Not found"}}""");
        var viaEarlier = await host.CallAsync(tool, earlier);
        var first = Assert.Single(host.Requests).RequestMessage;
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Not found"}}""");
        await host.CallAsync(tool, current);
        var second = Assert.Single(host.Requests).RequestMessage;

        Assert.DoesNotContain("Invalid argument", Text(viaEarlier));
        Assert.Equal((second.Method, second.AbsoluteUrl, second.Body), (first.Method, first.AbsoluteUrl, first.Body));
    }

    [Fact]
    public async Task Earlier_names_are_not_advertised_and_identifiers_follow_one_rule()
    {
        await using var host = await StartAsync();
        string[] earlier = ["id", "user", "pass", "key", "key_name", "agent_name", "subject", "role_ref"];
        foreach (var tool in await host.Client.ListToolsAsync())
        {
            var properties = tool.ProtocolTool.InputSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Empty(properties.Intersect(earlier));
            Assert.DoesNotContain(properties, p => p.EndsWith("_name", StringComparison.Ordinal) || p == "id");
        }
    }

    [Theory]
    [InlineData("""{"name":"a","agent_name":"b"}""")]
    [InlineData("""{"agent_name":"b","name":"a"}""")]
    public async Task An_argument_given_under_both_names_is_refused(string arguments)
    {
        await using var host = await StartAsync();

        var result = await host.CallAsync("get_agent", arguments);

        Assert.True(result.IsError);
        Assert.Equal("Invalid arguments for get_agent: 'agent_name' is another name for 'name'; give only 'name'.", Text(result));
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Every_tool_addressing_a_session_by_id_accepts_a_space_as_the_others_do()
    {
        // close_session and pause_session call the same route, and so do restore_session and resume_session.
        await using var host = await StartAsync();
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Session not found"}}""");
        var arguments = new Dictionary<string, string>
        {
            ["update_session"] = ""","metadata":{}""",
            ["update_session_state"] = ""","state":"idle" """,
            ["send_message"] = ""","content":"hi" """,
        };
        var tools = (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool)
            .Where(t => t.InputSchema.GetProperty("properties").TryGetProperty("session_id", out _)).Select(t => t.Name).ToList();
        Assert.Contains("close_session", tools);
        foreach (var tool in tools)
        {
            var result = await host.CallAsync(tool, $$"""{"session_id":"{{Sid}}","space":"production" """ + arguments.GetValueOrDefault(tool, "") + "}");
            Assert.DoesNotContain("Invalid argument", Text(result));
        }
    }

    [Fact]
    public async Task The_space_rule_is_said_once_in_the_instructions_and_briefly_on_the_argument()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_DEFAULT_SPACE"] = "team-a" });
        Assert.Contains("a space argument left out means the default space, 'team-a'", host.Client.ServerInstructions);
        var spaces = (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool.InputSchema.GetProperty("properties"))
            .Where(p => p.TryGetProperty("space", out _)).Select(p => p.GetProperty("space").GetProperty("description").GetString()).ToList();
        Assert.True(spaces.Count > 10);
        Assert.All(spaces.Where(d => d != "Omit for a global binding."), d => Assert.Equal("Omit for the default.", d));
    }

    private static Task<McpTestHost> StartAsync(IDictionary<string, string?>? environment = null) => McpTestHost.StartAsync(environment);
}
