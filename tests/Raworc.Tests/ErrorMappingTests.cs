using System.Diagnostics;
using ModelContextProtocol.Protocol;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// What the model sees when a call fails: every failure is an isError result (never a protocol error or a crash) that
/// names the HTTP status, the API's code and words, and the next step; and the server keeps serving afterwards.
/// </summary>
public sealed class ErrorMappingTests
{
    private const string Sid = SessionId;
    private const string SessionJson = $$"""{"id":"{{Sid}}","space":"default","state":"idle","created_at":"2025-08-30T18:00:00+00:00"}""";

    private static string Envelope(string code, string message) => $$$"""{"error":{"code":"{{{code}}}","message":"{{{message}}}"}}""";

    /// <summary>The call failed with an isError result whose text contains every fragment (case-sensitive).</summary>
    private static string AssertError(CallToolResult result, params string[] fragments)
    {
        string text = Text(result);
        Assert.True(result.IsError, $"expected isError, got: {text}");
        foreach (var fragment in fragments)
            Assert.True(text.Contains(fragment, StringComparison.Ordinal), $"expected '{fragment}' in: {text}");
        return text;
    }

    /// <summary>After an error the same server still answers a good call.</summary>
    private static async Task AssertStillWorks(McpTestHost host)
    {
        host.Respond(200, SessionJson);
        var result = await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}""");
        Assert.False(result.IsError ?? false, Text(result));
        Assert.Contains(Sid, Text(result));
    }

    private static string NextStep(string text)
    {
        int at = text.IndexOf("Next step:", StringComparison.Ordinal);
        Assert.True(at >= 0, $"expected a next step in: {text}");
        return text[at..];
    }

    [Fact]
    public async Task Not_found_envelope_names_status_code_message_and_list_sessions()
    {
        await using var host = await StartAsync();
        host.Respond(404, Envelope("NOT_FOUND", "Session not found"));

        var text = AssertError(await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}"""), "HTTP 404", "NOT_FOUND", "Session not found");

        Assert.Contains("list_sessions", NextStep(text));
        Assert.Single(host.Requests); // a 404 is final
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Empty_401_says_the_token_is_rejected_and_what_to_do()
    {
        await using var host = await StartAsync();
        host.Respond(401);

        var text = AssertError(await host.CallAsync("list_spaces"), "HTTP 401", "the token is missing, invalid or expired");

        Assert.Contains("RAWORC_AUTH_TOKEN", NextStep(text));
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Plain_text_422_is_shown_verbatim()
    {
        await using var host = await StartAsync();
        const string body = "Failed to deserialize the JSON body into the target type: missing field `role` at line 1 column 24";
        host.Respond(422, body, "text/plain; charset=utf-8");

        var text = AssertError(await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"hi"}"""), "422", body);

        NextStep(text);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Missing_anthropic_key_points_to_create_secret()
    {
        await using var host = await StartAsync();
        host.Respond(400, Envelope("BAD_REQUEST", "ANTHROPIC_API_KEY secret is required in space 'default' to create sessions"));

        var text = AssertError(await host.CallAsync("create_session"), "HTTP 400", "BAD_REQUEST", "ANTHROPIC_API_KEY secret is required");

        Assert.Contains("create_secret", NextStep(text));
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Unbuilt_space_points_to_create_build()
    {
        await using var host = await StartAsync();
        host.Respond(400, Envelope("BAD_REQUEST", "Space 'x' must be built before creating sessions. Use: POST /spaces/x/build"));

        var text = AssertError(await host.CallAsync("create_session", """{"space":"x"}"""), "HTTP 400", "must be built");

        var next = NextStep(text);
        Assert.Contains("create_build", next);
        Assert.DoesNotContain("create_secret", next);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Internal_error_envelope()
    {
        await using var host = await StartAsync();
        host.Respond(500, Envelope("INTERNAL_ERROR", "An internal error occurred"));

        var text = AssertError(await host.CallAsync("get_space", """{"name":"default"}"""), "HTTP 500", "INTERNAL_ERROR", "An internal error occurred");

        // Raworc's 500s come from the request (a missing space, a value the database refuses), not from a passing fault.
        string next = NextStep(text);
        Assert.Contains("the same call will likely fail again: check the arguments and that what they name exists", next);
        Assert.DoesNotContain("retry", next);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Creating_an_agent_in_a_space_that_does_not_exist_says_to_check_the_space()
    {
        await using var host = await StartAsync();
        host.Respond(500, Envelope("INTERNAL_ERROR", "An internal error occurred"));

        var text = AssertError(await host.CallAsync("create_agent", """{"space":"nope","name":"a","source_repo":"o/r"}"""), "HTTP 500", "INTERNAL_ERROR");

        string next = NextStep(text);
        Assert.Contains("when the space does not exist: check that it does with get_space", next);
        Assert.DoesNotContain("retry", next);
    }

    [Theory]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task A_gateway_failure_is_worth_retrying_later(int status)
    {
        await using var host = await StartAsync();
        host.Respond(status, "");

        var text = AssertError(await host.CallAsync("create_agent", """{"space":"nope","name":"a","source_repo":"o/r"}"""), $"HTTP {status}");

        Assert.Contains("retry later", NextStep(text));
    }

    [Fact]
    public async Task Html_page_from_a_proxy_is_described_not_dumped()
    {
        await using var host = await StartAsync();
        host.Respond(502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>", "text/html");

        var text = AssertError(await host.CallAsync("list_spaces"), "502", "HTML");

        Assert.DoesNotContain("<h1>", text);
        await AssertStillWorks(host);
    }

    [Theory]
    [InlineData("""{"id":""", "application/json")]
    [InlineData("""{"id": 12, "space": [}""", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("", "application/json")]
    [InlineData("<html><body>login</body></html>", "text/html")]
    public async Task Unreadable_success_body_is_an_invalid_response(string body, string contentType)
    {
        await using var host = await StartAsync();
        host.Respond(200, body, contentType);

        AssertError(await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}"""), "INVALID_RESPONSE", "HTTP 200");

        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Slow_api_times_out_after_RAWORC_TIMEOUT()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_TIMEOUT"] = "1" });
        host.Api.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithBody(SessionJson).WithDelay(TimeSpan.FromSeconds(2.5)));

        var watch = Stopwatch.StartNew();
        var text = AssertError(await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}"""), "TIMEOUT", "within 1 s");
        watch.Stop();

        // Not sooner than the timeout; that it did not wait for the 2.5 s answer is the TIMEOUT error itself.
        Assert.True(watch.Elapsed.TotalSeconds >= 0.9, $"returned after {watch.Elapsed.TotalMilliseconds} ms");
        Assert.Contains("RAWORC_TIMEOUT", text);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Connection_refused_is_a_network_error_naming_the_url()
    {
        string url = $"http://127.0.0.1:{FreePort()}/api/v0";
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = url });

        var text = AssertError(await host.CallAsync("list_spaces"), "NETWORK_ERROR", url);

        Assert.Contains("health_check", NextStep(text));
        Assert.Empty(host.Requests);
        // A second call fails the same way instead of hanging or crashing.
        AssertError(await host.CallAsync("get_version"), "NETWORK_ERROR");
    }

    [Fact]
    public async Task No_credentials_is_reported_without_any_request()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_AUTH_TOKEN"] = "" });
        host.Respond(200, "[]");

        var text = AssertError(await host.CallAsync("list_spaces"), "NOT_CONFIGURED", "RAWORC_AUTH_TOKEN");

        Assert.Contains("RAWORC_USERNAME", text);
        Assert.Empty(host.Requests);
        // Public routes still work without credentials.
        host.Respond(200, """{"version":"0.3.0","api":"v0"}""");
        var version = await host.CallAsync("get_version");
        Assert.False(version.IsError ?? false, Text(version));
    }

    public static TheoryData<string, string, string> BadArguments => new()
    {
        // tool, arguments, the argument the error must name
        { "get_session", """{"session":"x"}""", "session" },
        { "get_session", """{"session_id":"x","sessionId":"y"}""", "sessionId" },
        { "get_session", "{}", "session_id" },
        { "get_session", """{"session_id":42}""", "session_id" },
        { "get_session", """{"session_id":null}""", "session_id" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":"ten"}""", "limit" },
        { "get_messages", $$"""{"session_id":"{{Sid}}","limit":1.5}""", "limit" },
        { "list_secrets", """{"show_values":"yes"}""", "show_values" },
        { "create_space", """{"name":"s","settings":"not-an-object"}""", "settings" },
        { "create_secret", """{"key_name":"K"}""", "value" },
        { "list_spaces", """{"space":"x"}""", "space" },
        { "update_session_state", $$"""{"session_id":"{{Sid}}","state":"sleeping"}""", "state" },
        { "create_role", """{"id":"r","rules":[{"api_groups":["a"],"resources":"sessions","verbs":["get"]}]}""", "rules[0].resources" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task Bad_arguments_are_named_and_nothing_is_sent(string tool, string arguments, string argument)
    {
        await using var host = await StartAsync();
        host.Respond(200, SessionJson);

        AssertError(await host.CallAsync(tool, arguments), "Invalid argument", $"'{argument}'");

        Assert.Empty(host.Requests);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task Unknown_tool_is_an_error_and_the_server_survives()
    {
        await using var host = await StartAsync();
        host.Respond(200, SessionJson);

        try
        {
            var result = await host.CallAsync("drop_database");
            Assert.True(result.IsError, Text(result));
        }
        catch (ModelContextProtocol.McpException)
        {
            // A protocol error is an acceptable answer too; what matters is that nothing was sent and the server lives.
        }

        Assert.Empty(host.Requests);
        await AssertStillWorks(host);
    }

    [Fact]
    public async Task A_call_that_runs_short_of_memory_is_answered_busy_and_retryable_not_as_a_bug()
    {
        var results = new Raworc.Mcp.Tools.ToolResults(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var result = await results.Json<int>(() => throw new OutOfMemoryException());

        string text = AssertError(result, "SERVER_BUSY", "short of memory", "Retry", "check");
        Assert.DoesNotContain("bug", text);
    }
}
