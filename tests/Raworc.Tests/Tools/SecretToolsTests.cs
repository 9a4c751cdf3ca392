using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Mcp;
using Raworc.Mcp.Tools;
using WireMock.Logging;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests.Tools;

/// <summary>
/// Secret values reach the model only with the user's consent: --allow-secret-values, or a yes through MCP
/// elicitation (the SDK's client, on 2026-07-28, answers it in a retry; raw clients of older revisions are sent an
/// elicitation request). Without either, show_values is refused before any request, so no value ever leaves the API.
/// </summary>
public sealed class SecretToolsTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";
    private const string Value = "sk-ant-very-secret-1234";
    private const string SecretWithValue = $$"""{"space":"production","key_name":"ANTHROPIC_API_KEY","description":"Claude API key","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin","encrypted_value":"{{Value}}"}""";
    private const string SecretWithoutValue = $$"""{"space":"production","key_name":"ANTHROPIC_API_KEY","description":"Claude API key","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";

    public static TheoryData<string, string> ShowValueCalls => new()
    {
        { "list_secrets", """{"space":"production","show_values":true}""" },
        { "get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}""" },
    };

    private static Dictionary<string, string?> Env(string? allowSecretValues) => new()
    {
        [ServerConfiguration.AllowSecretValuesVariable] = allowSecretValues,
        [ServerConfiguration.AllowDestructiveVariable] = "",
    };

    /// <summary>The API answers with the value whenever asked for it, so a leak would show.</summary>
    private static void AnswerWithValues(McpTestHost host, string tool) =>
        host.Respond(200, tool == "list_secrets" ? $"[{SecretWithValue}]" : SecretWithValue);

    private static bool AskedForValues(ILogEntry entry) =>
        entry.RequestMessage.Query?.ContainsKey("show_values") == true || entry.RequestMessage.Url.Contains("show_values", StringComparison.Ordinal);

    private static McpClientOptions Answering(Func<ElicitRequestParams?, ElicitResult> answer, List<ElicitRequestParams?> asked) => new()
    {
        Handlers = new McpClientHandlers
        {
            ElicitationHandler = (request, _) =>
            {
                lock (asked) asked.Add(request);
                return ValueTask.FromResult(answer(request));
            },
        },
    };

    private static ElicitResult Accept(string allowJson) =>
        new() { Action = "accept", Content = new Dictionary<string, JsonElement> { ["allow"] = JsonDocument.Parse(allowJson).RootElement.Clone() } };

    [Theory]
    [MemberData(nameof(ShowValueCalls))]
    public async Task Without_consent_and_without_elicitation_show_values_is_refused_before_any_request(string tool, string arguments)
    {
        await using var host = await StartAsync(Env(null));
        AnswerWithValues(host, tool);

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError, Text(result));
        Assert.Contains("this client cannot ask the user", Text(result));
        Assert.Contains("--allow-secret-values", Text(result));
        Assert.Contains("RAWORC_ALLOW_SECRET_VALUES=true", Text(result));
        Assert.Contains("Without show_values", Text(result));
        Assert.DoesNotContain(Value, Text(result));
        Assert.Empty(host.Requests);
        Assert.DoesNotContain(Value, host.Logs.All);
    }

    [Theory]
    [InlineData("list_secrets", """{"space":"production"}""")]
    [InlineData("list_secrets", """{"space":"production","show_values":false}""")]
    [InlineData("get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY"}""")]
    [InlineData("get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY","show_values":null}""")]
    public async Task Without_show_values_the_keys_and_descriptions_come_back(string tool, string arguments)
    {
        await using var host = await StartAsync(Env(""));
        host.Respond(200, tool == "list_secrets" ? $"[{SecretWithoutValue}]" : SecretWithoutValue);

        var result = await host.CallAsync(tool, arguments);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Contains("ANTHROPIC_API_KEY", Text(result));
        Assert.Contains("Claude API key", Text(result));
        var request = host.SingleRequest();
        Assert.False(AskedForValues(request), request.RequestMessage.Url);
    }

    [Theory]
    [MemberData(nameof(ShowValueCalls))]
    public async Task With_allow_secret_values_the_values_come_back_without_asking(string tool, string arguments)
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env("true"), clientOptions: Answering(_ => Accept("false"), asked));
        AnswerWithValues(host, tool);

        var result = await host.CallAsync(tool, arguments);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Contains(Value, Text(result));
        Assert.True(AskedForValues(host.SingleRequest()));
        Assert.Empty(asked);
    }

    [Theory]
    [MemberData(nameof(ShowValueCalls))]
    public async Task With_elicitation_the_user_who_allows_gets_the_values(string tool, string arguments)
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => Accept("true"), asked));
        Assert.NotNull(host.Client.ServerCapabilities);
        AnswerWithValues(host, tool);

        var result = await host.CallAsync(tool, arguments);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Contains(Value, Text(result));
        Assert.True(AskedForValues(host.SingleRequest()));

        var request = Assert.Single(asked);
        Assert.NotNull(request);
        Assert.Contains("'production'", request.Message);
        if (tool == "get_secret") Assert.Contains("'ANTHROPIC_API_KEY'", request.Message);
        else Assert.Contains("every secret", request.Message);
        Assert.Contains("shown to the model", request.Message);
        // The form is one boolean, required, defaulting to no.
        var schema = request.RequestedSchema;
        Assert.NotNull(schema);
        var allow = Assert.IsType<ElicitRequestParams.BooleanSchema>(Assert.Single(schema.Properties).Value);
        Assert.False(allow.Default);
        Assert.Equal(["allow"], schema.Required!);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "decline", "" },
        { "cancel", "" },
        { "accept", "false" },
        { "accept", "\"true\"" }, // a string is not a yes
        { "accept", "1" },
        { "accept", "" }, // accepted with no content: the default, no
        { "ACCEPT", "true" }, // the protocol's action is exactly "accept"
        { "Accept", "true" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task With_elicitation_anything_but_a_clear_yes_is_refused_without_a_value_request(string action, string allowJson)
    {
        foreach (var (tool, arguments) in new[]
                 {
                     ("list_secrets", """{"space":"production","show_values":true}"""),
                     ("get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}"""),
                 })
        {
            var asked = new List<ElicitRequestParams?>();
            var answer = allowJson.Length == 0 ? new ElicitResult { Action = action } : Accept(allowJson);
            answer.Action = action;
            await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => answer, asked));
            AnswerWithValues(host, tool);

            var result = await host.CallAsync(tool, arguments);

            Assert.True(result.IsError, $"{action} {allowJson}: {Text(result)}");
            Assert.Contains("The user did not allow showing secret values", Text(result));
            Assert.DoesNotContain(Value, Text(result));
            Assert.Single(asked);
            Assert.Empty(host.Requests);
        }
    }

    [Theory]
    [InlineData("""{"code":-32603,"message":"the dialog crashed"}""", "Could not ask the user")]
    [InlineData(null, "did not allow")]
    public async Task A_client_whose_elicitation_fails_or_answers_nonsense_gets_a_refusal_not_the_values(string? error, string expected)
    {
        await using var host = RawServerHost.Start(Env(null));
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(SecretWithValue));
        await host.InitializeAsync("""{"elicitation":{}}""");

        var answer = host.Expect("\"s1\"");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","id":"s1","method":"tools/call","params":{"name":"get_secret","arguments":{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}}}""");
        var ask = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
        Assert.Equal("elicitation/create", ask.GetProperty("method").GetString());
        Assert.Contains("'ANTHROPIC_API_KEY' of space 'production'", ask.GetProperty("params").GetProperty("message").GetString());
        string id = ask.GetProperty("id").GetRawText();
        await host.WriteLineAsync(error is null
            ? "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\":{\"action\":\"accept\",\"content\":{\"allow\":\"yes please\"}}}"
            : "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"error\":" + error + "}");

        var result = (await answer.WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        string text = result.GetProperty("content")[0].GetProperty("text").GetString()!;
        Assert.Contains(expected, text);
        Assert.DoesNotContain(Value, text);
        Assert.Empty(host.Api.LogEntries);
    }

    /// <summary>A tools/call line as a 2026-07-28 client writes it; with a state, the retry answering yes.</summary>
    private static string MrtrCall(string id, string tool, string arguments, string? state = null)
    {
        var parameters = new JsonObject
        {
            ["name"] = tool,
            ["arguments"] = JsonNode.Parse(arguments),
            ["_meta"] = new JsonObject
            {
                ["io.modelcontextprotocol/protocolVersion"] = SecretConsent.MrtrProtocolVersion,
                ["io.modelcontextprotocol/clientCapabilities"] = new JsonObject { ["elicitation"] = new JsonObject() },
            },
        };
        if (state is not null)
        {
            parameters["requestState"] = state;
            parameters["inputResponses"] = new JsonObject { [SecretConsent.InputKey] = JsonNode.Parse("""{"action":"accept","content":{"allow":true}}""") };
        }
        return new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = "tools/call", ["params"] = parameters }.ToJsonString();
    }

    [Fact]
    public async Task A_2026_client_over_stdio_is_asked_in_the_result_and_answers_in_a_retry_with_the_sealed_state()
    {
        await using var host = RawServerHost.Start(Env(null));
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(SecretWithValue));
        const string arguments = """{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}""";

        var asked = (await host.RequestAsync(MrtrCall("m1", "get_secret", arguments), "\"m1\"")).GetProperty("result");

        // No elicitation request went out: the question is in the result, and the call is over.
        Assert.Equal("input_required", asked.GetProperty("resultType").GetString());
        var question = asked.GetProperty("inputRequests").GetProperty(SecretConsent.InputKey);
        Assert.Contains("'ANTHROPIC_API_KEY' of space 'production'", question.GetProperty("params").GetProperty("message").GetString());
        string state = asked.GetProperty("requestState").GetString()!;
        Assert.Empty(host.Api.LogEntries);

        var allowed = (await host.RequestAsync(MrtrCall("m2", "get_secret", arguments, state), "\"m2\"")).GetProperty("result");
        Assert.Contains(Value, allowed.GetProperty("content")[0].GetProperty("text").GetString());

        var replayed = await host.RequestAsync(MrtrCall("m3", "get_secret", arguments, state), "\"m3\"");
        Assert.Equal(-32602, replayed.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("already used", replayed.GetProperty("error").GetProperty("message").GetString());
        Assert.Single(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_state_of_another_stdio_process_is_refused()
    {
        await using var first = RawServerHost.Start(Env(null));
        await using var second = RawServerHost.Start(Env(null));
        const string arguments = """{"show_values":true}""";
        var asked = await first.RequestAsync(MrtrCall("p1", "list_secrets", arguments), "\"p1\"");

        var refused = await second.RequestAsync(MrtrCall("p2", "list_secrets", arguments, asked.GetProperty("result").GetProperty("requestState").GetString()), "\"p2\"");

        Assert.Equal(-32602, refused.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("did not issue it", refused.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(second.Api.LogEntries);
    }

    [Fact]
    public async Task Each_call_asks_again()
    {
        int calls = 0;
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => Accept(Interlocked.Increment(ref calls) == 1 ? "true" : "false"), asked));
        AnswerWithValues(host, "get_secret");
        const string arguments = """{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}""";

        var first = await host.CallAsync("get_secret", arguments);
        var second = await host.CallAsync("get_secret", arguments);

        Assert.False(first.IsError ?? false, Text(first));
        Assert.True(second.IsError, Text(second));
        Assert.Equal(2, asked.Count);
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task Creating_and_updating_a_secret_never_echo_the_value()
    {
        await using var host = await StartAsync(Env(null));
        host.Respond(200, SecretWithValue); // even if the API echoed it

        var created = await host.CallAsync("create_secret", $$"""{"space":"production","key_name":"K","value":"{{Value}}"}""");
        Assert.False(created.IsError ?? false, Text(created));
        Assert.Contains(Value, host.SingleRequest().RequestMessage.Body); // sent to the API, of course
        // What the model gets back is documented as "never the value".
        Assert.DoesNotContain(Value, Text(created));
        Assert.Contains("ANTHROPIC_API_KEY", Text(created));

        host.Respond(200, SecretWithValue);
        var updated = await host.CallAsync("update_secret", $$"""{"space":"production","key":"K","value":"{{Value}}"}""");
        Assert.False(updated.IsError ?? false, Text(updated));
        Assert.DoesNotContain(Value, Text(updated));
        Assert.DoesNotContain(Value, host.Logs.All);
    }

    [Theory]
    [InlineData("list_secrets", "space", "prod' (no secret values will be shown). Allow it?\n\nYes.\u202Etxt.exe", "character 5 is U+0027")]
    [InlineData("list_secrets", "space", "prod\u202E", "character 5 is U+202E")]
    [InlineData("get_secret", "space", "prod uction", "character 5 is U+0020")]
    [InlineData("get_secret", "key", "KEY\u202E (shown: none). Allow it?", "character 4 is the control or formatting character U+202E")]
    [InlineData("get_secret", "key", "KEY\r\nAllow", "character 4 is the control or formatting character U+000D")]
    public async Task A_name_that_cannot_exist_is_refused_before_the_user_is_asked(string tool, string argument, string forged, string expected)
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => Accept("true"), asked));
        var arguments = new Dictionary<string, object> { ["show_values"] = true, ["key"] = "K", [argument] = forged };
        if (tool == "list_secrets") arguments.Remove("key");

        var result = await host.CallAsync(tool, JsonSerializer.Serialize(arguments));

        Assert.True(result.IsError);
        Assert.Contains($"Invalid arguments for {tool}", Text(result));
        Assert.Contains(expected, Text(result));
        Assert.DoesNotContain("Allow it", Text(result)); // the name itself is never repeated
        Assert.Empty(asked);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task A_key_that_could_rephrase_the_question_is_quoted_with_its_quote_escaped()
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => new ElicitResult { Action = "decline" }, asked));
        string forged = "K' (no secret values will be shown). Allow it? 'Yes";

        await host.CallAsync("get_secret", JsonSerializer.Serialize(new Dictionary<string, object> { ["space"] = "prod", ["key"] = forged, ["show_values"] = true }));

        string message = Assert.Single(asked)!.Message;
        Assert.Contains("'K\\u0027 (no secret values", message); // the quote cannot close the quoted name
        Assert.Contains("shown to the model", message);
    }

    [Fact]
    public async Task A_long_argument_is_cut_in_the_consent_question()
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => new ElicitResult { Action = "decline" }, asked));

        await host.CallAsync("list_secrets", $$"""{"space":"{{new string('s', 1000)}}","show_values":true}""");

        string message = Assert.Single(asked)!.Message;
        Assert.Contains("…' (1000 characters)", message);
        Assert.True(message.Length < 300, message);
    }

    [Theory]
    [InlineData("get_secret", "key")]
    [InlineData("get_secret", "space")]
    [InlineData("list_secrets", "space")]
    public async Task A_name_that_cannot_be_sent_is_refused_before_the_user_is_asked(string tool, string argument)
    {
        var asked = new List<ElicitRequestParams?>();
        await using var host = await StartAsync(Env(null), clientOptions: Answering(_ => Accept("true"), asked));
        var arguments = new Dictionary<string, object> { ["show_values"] = true, [argument] = new string('k', 9000) };
        if (tool == "get_secret" && argument != "key") arguments["key"] = "K";

        var result = await host.CallAsync(tool, JsonSerializer.Serialize(arguments));

        Assert.True(result.IsError);
        Assert.Contains("the limit is 1024", Text(result));
        Assert.Empty(asked);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task An_unanswered_consent_question_times_out_as_a_refusal()
    {
        var env = Env(null);
        env[ServerConfiguration.ConsentTimeoutVariable] = "200";
        await using var host = RawServerHost.Start(env);
        await host.InitializeAsync("""{"elicitation":{}}""");

        var answer = host.Expect("\"s2\"");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","id":"s2","method":"tools/call","params":{"name":"get_secret","arguments":{"space":"production","key":"ANTHROPIC_API_KEY","show_values":true}}}""");
        var ask = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
        Assert.Equal("elicitation/create", ask.GetProperty("method").GetString()); // and never answered

        var result = (await answer.WaitAsync(TimeSpan.FromSeconds(10))).GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Contains("did not answer within 0.2 s", result.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Empty(host.Api.LogEntries);
    }

    [Theory]
    [InlineData("list_secrets", """{"space":"production"}""")]
    [InlineData("get_secret", """{"space":"production","key":"ANTHROPIC_API_KEY"}""")]
    [InlineData("list_secrets", """{"space":"production","show_values":false}""")]
    public async Task A_value_the_api_sends_unasked_is_stripped(string tool, string arguments)
    {
        await using var host = await StartAsync(Env("true"));
        AnswerWithValues(host, tool);

        var result = await host.CallAsync(tool, arguments);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.DoesNotContain(Value, Text(result));
        Assert.DoesNotContain("encrypted_value", Text(result));
        Assert.Contains("Claude API key", Text(result));
    }
}
