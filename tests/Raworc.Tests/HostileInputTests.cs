using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Raworc.Mcp;
using Raworc.Mcp.Tools;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// Arguments a model (or anyone) may send: oversized, wrongly typed, unknown, misspelled. Each is refused by name,
/// with the limit or the expected shape, before any HTTP request. (Path tricks: <see cref="PathEscapingTests"/>.)
/// </summary>
public sealed class HostileInputTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Sid = SessionId;

    private McpTestHost Host => shared.Host;

    private async Task<string> RefusedAsync(string tool, string arguments)
    {
        Host.Respond(200, "{}");
        var result = await Host.CallAsync(tool, arguments);
        Assert.True(result.IsError, $"{tool}: {Text(result)}");
        Assert.StartsWith($"Invalid arguments for {tool}: ", Text(result));
        Assert.Empty(Host.Requests);
        return Text(result);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value);

    // ---- Sizes ----

    [Fact]
    public async Task Message_content_over_65_535_bytes_is_refused_and_exactly_65_535_is_sent()
    {
        // Raworc 0.3.0 stores content in a TEXT column and sets the session busy before a longer insert fails.
        string text = await RefusedAsync("send_message", Json(new { session_id = Sid, content = new string('a', 65_536) }));
        Assert.Contains("argument 'content' is 65,536 characters long; the limit is 65,535", text);
        Assert.True(text.Length < 500, "the refusal does not echo the value");

        Host.Respond(200, $$"""{"id":"m1","session_id":"{{Sid}}","role":"user","content":"x","metadata":{},"created_at":"2025-08-30T18:23:10+00:00"}""");
        var sent = await Host.CallAsync("send_message", Json(new { session_id = Sid, content = new string('a', 65_535) }));
        Assert.False(sent.IsError ?? false, Text(sent));
        Assert.Single(Host.Requests);
    }

    [Theory]
    [InlineData("send_message", "content", $$"""{"session_id":"{{Sid}}"}""")]
    [InlineData("create_secret", "value", """{"name":"K"}""")]
    [InlineData("update_secret", "value", """{"name":"K"}""")]
    public async Task Non_ascii_text_is_limited_by_its_utf8_bytes(string tool, string argument, string others)
    {
        var arguments = JsonNode.Parse(others)!.AsObject();
        // 21,846 characters under the character limit, 65,538 bytes of UTF-8: over what the column holds.
        arguments[argument] = new string('€', 21_846);
        string text = await RefusedAsync(tool, arguments.ToJsonString());
        Assert.Contains($"argument '{argument}' is 65,538 bytes in UTF-8; the server stores at most 65,535 bytes", text);
        Assert.DoesNotContain("€€€", text);

        Host.Respond(200, $$"""{"id":"m1","session_id":"{{Sid}}","role":"user","content":"x","metadata":{},"created_at":"2025-08-30T18:23:10+00:00","space":"default","key_name":"K"}""");
        arguments[argument] = new string('€', 21_845); // 65,535 bytes
        var result = await Host.CallAsync(tool, arguments.ToJsonString());
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Single(Host.Requests);
    }

    [Theory]
    [InlineData("send_message", "metadata", """{"session_id":"s1","content":"hi"}""")]
    [InlineData("create_session", "metadata", "{}")]
    [InlineData("update_session", "metadata", """{"session_id":"s1"}""")]
    [InlineData("remix_session", "metadata", """{"session_id":"s1"}""")]
    [InlineData("create_space", "settings", """{"name":"s"}""")]
    [InlineData("update_space", "settings", """{"name":"s"}""")]
    public async Task Object_over_100_KB_of_JSON_is_refused(string tool, string argument, string others)
    {
        var arguments = JsonNode.Parse(others)!.AsObject();
        arguments[argument] = new JsonObject { ["pad"] = new string('x', 100_000) };

        string text = await RefusedAsync(tool, arguments.ToJsonString());

        Assert.Contains($"argument '{argument}' is 100,010 bytes of JSON long; the limit is 100,000", text);
    }

    [Fact]
    public async Task Many_small_members_count_too()
    {
        var metadata = new JsonObject();
        for (int i = 0; i < 20_000; i++) metadata[$"k{i}"] = i;
        string text = await RefusedAsync("create_session", new JsonObject { ["metadata"] = metadata }.ToJsonString());
        Assert.Contains("argument 'metadata' is", text);
        Assert.Contains("bytes of JSON long; the limit is 100,000", text);
    }

    [Fact]
    public async Task Role_rules_over_100_KB_are_refused()
    {
        var rules = new JsonArray();
        for (int i = 0; i < 3_000; i++)
            rules.Add(new JsonObject { ["api_groups"] = new JsonArray("api"), ["resources"] = new JsonArray($"resource-{i}"), ["verbs"] = new JsonArray("get") });
        string text = await RefusedAsync("create_role", new JsonObject { ["id"] = "big", ["rules"] = rules }.ToJsonString());
        Assert.Contains("argument 'rules' is", text);
        Assert.Contains("the limit is 100,000", text);
    }

    [Fact]
    public async Task A_10_KB_space_name_is_refused()
    {
        string text = await RefusedAsync("create_space", Json(new { name = new string('s', 10 * 1024) }));
        Assert.Contains("argument 'name' is 10,240 characters long; the limit is 10,000", text);
    }

    [Theory]
    [InlineData("create_secret", """{"name":"K"}""")]
    [InlineData("update_secret", """{"name":"K"}""")]
    public async Task Secret_value_over_65_535_bytes_is_refused_and_65_535_is_sent(string tool, string others)
    {
        var arguments = JsonNode.Parse(others)!.AsObject();
        arguments["value"] = new string('v', 65_536);
        string text = await RefusedAsync(tool, arguments.ToJsonString());
        Assert.Contains("argument 'value' is 65,536 characters long; the limit is 65,535", text);
        Assert.DoesNotContain("vvvvvvvv", text);

        Host.Respond(200, """{"space":"default","key_name":"K","description":null,"created_at":null,"updated_at":null,"created_by":"admin"}""");
        arguments["value"] = new string('v', 65_535);
        var result = await Host.CallAsync(tool, arguments.ToJsonString());
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Single(Host.Requests);
    }

    /// <summary>Every string argument of every tool, at its limit plus one (10,001 for names and ids).</summary>
    public static TheoryData<string, string, int> EveryStringArgument()
    {
        var data = new TheoryData<string, string, int>();
        var configuration = ServerConfiguration.Load(name => name == ServerConfiguration.AllowDestructiveVariable ? "true" : null, EmptyHome());
        using var server = new RaworcServer(configuration, NullLoggerFactory.Instance);
        foreach (var tool in server.Tools)
            foreach (var argument in tool.Definition.Arguments.Where(a => a.Type == ArgumentType.Text && a.MaxLength <= 100_000))
                data.Add(tool.Name, argument.Name, argument.MaxLength);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryStringArgument))]
    public async Task Every_string_argument_over_its_limit_is_refused_by_name(string tool, string argument, int limit)
    {
        string text = await RefusedAsync(tool, Json(new Dictionary<string, string> { [argument] = new string('n', limit + 1) }));
        Assert.Contains($"argument '{argument}' is {limit + 1:N0} characters long; the limit is {limit:N0}", text);
    }

    [Fact]
    public async Task A_name_between_the_path_limit_and_the_argument_limit_is_refused_before_any_request()
    {
        foreach (var (tool, arguments) in new[]
                 {
                     ("get_space", Json(new { name = new string('s', 2_000) })),
                     ("get_session", Json(new { session_id = new string('s', 2_000) })),
                     ("get_agent", Json(new { agent_name = new string('a', 2_000) })),
                     ("get_secret", Json(new { key = new string('k', 2_000) })),
                     ("list_agents", Json(new { space = new string('s', 2_000) })),
                     ("get_build", Json(new { build_id = new string('b', 2_000) })),
                     ("get_role", Json(new { id = new string('r', 2_000) })),
                     ("get_service_account", Json(new { id = new string('u', 2_000) })),
                 })
        {
            Host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Not found"}}""");
            var result = await Host.CallAsync(tool, arguments);
            Assert.True(result.IsError, Text(result));
            Assert.Contains("2000 characters long; the limit is 1024", Text(result));
            Assert.Empty(Host.Requests);
        }
    }

    // ---- Types, unknown and misspelled arguments ----

    public static TheoryData<string, string, string> WrongArguments => new()
    {
        { "get_space", """{"name":42}""", "argument 'name' must be a string, not the number 42" },
        { "get_space", """{"name":["a"]}""", "argument 'name' must be a string, not an array" },
        { "get_space", """{"name":{"$ne":""}}""", "argument 'name' must be a string, not an object" },
        { "get_space", """{"name":true}""", "argument 'name' must be a string, not the boolean true" },
        { "get_space", "{}", "missing required argument 'name' (string)" },
        { "get_space", """{"name":null}""", "missing required argument 'name' (string)" },
        { "get_space", """{"nme":"s"}""", "unknown argument 'nme' (expected: name)" },
        { "get_space", """{"Name":"s"}""", "unknown argument 'Name' (did you mean 'name'?)" },
        { "get_session", """{"sessionId":"s"}""", "unknown argument 'sessionId' (did you mean 'session_id'?)" },
        { "list_spaces", """{"filter":"x"}""", "unknown argument 'filter' (this takes no arguments)" },
        { "whoami", """{"verbose":true}""", "this takes no arguments" },
        { "update_space", """{"name":"s","active":"yes"}""", "argument 'active' must be a boolean, not a string" },
        { "update_space", """{"name":"s","active":1}""", "argument 'active' must be a boolean, not the number 1" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":"10"}""", "argument 'limit' must be an integer (32-bit), not a string" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":1.5}""", "argument 'limit' must be an integer (32-bit), not the fractional number 1.5" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":99999999999}""", "argument 'limit' must be an integer (32-bit), not the number 99999999999" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":1e400}""", "argument 'limit' must be an integer (32-bit)" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":0}""", "argument 'limit' must be at least 1, not 0" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","offset":-1}""", "argument 'offset' must be at least 0, not -1" },
        { "create_space", """{"name":"s","settings":[1]}""", "argument 'settings' must be an object, not an array" },
        { "create_space", """{"name":"s","settings":"{}"}""", "argument 'settings' must be an object, not a string" },
        { "create_session", """{"metadata":"x"}""", "argument 'metadata' must be an object, not a string" },
        { "send_message", $$"""{"session_id":"{{Sid}}"}""", "missing required argument 'content' (string)" },
        { "send_message", "{\"session_id\":\"s1\",\"content\":{\"text\":\"hi\"}}", "argument 'content' must be a string, not an object" },
        { "send_message", """{"content":"hi","session":"s"}""", "unknown argument 'session' (expected: session_id, content" },
        { "update_session_state", $$"""{"session_id":"{{Sid}}","state":"exploded"}""", "argument 'state' must be one of \"init\"" },
        { "list_sessions", """{"state":"IDLE"}""", "argument 'state' must be one of" },
        { "list_secrets", """{"show_values":"true"}""", "argument 'show_values' must be a boolean, not a string" },
        { "create_role_binding", """{"subject":"bot","role_ref":"r","principal_type":"Root"}""", "argument 'principal_type' must be one of \"ServiceAccount\", \"Subject\"" },
        { "create_role", """{"id":"r","rules":{}}""", "argument 'rules' must be an array of objects, not an object" },
        { "create_role", """{"id":"r","rules":[null]}""", "argument 'rules[0]' must not be null" },
        { "create_role", """{"id":"r","rules":["get"]}""", "argument 'rules[0]' must be an object, not a string" },
        { "create_role", """{"id":"r","rules":[{"api_groups":"api","resources":["*"],"verbs":["*"]}]}""", "argument 'rules[0].api_groups' must be an array of strings, not a string" },
        { "create_role", """{"id":"r","rules":[{"api_groups":["api",1],"resources":["*"],"verbs":["*"]}]}""", "argument 'rules[0].api_groups[1]' must be a string, not the number 1" },
        { "create_role", """{"id":"r","rules":[{"api_groups":["api"],"resources":["*"]}]}""", "missing required argument 'rules[0].verbs' (array of strings)" },
        { "create_role", """{"name":"r","rules":[{"Api_Groups":["api"],"resources":["*"],"verbs":["*"]}]}""", "unknown argument 'rules[0].Api_Groups' (did you mean 'api_groups'?)" },
        { "create_role", """{"name":"r","rules":[{"api_groups":["api"],"resources":["*"],"verbs":["*"]},{"api_groups":["api"],"resources":["*"],"verbs":["*"],"Resource_Names":["x"]}]}""", "unknown argument 'rules[1].Resource_Names' (did you mean 'resource_names'?)" },
        { "create_role", """{"id":"r","rules":[{"api_groups":["api"],"resources":["*"],"verbs":["*"],"nonsense":1}]}""", "unknown argument 'rules[0].nonsense' (expected: api_groups, resources, verbs, resource_names)" },
    };

    [Theory]
    [MemberData(nameof(WrongArguments))]
    public async Task Wrong_argument_is_reported_by_name_before_any_request(string tool, string arguments, string expected)
    {
        string text = await RefusedAsync(tool, arguments);
        Assert.Contains(expected, text);
    }

    [Fact]
    public async Task Several_problems_are_all_reported_at_once()
    {
        string text = await RefusedAsync("create_role", """{"rules":[{"Api_Groups":["api"],"resources":"*","verbs":["*"]}],"descripton":"x"}""");
        Assert.Contains("unknown argument 'descripton'", text);
        Assert.Contains("missing required argument 'name'", text);
        Assert.Contains("unknown argument 'rules[0].Api_Groups' (did you mean 'api_groups'?)", text);
        Assert.Contains("missing required argument 'rules[0].api_groups'", text);
        Assert.Contains("argument 'rules[0].resources' must be an array of strings, not a string", text);
    }

    [Fact]
    public async Task A_huge_unknown_argument_name_is_cut_short_in_the_message()
    {
        string name = new('q', 10_000);
        string text = await RefusedAsync("get_space", Json(new Dictionary<string, string> { ["name"] = "s", [name] = "x" }));
        Assert.Contains("unknown argument 'qqqq", text);
        Assert.Contains("…'", text);
        Assert.True(text.Length < 500, $"{text.Length} characters");
    }

    [Fact]
    public async Task Deeply_nested_metadata_is_an_error_not_a_crash()
    {
        // 60 levels fit the JSON reader's depth limit and stay under 100 KB: passed on as metadata.
        string nested = string.Concat(Enumerable.Repeat("{\"a\":", 60)) + "1" + new string('}', 60);
        Host.Respond(200, $$"""{"id":"{{Sid}}","space":"default","state":"init","created_at":"2025-08-30T18:00:00+00:00"}""");
        var result = await Host.CallAsync("create_session", "{\"metadata\":" + nested + "}");
        Assert.False(result.IsError ?? false, Text(result));

        // The server keeps serving either way.
        Host.Respond(200, """{"version":"0.3.0","api":"v0"}""");
        Assert.Contains("0.3.0", Text(await Host.CallAsync("get_version")));
    }

    [Fact]
    public async Task Control_characters_and_odd_unicode_in_values_are_sent_as_given()
    {
        Host.Respond(200, """{"name":"s","description":null,"settings":{},"active":true,"created_at":"2025-08-30T18:00:00+00:00","updated_at":"2025-08-30T18:00:00+00:00","created_by":"admin"}""");
        string description = "nul\u0000 bell\u0007 rtl\u202E zwj\u200D bom\uFEFF emoji 🧪 newline\n quote\" backslash\\";
        var result = await Host.CallAsync("update_space", Json(new { name = "s", description }));
        Assert.False(result.IsError ?? false, Text(result));
        var body = JsonDocument.Parse(Host.SingleRequest().RequestMessage.Body!).RootElement;
        Assert.Equal(description, body.GetProperty("description").GetString());
    }
}
