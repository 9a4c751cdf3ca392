using System.Text.Json;
using System.Text.Json.Nodes;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>One server for every case of this class (xunit runs a class's tests one at a time).</summary>
public sealed class SharedHost : IAsyncLifetime
{
    public McpTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

/// <summary>
/// Every argument that becomes part of a URL path reaches the API as exactly one percent-encoded segment in its place,
/// whatever it contains; values that cannot be a segment ('.', '..', empty) are refused before any request.
/// The path is checked as it came off the wire (see <see cref="McpTestHost.RawPath"/>), since WireMock's own view is decoded.
/// </summary>
public sealed class PathEscapingTests(SharedHost shared) : IClassFixture<SharedHost>
{
    private const string Sid = SessionId;

    /// <summary>
    /// tool, its other (valid) arguments, the path argument, the method, and the expected path with {} where the
    /// argument's segment goes. Every tool with a path argument, every such argument.
    /// </summary>
    private static readonly (string Tool, string Arguments, string Argument, string Method, string Path)[] Routes =
    [
        ("get_service_account", "{}", "name", "GET", "service-accounts/{}"),
        ("update_service_account", """{"active":false}""", "name", "PUT", "service-accounts/{}"),
        ("delete_service_account", "{}", "name", "DELETE", "service-accounts/{}"),
        ("update_service_account_password", """{"current_password":"a","new_password":"b"}""", "name", "PUT", "service-accounts/{}/password"),

        ("get_role", "{}", "name", "GET", "roles/{}"),
        ("delete_role", "{}", "name", "DELETE", "roles/{}"),
        ("get_role_binding", "{}", "name", "GET", "role-bindings/{}"),
        ("delete_role_binding", "{}", "name", "DELETE", "role-bindings/{}"),

        ("get_space", "{}", "name", "GET", "spaces/{}"),
        ("update_space", """{"description":"d"}""", "name", "PUT", "spaces/{}"),
        ("delete_space", "{}", "name", "DELETE", "spaces/{}"),

        ("get_session", "{}", "session_id", "GET", "sessions/{}"),
        ("wait_for_session", "{}", "session_id", "GET", "sessions/{}"),
        ("update_session", """{"metadata":{"a":1}}""", "session_id", "PUT", "sessions/{}"),
        ("update_session_state", """{"state":"idle"}""", "session_id", "PUT", "sessions/{}/state"),
        ("close_session", "{}", "session_id", "POST", "sessions/{}/close"),
        ("restore_session", "{}", "session_id", "POST", "sessions/{}/restore"),
        ("remix_session", "{}", "session_id", "POST", "sessions/{}/remix"),
        ("pause_session", "{}", "session_id", "POST", "sessions/{}/close"),
        ("resume_session", "{}", "session_id", "POST", "sessions/{}/restore"),
        ("terminate_session", "{}", "session_id", "DELETE", "sessions/{}"),
        ("get_messages", "{}", "session_id", "GET", "sessions/{}/messages"),
        ("send_message", """{"content":"hi"}""", "session_id", "POST", "sessions/{}/messages"),
        ("get_message_count", "{}", "session_id", "GET", "sessions/{}/messages/count"),
        ("clear_messages", "{}", "session_id", "DELETE", "sessions/{}/messages"),

        ("list_agents", "{}", "space", "GET", "spaces/{}/agents"),
        ("list_running_agents", "{}", "space", "GET", "spaces/{}/agents/running"),
        ("create_agent", """{"name":"a","source_repo":"o/r"}""", "space", "POST", "spaces/{}/agents"),
        ("get_agent", """{"name":"a"}""", "space", "GET", "spaces/{}/agents/a"),
        ("get_agent", """{"space":"s"}""", "name", "GET", "spaces/s/agents/{}"),
        ("update_agent", """{"name":"a","purpose":"p"}""", "space", "PUT", "spaces/{}/agents/a"),
        ("update_agent", """{"space":"s","purpose":"p"}""", "name", "PUT", "spaces/s/agents/{}"),
        ("delete_agent", """{"name":"a"}""", "space", "DELETE", "spaces/{}/agents/a"),
        ("delete_agent", """{"space":"s"}""", "name", "DELETE", "spaces/s/agents/{}"),
        ("update_agent_status", """{"name":"a","status":"stopped"}""", "space", "PATCH", "spaces/{}/agents/a/status"),
        ("update_agent_status", """{"space":"s","status":"stopped"}""", "name", "PATCH", "spaces/s/agents/{}/status"),
        ("deploy_agent", """{"name":"a"}""", "space", "POST", "spaces/{}/agents/a/deploy"),
        ("deploy_agent", """{"space":"s"}""", "name", "POST", "spaces/s/agents/{}/deploy"),
        ("stop_agent", """{"name":"a"}""", "space", "POST", "spaces/{}/agents/a/stop"),
        ("stop_agent", """{"space":"s"}""", "name", "POST", "spaces/s/agents/{}/stop"),
        ("get_agent_logs", """{"name":"a"}""", "space", "GET", "spaces/{}/agents/a/logs"),
        ("get_agent_logs", """{"space":"s"}""", "name", "GET", "spaces/s/agents/{}/logs"),

        ("list_secrets", "{}", "space", "GET", "spaces/{}/secrets"),
        ("create_secret", """{"name":"K","value":"v"}""", "space", "POST", "spaces/{}/secrets"),
        ("get_secret", """{"name":"K"}""", "space", "GET", "spaces/{}/secrets/K"),
        ("get_secret", """{"space":"s"}""", "name", "GET", "spaces/s/secrets/{}"),
        ("update_secret", """{"name":"K","value":"v"}""", "space", "PUT", "spaces/{}/secrets/K"),
        ("update_secret", """{"space":"s","value":"v"}""", "name", "PUT", "spaces/s/secrets/{}"),
        ("delete_secret", """{"name":"K"}""", "space", "DELETE", "spaces/{}/secrets/K"),
        ("delete_secret", """{"space":"s"}""", "name", "DELETE", "spaces/s/secrets/{}"),

        ("create_build", "{}", "space", "POST", "spaces/{}/build"),
        ("get_latest_build", "{}", "space", "GET", "spaces/{}/build/latest"),
        ("get_build", """{"build_id":"b"}""", "space", "GET", "spaces/{}/build/b"),
        ("get_build", """{"space":"s"}""", "build_id", "GET", "spaces/s/build/{}"),
        ("wait_for_build", """{"build_id":"b"}""", "space", "GET", "spaces/{}/build/b"),
        ("wait_for_build", """{"space":"s"}""", "build_id", "GET", "spaces/s/build/{}"),
    ];

    /// <summary>Awkward values and how they must appear in the path (RFC 3986: everything but unreserved is escaped).</summary>
    private static readonly (string Value, string Encoded)[] Values =
    [
        ("../x", "..%2Fx"),
        ("a/b", "a%2Fb"),
        ("a?b", "a%3Fb"),
        ("a#b", "a%23b"),
        ("%2F", "%252F"),
        ("ünï", "%C3%BCn%C3%AF"),
        ("a b", "a%20b"),
        ("a\\b", "a%5Cb"),
        ("a;b=c&d", "a%3Bb%3Dc%26d"),
        ("...", "..."),
        (" .. ", "%20..%20"),
    ];

    /// <summary>Values that cannot be one segment.</summary>
    private static readonly string[] Invalid = [".", "..", "", " ", "\t"];

    public static TheoryData<string, string, string, string, string, string, string> Escaped()
    {
        var data = new TheoryData<string, string, string, string, string, string, string>();
        foreach (var route in Routes)
            foreach (var (value, encoded) in Values)
                data.Add(route.Tool, route.Argument, value, route.Arguments, route.Method, route.Path, encoded);
        return data;
    }

    public static TheoryData<string, string, string, string> Refused()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var route in Routes)
            foreach (var value in Invalid)
            {
                // An empty optional space means the default space (covered below), not an invalid one.
                if (route.Argument == "space" && string.IsNullOrWhiteSpace(value)) continue;
                data.Add(route.Tool, route.Argument, value, route.Arguments);
            }
        return data;
    }

    public static TheoryData<string, string, string, string> OptionalSpaces()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var route in Routes.Where(r => r.Argument == "space"))
            data.Add(route.Tool, route.Arguments, route.Method, route.Path);
        return data;
    }

    private static string With(string arguments, string name, string value)
    {
        var json = JsonNode.Parse(arguments)!.AsObject();
        json[name] = value;
        return json.ToJsonString();
    }

    private McpTestHost Host => shared.Host;

    private void Answer()
    {
        // 404 is never retried, so every call makes exactly one request whatever its method.
        Host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Not found"}}""");
    }

    [Theory]
    [MemberData(nameof(Escaped))]
    public async Task Value_is_one_escaped_segment(string tool, string argument, string value, string arguments, string method, string path, string encoded)
    {
        Answer();

        var result = await Host.CallAsync(tool, With(arguments, argument, value));

        var entry = Assert.Single(Host.Requests);
        Assert.Equal(method, entry.RequestMessage.Method);
        // The whole request target: no part of the value may spill into a query or fragment either.
        Assert.Equal("/api/v0/" + path.Replace("{}", encoded, StringComparison.Ordinal), entry.RequestMessage.Headers![RawTargetHeader].Single());
        Assert.Contains("HTTP 404", Text(result));
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Value_that_cannot_be_a_segment_is_refused_before_any_request(string tool, string argument, string value, string arguments)
    {
        Answer();

        var result = await Host.CallAsync(tool, With(arguments, argument, value));

        Assert.True(result.IsError, Text(result));
        Assert.StartsWith("Invalid argument", Text(result));
        Assert.Empty(Host.Requests);
    }

    [Theory]
    [MemberData(nameof(OptionalSpaces))]
    public async Task Empty_space_means_the_default_space(string tool, string arguments, string method, string path)
    {
        foreach (var value in new[] { "", " " })
        {
            Answer();

            await Host.CallAsync(tool, With(arguments, "space", value));

            var entry = Assert.Single(Host.Requests);
            Assert.Equal(method, entry.RequestMessage.Method);
            Assert.Equal("/api/v0/" + path.Replace("{}", "default", StringComparison.Ordinal), RawPath(entry));
        }
    }

    [Fact]
    public async Task Every_tool_with_a_path_argument_is_in_the_table()
    {
        // Tools whose every argument stays out of the path (bodies and queries only).
        string[] noPathArgument =
        [
            "health_check", "get_version", "whoami", "list_service_accounts", "create_service_account", "list_roles", "create_role",
            "list_role_bindings", "create_role_binding", "list_spaces", "create_space", "list_sessions", "create_session",
        ];
        var tools = await Host.Client.ListToolsAsync();
        var covered = Routes.Select(r => r.Tool).ToHashSet();
        Assert.Empty(tools.Select(t => t.Name).Except(covered).Except(noPathArgument));

        // And every string argument of a covered tool that ends up in its path is covered: ids, names, keys and spaces.
        foreach (var tool in tools.Where(t => covered.Contains(t.Name)))
        {
            var properties = tool.ProtocolTool.InputSchema.GetProperty("properties").EnumerateObject().Select(p => p.Name);
            foreach (var name in properties.Where(n => n is "name" or "space" or "session_id" or "build_id"))
            {
                // These go in the body; session tools accept a space only to ignore it.
                bool inPath = !(tool.Name is "create_agent" or "create_secret" && name == "name") &&
                              !(name == "space" && Routes.First(r => r.Tool == tool.Name).Path.StartsWith("sessions/", StringComparison.Ordinal));
                Assert.True(!inPath || Routes.Any(r => r.Tool == tool.Name && r.Argument == name), $"{tool.Name}.{name} is not in the table");
            }
        }
    }

    [Fact]
    public async Task Overlong_value_is_refused_before_any_request()
    {
        Answer();

        var result = await Host.CallAsync("get_space", JsonSerializer.Serialize(new { name = new string('a', 5000) }));

        Assert.True(result.IsError, Text(result));
        Assert.StartsWith("Invalid argument", Text(result));
        Assert.Empty(Host.Requests);
    }

    [Fact]
    public async Task Query_values_are_escaped_too()
    {
        Answer();

        await Host.CallAsync("list_sessions", """{"space":"a&state=b#c","state":"idle"}""");

        var entry = Assert.Single(Host.Requests);
        Assert.Equal("/api/v0/sessions?space=a%26state%3Db%23c&state=idle", entry.RequestMessage.Headers![RawTargetHeader].Single());
    }

    [Fact]
    public void Session_id_constant_is_a_plain_segment() => Assert.Equal(Sid, Uri.EscapeDataString(Sid));
}
