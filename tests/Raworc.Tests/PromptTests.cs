using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Raworc.Tests;

/// <summary>MCP prompts through MCP: the listing (snapshot), the rendered workflows and argument errors.</summary>
public sealed class PromptTests
{
    [Fact]
    public async Task Prompts_list_matches_the_committed_snapshot()
    {
        await using var host = await McpTestHost.StartAsync();
        var prompts = await host.Client.ListPromptsAsync();
        var actual = new JsonArray(prompts.Select(p => JsonSerializer.SerializeToNode(p.ProtocolPrompt, Snapshot.Pretty)).ToArray());

        Snapshot.Assert("prompts-list.json", actual.ToJsonString(Snapshot.Pretty) + "\n");
        Assert.Equal(["diagnose_agent", "deploy_agent_from_repo", "fleet_status", "summarize_session"], prompts.Select(p => p.Name));
        Assert.Empty(host.Requests);
    }

    private static async Task<string> RenderAsync(McpTestHost host, string name, Dictionary<string, object?> arguments)
    {
        var result = await host.Client.GetPromptAsync(name, arguments);
        var message = Assert.Single(result.Messages);
        Assert.Equal(Role.User, message.Role);
        return Assert.IsType<TextContentBlock>(message.Content).Text;
    }

    [Fact]
    public async Task Diagnose_agent_names_the_tools_in_order_with_the_arguments()
    {
        await using var host = await McpTestHost.StartAsync();

        string text = await RenderAsync(host, "diagnose_agent", new() { ["space"] = "staging", ["agent"] = "analyzer" });

        AssertInOrder(text, "get_agent (name \"analyzer\", space \"staging\")", "get_agent_logs", "get_latest_build (space \"staging\")",
            "list_secrets", "ANTHROPIC_API_KEY", "list_sessions (space \"staging\", state \"errored\")", "get_messages", "wait_for_build");
        Assert.Contains("change nothing without asking", text);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Deploy_agent_from_repo_builds_waits_and_checks_the_reply()
    {
        await using var host = await McpTestHost.StartAsync();

        string text = await RenderAsync(host, "deploy_agent_from_repo",
            new() { ["space"] = "staging", ["name"] = "analyzer", ["repo"] = "Raworc/raworc-agent-python-demo", ["branch"] = "dev" });

        AssertInOrder(text, "get_space (name \"staging\")", "list_secrets", "create_secret", "get_agent (name \"analyzer\"",
            "create_agent (name \"analyzer\", source_repo \"Raworc/raworc-agent-python-demo\", source_branch \"dev\"", "create_build",
            "wait_for_build", "create_session", "wait_for_session", "send_message", "wait_for_reply true");
        Assert.Contains("never invent one", text);
    }

    [Fact]
    public async Task Optional_arguments_have_defaults()
    {
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_DEFAULT_SPACE"] = "team-a" });

        string deploy = await RenderAsync(host, "deploy_agent_from_repo", new() { ["space"] = "s", ["name"] = "n", ["repo"] = "o/r" });
        string fleet = await RenderAsync(host, "fleet_status", new());

        Assert.Contains("(branch main)", deploy);
        Assert.Contains("status of the Raworc space 'team-a'", fleet);
        AssertInOrder(fleet, "get_space (name \"team-a\")", "list_agents", "get_latest_build", "list_sessions", "get_agent_logs", "get_messages");
    }

    [Fact]
    public async Task Summarize_session_reads_the_transcript()
    {
        await using var host = await McpTestHost.StartAsync();

        string text = await RenderAsync(host, "summarize_session", new() { ["session_id"] = McpTestHost.SessionId });

        AssertInOrder(text, $"get_session (session_id \"{McpTestHost.SessionId}\")", "get_message_count",
            $"raworc://sessions/{McpTestHost.SessionId}/transcript", "get_messages", "latest 200", "wait_for_session");
        Assert.Contains("oldest first", text);
    }

    [Theory]
    [InlineData("diagnose_agent", """{"space":"staging"}""", "Prompt 'diagnose_agent' needs the argument 'agent'.")]
    [InlineData("diagnose_agent", """{}""", "Prompt 'diagnose_agent' needs the arguments 'space', 'agent'.")]
    [InlineData("deploy_agent_from_repo", """{"space":"s","name":" ","repo":"o/r"}""", "Prompt 'deploy_agent_from_repo' needs the argument 'name'.")]
    [InlineData("summarize_session", """{"session":"x"}""", "Prompt 'summarize_session' needs the argument 'session_id'.")]
    [InlineData("fleet_status", """{"spaces":"x"}""", "Prompt 'fleet_status' has no argument 'spaces'; its arguments are space.")]
    [InlineData("no_such_prompt", """{}""", "Unknown prompt: 'no_such_prompt'. Prompts: diagnose_agent, deploy_agent_from_repo, fleet_status, summarize_session.")]
    public async Task Missing_or_unknown_arguments_are_invalid_params(string name, string arguments, string message)
    {
        await using var host = await McpTestHost.StartAsync();
        var args = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(arguments)!;

        var e = await Assert.ThrowsAsync<McpProtocolException>(() =>
            host.Client.GetPromptAsync(new GetPromptRequestParams { Name = name, Arguments = args }).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, e.ErrorCode);
        Assert.EndsWith(": " + message, e.Message); // the SDK client prefixes "Request failed (remote)"
    }

    [Fact]
    public async Task An_argument_over_the_tool_argument_limit_is_invalid_params_naming_it()
    {
        await using var host = await McpTestHost.StartAsync();
        var args = new Dictionary<string, JsonElement>
        {
            ["space"] = JsonSerializer.SerializeToElement("s"),
            ["agent"] = JsonSerializer.SerializeToElement(new string('a', 10_001)),
        };

        var e = await Assert.ThrowsAsync<McpProtocolException>(() =>
            host.Client.GetPromptAsync(new GetPromptRequestParams { Name = "diagnose_agent", Arguments = args }).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, e.ErrorCode);
        Assert.EndsWith(": Prompt 'diagnose_agent': argument 'agent' is 10,001 characters long; the limit is 10,000.", e.Message);
    }

    [Fact]
    public async Task Every_tool_a_prompt_names_exists()
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = (await host.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet();
        var arguments = new Dictionary<string, Dictionary<string, object?>>
        {
            ["diagnose_agent"] = new() { ["space"] = "s", ["agent"] = "a" },
            ["deploy_agent_from_repo"] = new() { ["space"] = "s", ["name"] = "n", ["repo"] = "o/r" },
            ["fleet_status"] = new(),
            ["summarize_session"] = new() { ["session_id"] = "x" },
        };
        foreach (var (name, args) in arguments)
        {
            string text = await RenderAsync(host, name, args);
            var named = System.Text.RegularExpressions.Regex.Matches(text, @"\b[a-z]+(?:_[a-z]+)+\b").Select(m => m.Value).Except(FieldNames);
            foreach (var tool in named) Assert.True(tools.Contains(tool), $"prompt {name} names '{tool}', which is not a tool");
        }
    }

    /// <summary>snake_case words in the prompts that are argument or field names, not tools.</summary>
    private static readonly string[] FieldNames =
    [
        "source_repo", "source_branch", "agents_deployed", "image_tag", "build_id", "session_id", "last_activity_at", "created_at",
        "updated_at", "completed_at", "parent_session_id", "key_name", "agent_name", "show_values", "wait_for_reply",
    ];

    private static void AssertInOrder(string text, params string[] parts)
    {
        int at = 0;
        foreach (var part in parts)
        {
            int found = text.IndexOf(part, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{part}' not found after position {at} in:\n{text}");
            at = found + part.Length;
        }
    }
}
