using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Raworc.Mcp;
using Raworc.Mcp.Tools;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// Safe by default: without flags nothing destructive is offered; --read-only offers only tools that change nothing;
/// --toolsets and --tools narrow the list. A tool left out is refused when called anyway (a client may call tools it
/// was never offered), with the reason, and no request reaches the API.
/// </summary>
public sealed class ModeTests
{
    /// <summary>The mode variables as a user who set none of them sees them (the host turns two on by default).</summary>
    private static Dictionary<string, string?> Modes(params (string Name, string Value)[] set)
    {
        var env = new Dictionary<string, string?>
        {
            [ServerConfiguration.AllowDestructiveVariable] = "",
            [ServerConfiguration.AllowSecretValuesVariable] = "",
        };
        foreach (var (name, value) in set) env[name] = value;
        return env;
    }

    /// <summary>Every tool of the catalog with its tool set and effect, whatever the modes.</summary>
    private static IReadOnlyList<CatalogEntry> Catalog()
    {
        var configuration = ServerConfiguration.Load(name => name == ServerConfiguration.AllowDestructiveVariable ? "true" : null, EmptyHome());
        using var server = new RaworcServer(configuration, NullLoggerFactory.Instance);
        Assert.Empty(server.DisabledTools);
        return server.Tools;
    }

    private static void SameSet(IEnumerable<string> expected, IEnumerable<string> actual) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToList(), actual.Order(StringComparer.Ordinal).ToList());

    private static async Task<HashSet<string>> ListedAsync(McpTestHost host) =>
        (await host.Client.ListToolsAsync()).Select(t => t.Name).ToHashSet();

    private static async Task AssertRefusedAsync(McpTestHost host, string tool, string arguments, params string[] reasonParts)
    {
        var result = await host.CallAsync(tool, arguments);
        Assert.True(result.IsError, $"{tool}: {Text(result)}");
        Assert.StartsWith($"The tool {tool} is disabled on this server: ", Text(result));
        foreach (var part in reasonParts) Assert.Contains(part, Text(result));
    }

    [Fact]
    public async Task Default_mode_lists_no_destructive_tool_and_refuses_every_one_without_a_request()
    {
        await using var host = await StartAsync(Modes());
        host.Respond(200, "{}");

        var tools = await host.Client.ListToolsAsync();
        Assert.NotEmpty(tools);
        // A hint left out means its MCP default (destructive true), except on a read-only tool, where it means nothing.
        Assert.All(tools, t => Assert.False(t.ProtocolTool.Annotations?.ReadOnlyHint != true && (t.ProtocolTool.Annotations?.DestructiveHint ?? true), t.Name));

        var destructive = Catalog().Where(e => e.Definition.Effect == ToolEffect.Delete).Select(e => e.Name).ToList();
        Assert.Contains("delete_space", destructive);
        Assert.True(destructive.Count >= 8, string.Join(",", destructive));
        Assert.Empty(tools.Select(t => t.Name).Intersect(destructive));
        Assert.Equal(Catalog().Count - destructive.Count, tools.Count);

        await AssertRefusedAsync(host, "delete_space", """{"name":"staging"}""", "--allow-destructive", "RAWORC_ALLOW_DESTRUCTIVE=true", "destroys data");
        foreach (var tool in destructive)
            await AssertRefusedAsync(host, tool, "{}", "--allow-destructive");
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Allow_destructive_offers_the_destructive_tools()
    {
        await using var host = await StartAsync(Modes((ServerConfiguration.AllowDestructiveVariable, "true")));
        host.Respond(200, "");

        SameSet(Catalog().Select(e => e.Name), await ListedAsync(host));
        var result = await host.CallAsync("delete_space", """{"name":"staging"}""");
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal("DELETE", host.SingleRequest().RequestMessage.Method);
    }

    [Fact]
    public async Task Read_only_lists_only_read_only_tools_and_refuses_the_others_without_a_request()
    {
        await using var host = await StartAsync(Modes((ServerConfiguration.ReadOnlyVariable, "true")));
        host.Respond(200, "{}");

        var tools = await host.Client.ListToolsAsync();
        Assert.All(tools, t => Assert.True(t.ProtocolTool.Annotations?.ReadOnlyHint, t.Name));
        var readOnly = Catalog().Where(e => e.Definition.Effect == ToolEffect.Read).Select(e => e.Name).ToHashSet();
        SameSet(readOnly, tools.Select(t => t.Name));

        await AssertRefusedAsync(host, "create_space", """{"name":"staging"}""", "read-only mode", "--read-only", "RAWORC_READ_ONLY");
        await AssertRefusedAsync(host, "send_message", $$"""{"session_id":"{{SessionId}}","content":"hi"}""", "read-only mode");
        foreach (var entry in Catalog().Where(e => e.Definition.Effect != ToolEffect.Read))
            await AssertRefusedAsync(host, entry.Name, "{}", "read-only");
        Assert.Empty(host.Requests);

        // What is offered still works.
        host.Respond(200, "[]");
        var spaces = await host.CallAsync("list_spaces");
        Assert.False(spaces.IsError ?? false, Text(spaces));
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task Read_only_wins_over_allow_destructive_and_over_tools_naming_a_write_tool()
    {
        await using var host = await StartAsync(Modes(
            (ServerConfiguration.ReadOnlyVariable, "true"),
            (ServerConfiguration.AllowDestructiveVariable, "true"),
            (ServerConfiguration.ToolsVariable, "create_space,delete_space,list_spaces")));
        host.Respond(200, "{}");

        SameSet(["list_spaces"], await ListedAsync(host));
        await AssertRefusedAsync(host, "create_space", """{"name":"staging"}""", "read-only");
        await AssertRefusedAsync(host, "delete_space", """{"name":"staging"}""", "read-only");
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Toolsets_list_only_those_sets_and_refuse_the_others_naming_toolsets()
    {
        await using var host = await StartAsync(Modes((ServerConfiguration.ToolsetsVariable, "sessions,messages")));
        host.Respond(200, "[]");

        var expected = Catalog().Where(e => e.Toolset is "sessions" or "messages" && e.Definition.Effect != ToolEffect.Delete)
            .Select(e => e.Name).ToHashSet();
        Assert.Contains("list_sessions", expected);
        Assert.Contains("send_message", expected);
        SameSet(expected, await ListedAsync(host));

        await AssertRefusedAsync(host, "list_spaces", "{}", "not selected", "'spaces'", "--toolsets");
        await AssertRefusedAsync(host, "whoami", "{}", "--toolsets", "--tools");
        // A destructive tool of a chosen set still needs --allow-destructive.
        await AssertRefusedAsync(host, "terminate_session", $$"""{"session_id":"{{SessionId}}"}""", "--allow-destructive");
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Toolsets_are_case_and_space_tolerant_and_all_means_every_set()
    {
        await using (var host = await StartAsync(Modes((ServerConfiguration.ToolsetsVariable, " Sessions , MESSAGES "))))
            Assert.Contains("send_message", await ListedAsync(host));
        await using (var host = await StartAsync(Modes((ServerConfiguration.ToolsetsVariable, "all"))))
            Assert.Equal(Catalog().Count(e => e.Definition.Effect != ToolEffect.Delete), (await ListedAsync(host)).Count);
    }

    [Fact]
    public async Task Tools_alone_lists_exactly_those_and_destructive_ones_still_need_allow_destructive()
    {
        await using var host = await StartAsync(Modes((ServerConfiguration.ToolsVariable, "whoami,get_space,delete_space")));
        host.Respond(200, "{}");

        SameSet(["whoami", "get_space"], await ListedAsync(host));
        await AssertRefusedAsync(host, "delete_space", """{"name":"staging"}""", "--allow-destructive");
        await AssertRefusedAsync(host, "list_spaces", "{}", "not selected", "--tools");
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Toolsets_and_tools_together_offer_the_union()
    {
        await using var host = await StartAsync(Modes(
            (ServerConfiguration.ToolsetsVariable, "messages"),
            (ServerConfiguration.ToolsVariable, "whoami,get_session")));

        var expected = Catalog().Where(e => e.Toolset == "messages" && e.Definition.Effect != ToolEffect.Delete).Select(e => e.Name)
            .Append("whoami").Append("get_session").ToHashSet();
        SameSet(expected, await ListedAsync(host));
    }

    [Fact]
    public async Task A_tool_that_does_not_exist_is_a_protocol_error_not_a_refusal()
    {
        await using var host = await StartAsync(Modes((ServerConfiguration.ReadOnlyVariable, "true")));

        var e = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => host.CallAsync("drop_everything"));
        Assert.Equal(ModelContextProtocol.McpErrorCode.InvalidParams, e.ErrorCode);
        Assert.Contains("drop_everything", e.Message);
    }

    // ---- The binary: start-up, flags over environment, usage errors ----

    [Theory]
    [InlineData(ServerConfiguration.ToolsetsVariable, "sessions,bogus", "unknown tool set 'bogus'")]
    [InlineData(ServerConfiguration.ToolsVariable, "whoami,drop_tables", "unknown tool 'drop_tables'")]
    public async Task Unknown_toolset_or_tool_in_the_environment_exits_two_naming_it(string variable, string value, string expected)
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, "", (variable, value));
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr);
        Assert.Contains(variable, stderr);
    }

    [Theory]
    [InlineData("--toolsets", "bogus", "unknown tool set 'bogus'")]
    [InlineData("--tools", "drop_tables", "unknown tool 'drop_tables'")]
    [InlineData("--toolsets=spaces,nope", null, "unknown tool set 'nope'")]
    public async Task Unknown_toolset_or_tool_flag_exits_two_naming_it(string flag, string? value, string expected)
    {
        string[] arguments = value is null ? [flag] : [flag, value];
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(arguments, "");
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(expected, stderr);
        // The manifest is no way around it either.
        var (manifestExit, _, manifestErr) = await BinaryProcess.RunAsync(["--manifest", .. arguments]);
        Assert.Equal(2, manifestExit);
        Assert.Contains(expected, manifestErr);
    }

    [Theory]
    [InlineData(ServerConfiguration.ReadOnlyVariable, "maybe")]
    [InlineData(ServerConfiguration.AllowDestructiveVariable, "sure")]
    [InlineData(ServerConfiguration.AllowSecretValuesVariable, "2")]
    public async Task Bad_boolean_in_the_environment_exits_two_naming_the_variable(string variable, string value)
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, "", (variable, value));
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(variable, stderr);
        Assert.Contains($"'{value}'", stderr);
    }

    [Theory]
    [InlineData("--read-only=yes", "--read-only takes no value")]
    [InlineData("--tools", "--tools needs a value")]
    [InlineData("--allow-destructive=1", "--allow-destructive takes no value")]
    public async Task Malformed_mode_flag_exits_two(string flag, string expected)
    {
        var (exit, _, stderr) = await BinaryProcess.RunAsync([flag], "");
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public async Task Manifest_with_read_only_shows_the_modes_and_every_disabled_tool_with_its_reason()
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--manifest", "--read-only"]);
        Assert.True(exit == 0, stderr);
        var manifest = JsonDocument.Parse(stdout).RootElement;

        string modes = manifest.GetProperty("modes").GetString()!;
        Assert.Contains("read-only on", modes);
        Assert.Contains("destructive tools hidden", modes);
        Assert.Contains("secret values only with the user's consent", modes);

        var catalog = Catalog();
        var tools = manifest.GetProperty("tools").EnumerateArray().ToList();
        Assert.All(tools, t => Assert.True(t.GetProperty("read_only").GetBoolean(), t.GetProperty("name").GetString()));
        Assert.Equal(catalog.Count(e => e.Definition.Effect == ToolEffect.Read), tools.Count);

        var disabled = manifest.GetProperty("disabled_tools").EnumerateArray()
            .ToDictionary(d => d.GetProperty("name").GetString()!, d => d.GetProperty("reason").GetString()!);
        SameSet(catalog.Where(e => e.Definition.Effect != ToolEffect.Read).Select(e => e.Name), disabled.Keys);
        Assert.Contains("read-only mode", disabled["create_space"]);
        Assert.Contains("read-only mode", disabled["delete_space"]);
    }

    [Fact]
    public async Task Flags_win_over_the_environment()
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--manifest", "--read-only", "--toolsets", "system"], null,
            (ServerConfiguration.ReadOnlyVariable, "false"), (ServerConfiguration.ToolsetsVariable, "spaces,secrets"));
        Assert.True(exit == 0, stderr);
        var manifest = JsonDocument.Parse(stdout).RootElement;
        Assert.Contains("read-only on", manifest.GetProperty("modes").GetString());
        Assert.Contains("tool sets system", manifest.GetProperty("modes").GetString());
        var names = manifest.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToHashSet();
        SameSet(Catalog().Where(e => e.Toolset == "system").Select(e => e.Name), names!);

        // --tools replaces RAWORC_TOOLS (a bad value in the variable does not matter when the flag is given).
        (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--manifest", "--tools", "whoami"], null,
            (ServerConfiguration.ToolsVariable, "no_such_tool"));
        Assert.True(exit == 0, stderr);
        SameSet(["whoami"], JsonDocument.Parse(stdout).RootElement.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task Environment_alone_sets_the_modes_of_the_binary()
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--manifest"], null,
            (ServerConfiguration.ReadOnlyVariable, "TRUE"), (ServerConfiguration.AllowSecretValuesVariable, "yes"));
        Assert.True(exit == 0, stderr);
        string modes = JsonDocument.Parse(stdout).RootElement.GetProperty("modes").GetString()!;
        Assert.Contains("read-only on", modes);
        Assert.Contains("secret values allowed", modes);
    }

    [Fact]
    public async Task Start_up_log_states_the_modes()
    {
        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--read-only", "--toolsets", "sessions,system", "--allow-secret-values"], "",
            ("LOG_LEVEL", "debug"));
        Assert.Equal(0, exit);
        Assert.Empty(stdout);
        Assert.Contains("Modes: read-only on; destructive tools hidden (--allow-destructive); secret values allowed; tool sets sessions,system", stderr);
        Assert.Matches(@"Ready with \d+ tools \(\d+ left out by the modes", stderr);
        // At debug level each left-out tool is named with its reason.
        Assert.Contains("Tool create_session is not offered: read-only mode", stderr);
        Assert.Contains("Tool list_spaces is not offered: not selected", stderr);

        (exit, _, stderr) = await BinaryProcess.RunAsync(null, "");
        Assert.Equal(0, exit);
        Assert.Contains("Modes: read-only off; destructive tools hidden (--allow-destructive); secret values only with the user's consent (--allow-secret-values); tool sets all", stderr);
    }

    [Fact]
    public async Task Binary_refuses_a_call_to_a_disabled_tool_without_touching_the_network()
    {
        using var api = StartApi();
        using var process = BinaryProcess.Start(null, [("RAWORC_API_URL", api.Url + "/api/v0"), ("RAWORC_AUTH_TOKEN", "t")]);
        await process.InitializeAsync();

        await process.WriteLineAsync("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"delete_space","arguments":{"name":"staging"}}}""");
        var line = await process.ReadLineAsync(l => l.Contains("\"id\":7"), TimeSpan.FromSeconds(10));
        var result = JsonDocument.Parse(line).RootElement.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Contains("--allow-destructive", result.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Empty(api.LogEntries);

        process.CloseInput();
        Assert.Equal(0, await process.WaitForExitAsync(TimeSpan.FromSeconds(5)));
    }
}
