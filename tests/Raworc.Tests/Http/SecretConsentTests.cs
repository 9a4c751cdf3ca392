using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Mcp;
using Raworc.Mcp.Http;
using Raworc.Mcp.Tools;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests.Http;

/// <summary>
/// Secret values over stateless HTTP: a client on MCP 2026-07-28 is asked through an input-required result whose
/// sealed request state binds the answer to the caller, the tool, its arguments and a short expiry, and is good for
/// one call; any replica holding the same keys takes the retry. Older clients are refused, as before.
/// </summary>
public sealed class SecretConsentTests
{
    private const string Value = "sk-ant-very-secret-1234";
    private const string T0 = "2025-08-30T18:00:00+00:00";
    private const string SecretJson = $$"""{"space":"production","key_name":"ANTHROPIC_API_KEY","description":"Claude API key","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin","encrypted_value":"{{Value}}"}""";
    private const string GetSecret = "get_secret";
    private static readonly string Alice = HttpTestHost.TokenOf("alice-token-1f2e");
    private static readonly string Bob = HttpTestHost.TokenOf("bob-token-9c8d");

    private static readonly Dictionary<string, object?> GetArguments = new() { ["space"] = "production", ["name"] = "ANTHROPIC_API_KEY", ["show_values"] = true };

    /// <summary>A key of RAWORC_MCP_OAUTH_KEYS.</summary>
    private static string NewKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(SealingKeys.KeyBytes));

    /// <summary>A host whose API answers every secret read with the value, so a leak would show.</summary>
    /// <param name="keys">RAWORC_MCP_OAUTH_KEYS: the same for hosts that play replicas of one fleet; unset by default (a key made at start).</param>
    private static async Task<HttpTestHost> StartAsync(string? keys = null, TimeProvider? clock = null)
    {
        var environment = new Dictionary<string, string?> { [ServerConfiguration.AllowSecretValuesVariable] = "", [HttpSettings.OAuthKeysVariable] = keys };
        var host = await HttpTestHost.StartAsync(environment: environment, clock: clock);
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/*/secrets*").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody(request => request.Path.EndsWith("/secrets", StringComparison.Ordinal) ? $"[{SecretJson}]" : SecretJson));
        return host;
    }

    private static int SecretReads(HttpTestHost host) => host.Api.LogEntries.Count(e => e.RequestMessage.Path.Contains("/secrets", StringComparison.Ordinal));

    // ---- the C# SDK's client, which prefers 2026-07-28 ----

    private sealed class Consenting(Func<ElicitRequestParams?, ElicitResult> answer)
    {
        public List<ElicitRequestParams?> Asked { get; } = [];

        public McpClientOptions Options(string? protocolVersion = null) => new()
        {
            ProtocolVersion = protocolVersion,
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (request, _) =>
                {
                    lock (Asked) Asked.Add(request);
                    return ValueTask.FromResult(answer(request));
                },
            },
        };
    }

    private static ElicitResult Allow(bool allow, string action = "accept") =>
        new() { Action = action, Content = new Dictionary<string, JsonElement> { [SecretConsent.AllowField] = JsonSerializer.SerializeToElement(allow) } };

    /// <summary>An SDK client of one replica or, through a round-robin balancer, of several.</summary>
    private static Task<McpClient> ConnectAsync(string token, McpClientOptions options, params HttpTestHost[] replicas)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = replicas[0].McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }, new HttpClient(new RoundRobin([.. replicas.Select(r => r.McpUrl)])));
        return McpClient.CreateAsync(transport, options);
    }

    /// <summary>A load balancer without affinity: each request goes to the next replica in turn.</summary>
    private sealed class RoundRobin(Uri[] replicas) : DelegatingHandler(new SocketsHttpHandler())
    {
        private int _next;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = replicas[Interlocked.Increment(ref _next) % replicas.Length];
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData(GetSecret)]
    [InlineData("list_secrets")]
    public async Task A_2026_client_whose_user_allows_gets_the_values(string tool)
    {
        await using var host = await StartAsync();
        var user = new Consenting(_ => Allow(true));
        await using var client = await ConnectAsync(Alice, user.Options(), host);
        Assert.Equal(SecretConsent.MrtrProtocolVersion, client.NegotiatedProtocolVersion);

        var result = await client.CallToolAsync(tool, tool == GetSecret ? GetArguments : new Dictionary<string, object?> { ["space"] = "production", ["show_values"] = true });

        Assert.False(result.IsError == true, McpTestHost.Text(result));
        Assert.Contains(Value, McpTestHost.Text(result));
        var question = Assert.Single(user.Asked);
        Assert.NotNull(question);
        Assert.Contains("'production'", question.Message);
        Assert.Contains("shown to the model", question.Message);
        var allow = Assert.IsType<ElicitRequestParams.BooleanSchema>(Assert.Single(question.RequestedSchema!.Properties).Value);
        Assert.False(allow.Default);
        Assert.Equal(1, SecretReads(host));
        Assert.Equal([$"Bearer {Alice}"], host.ApiAuthorizations().Distinct());
        Assert.DoesNotContain(Value, host.Logs.All);
    }

    public static TheoryData<string, bool?> Refusals => new()
    {
        { "decline", null },
        { "cancel", null },
        { "accept", false },
        { "accept", null }, // accepted with no content: the default, no
        { "ACCEPT", true }, // the protocol's action is exactly "accept"
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_2026_client_whose_user_does_not_clearly_allow_gets_nothing(string action, bool? allow)
    {
        await using var host = await StartAsync();
        var user = new Consenting(_ => allow is { } yes ? Allow(yes, action) : new ElicitResult { Action = action });
        await using var client = await ConnectAsync(Alice, user.Options(), host);

        var result = await client.CallToolAsync(GetSecret, GetArguments);

        Assert.True(result.IsError, McpTestHost.Text(result));
        Assert.Contains("The user did not allow showing secret values", McpTestHost.Text(result));
        Assert.DoesNotContain(Value, McpTestHost.Text(result));
        Assert.Single(user.Asked);
        Assert.Equal(0, SecretReads(host));
    }

    [Fact]
    public async Task The_retry_may_reach_another_replica_holding_the_same_keys()
    {
        string keys = NewKey();
        await using var first = await StartAsync(keys);
        await using var second = await StartAsync(keys);
        var user = new Consenting(_ => Allow(true));
        await using var client = await ConnectAsync(Alice, user.Options(), first, second);

        // The discovery goes to the second replica, the question to the first, the retry with the answer to the second;
        // after a listing in between, the other way round.
        foreach (var (asking, answering) in new[] { (first, second), (second, first) })
        {
            int asked = SecretReads(asking), answered = SecretReads(answering);
            var result = await client.CallToolAsync(GetSecret, GetArguments);

            Assert.False(result.IsError == true, McpTestHost.Text(result));
            Assert.Contains(Value, McpTestHost.Text(result));
            Assert.Equal((asked, answered + 1), (SecretReads(asking), SecretReads(answering)));
            await client.ListToolsAsync();
        }

        Assert.Equal(2, user.Asked.Count);
        foreach (var replica in new[] { first, second })
        {
            Assert.Equal(1, SecretReads(replica));
            Assert.Equal(2, replica.Logs.Lines.Count(l => l.Contains(Logging.AccessLogCategory) && l.Contains("tools/call get_secret")));
        }
    }

    [Fact]
    public async Task A_question_sealed_before_a_key_rotation_is_answered_after_it()
    {
        string old = NewKey(), current = NewKey();
        await using var before = await StartAsync(old);
        await using var after = await StartAsync($"{current},{old}"); // the new key seals, the old one still opens
        var user = new Consenting(_ => Allow(true));
        await using var client = await ConnectAsync(Alice, user.Options(), before, after);

        // The discovery goes to the replica after the rotation, the question to the one before, the retry after.
        var result = await client.CallToolAsync(GetSecret, GetArguments);

        Assert.Contains(Value, McpTestHost.Text(result));
        Assert.Equal((0, 1), (SecretReads(before), SecretReads(after)));
    }

    [Fact]
    public async Task A_replica_with_other_keys_cannot_open_the_question_and_says_so()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        var user = new Consenting(_ => Allow(true));
        await using var client = await ConnectAsync(Alice, user.Options(), first, second);

        // The discovery goes to the second replica, the question to the first, the retry to the second.
        var error = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => client.CallToolAsync(GetSecret, GetArguments).AsTask());

        Assert.Equal(ModelContextProtocol.McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("did not issue it, or it was changed", error.Message);
        Assert.Equal(0, SecretReads(first) + SecretReads(second));
    }

    [Fact]
    public async Task An_older_client_is_refused_without_being_asked_and_told_how_to_allow_values()
    {
        await using var host = await StartAsync();
        var user = new Consenting(_ => Allow(true));
        await using var client = await ConnectAsync(Alice, user.Options("2025-11-25"), host);
        Assert.Equal("2025-11-25", client.NegotiatedProtocolVersion);

        var result = await client.CallToolAsync(GetSecret, GetArguments);

        Assert.True(result.IsError);
        string text = McpTestHost.Text(result);
        Assert.Contains("this client is not one", text);
        Assert.Contains("--allow-secret-values", text);
        Assert.Contains("RAWORC_ALLOW_SECRET_VALUES=true", text);
        Assert.Empty(user.Asked);
        Assert.Equal(0, SecretReads(host));
    }

    [Fact]
    public async Task A_2026_client_without_elicitation_is_refused_without_a_question()
    {
        await using var host = await StartAsync();
        await using var client = await host.ConnectAsync(Alice);

        var result = await client.CallToolAsync(GetSecret, GetArguments);

        Assert.True(result.IsError);
        Assert.Contains("this client cannot ask the user", McpTestHost.Text(result));
        Assert.Equal(0, SecretReads(host));
    }

    // ---- the wire itself: what a client could send instead of the state it was given ----

    private static string Meta(bool elicitation = true) =>
        $$"""{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"raw","version":"1"},"io.modelcontextprotocol/clientCapabilities":{{(elicitation ? """{"elicitation":{"form":{}}}""" : "{}")}}}""";

    private static int _ids;

    /// <summary>One tools/call as a 2026-07-28 client sends it, with the retry's state and answer when given.</summary>
    private static async Task<JsonElement> PostCallAsync(HttpTestHost host, string token, string tool, Dictionary<string, object?> arguments,
        string? state = null, string? answer = null, bool elicitation = true)
    {
        var parameters = new JsonObject
        {
            ["name"] = tool,
            ["arguments"] = JsonSerializer.SerializeToNode(arguments),
            ["_meta"] = JsonNode.Parse(Meta(elicitation)),
        };
        if (state is not null) parameters["requestState"] = state;
        if (answer is not null) parameters["inputResponses"] = new JsonObject { [SecretConsent.InputKey] = JsonNode.Parse(answer) };
        var request = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = Interlocked.Increment(ref _ids), ["method"] = "tools/call", ["params"] = parameters };
        using var response = await host.PostAsync(request.ToJsonString(), new Dictionary<string, string>
        {
            ["Authorization"] = $"Bearer {token}",
            ["MCP-Protocol-Version"] = SecretConsent.MrtrProtocolVersion,
            ["Mcp-Method"] = "tools/call",
            ["Mcp-Name"] = tool,
        });
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {body}");
        // A stream of server-sent events (the answer is the last data line) or one JSON body.
        string json = body.Split('\n').LastOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal))?["data: ".Length..] ?? body;
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private const string Yes = """{"action":"accept","content":{"allow":true}}""";

    /// <summary>The first round: the question and its sealed state.</summary>
    private static async Task<string> AskAsync(HttpTestHost host, string token, string tool, Dictionary<string, object?> arguments)
    {
        var asked = (await PostCallAsync(host, token, tool, arguments)).GetProperty("result");
        Assert.Equal("input_required", asked.GetProperty("resultType").GetString());
        var question = asked.GetProperty("inputRequests").GetProperty(SecretConsent.InputKey);
        Assert.Equal("elicitation/create", question.GetProperty("method").GetString());
        return asked.GetProperty("requestState").GetString()!;
    }

    private static void AssertRefusedState(JsonElement response, string expected)
    {
        Assert.False(response.TryGetProperty("result", out _), response.ToString());
        var error = response.GetProperty("error");
        Assert.Equal(-32602, error.GetProperty("code").GetInt32());
        string message = error.GetProperty("message").GetString()!;
        Assert.Contains(expected, message);
        Assert.Contains("requestState", message);
        Assert.DoesNotContain(Value, response.ToString());
    }

    [Fact]
    public async Task The_state_is_sealed_and_the_question_is_the_plain_one()
    {
        await using var host = await StartAsync();

        var asked = (await PostCallAsync(host, Alice, GetSecret, GetArguments)).GetProperty("result");

        string state = asked.GetProperty("requestState").GetString()!;
        Assert.DoesNotContain(Alice, state);
        Assert.DoesNotContain("ANTHROPIC", Base64Url.DecodeFromChars(state).Select(b => (char)b).ToArray().AsSpan().ToString());
        var question = asked.GetProperty("inputRequests").GetProperty(SecretConsent.InputKey).GetProperty("params");
        Assert.Equal("The assistant asks to read the value of secret 'ANTHROPIC_API_KEY' of space 'production' from Raworc. " +
            "The values will be shown to the model. Allow it?", question.GetProperty("message").GetString());
        Assert.Equal(["allow"], question.GetProperty("requestedSchema").GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, SecretReads(host));
    }

    [Theory]
    [InlineData(0)] // version
    [InlineData(3)] // key id
    [InlineData(10)] // nonce
    [InlineData(40)] // ciphertext
    [InlineData(-1)] // tag
    public async Task A_state_with_one_bit_flipped_is_refused(int position)
    {
        await using var host = await StartAsync();
        byte[] state = Base64Url.DecodeFromChars(await AskAsync(host, Alice, GetSecret, GetArguments));
        state[position < 0 ? state.Length + position : position] ^= 0x08;

        var response = await PostCallAsync(host, Alice, GetSecret, GetArguments, Base64Url.EncodeToString(state), Yes);

        AssertRefusedState(response, "did not issue it, or it was changed");
        Assert.Equal(0, SecretReads(host));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not sealed at all")]
    [InlineData("AQAAAAA")]
    public async Task A_state_this_server_never_sealed_is_refused(string state)
    {
        await using var host = await StartAsync();

        var response = await PostCallAsync(host, Alice, GetSecret, GetArguments, state, Yes);

        AssertRefusedState(response, "did not issue it");
        Assert.Equal(0, SecretReads(host));
    }

    [Fact]
    public async Task A_state_sealed_for_another_purpose_is_refused()
    {
        string key = NewKey();
        await using var host = await StartAsync(key);
        string forged = SealingKeys.Parse(key).Seal("access-token", System.Text.Encoding.UTF8.GetBytes(
            """{"id":"00112233445566778899AABBCCDDEEFF","caller":"x","tool":"get_secret","arguments":"x","expires":99999999999999}"""));

        var response = await PostCallAsync(host, Alice, GetSecret, GetArguments, forged, Yes);

        AssertRefusedState(response, "did not issue it");
    }

    [Fact]
    public async Task An_answer_after_the_expiry_is_refused_and_one_just_before_counts()
    {
        var clock = new SteppingClock { AutoAdvance = false };
        await using var host = await StartAsync(clock: clock);
        string late = await AskAsync(host, Alice, GetSecret, GetArguments);
        clock.Advance(ServerConfiguration.DefaultConsentTimeout - TimeSpan.FromSeconds(1));
        string inTime = await AskAsync(host, Alice, GetSecret, GetArguments);

        clock.Advance(TimeSpan.FromSeconds(1));
        AssertRefusedState(await PostCallAsync(host, Alice, GetSecret, GetArguments, late, Yes), "it expired: the user's answer counts for 120 s");
        Assert.Equal(0, SecretReads(host));

        clock.Advance(ServerConfiguration.DefaultConsentTimeout - TimeSpan.FromSeconds(2));
        var result = (await PostCallAsync(host, Alice, GetSecret, GetArguments, inTime, Yes)).GetProperty("result");
        Assert.Contains(Value, result.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Another_callers_state_is_refused()
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);

        AssertRefusedState(await PostCallAsync(host, Bob, GetSecret, GetArguments, state, Yes), "issued to another caller");
        Assert.Equal(0, SecretReads(host));
    }

    public static TheoryData<string, string> OtherCalls => new()
    {
        { GetSecret, """{"space":"production","name":"GITHUB_TOKEN","show_values":true}""" },
        { GetSecret, """{"space":"staging","name":"ANTHROPIC_API_KEY","show_values":true}""" },
        { GetSecret, """{"name":"ANTHROPIC_API_KEY","show_values":true}""" }, // the default space
        { GetSecret, """{"space":"production","name":"ANTHROPIC_API_KEY","show_values":true,"extra":1}""" },
        { "list_secrets", """{"space":"production","show_values":true}""" },
    };

    [Theory]
    [MemberData(nameof(OtherCalls))]
    public async Task A_state_for_other_arguments_or_another_tool_is_refused(string tool, string arguments)
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);

        var response = await PostCallAsync(host, Alice, tool, JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments)!, state, Yes);

        if (arguments.Contains("extra", StringComparison.Ordinal))
        {
            // An unknown argument is refused before consent is even looked at.
            Assert.True(response.GetProperty("result").GetProperty("isError").GetBoolean());
        }
        else
        {
            AssertRefusedState(response, tool == GetSecret ? "issued for this tool with other arguments" : "issued for another tool");
        }
        Assert.Equal(0, SecretReads(host));
    }

    [Fact]
    public async Task The_same_call_with_older_argument_names_or_in_another_order_matches()
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);
        var sameCall = new Dictionary<string, object?> { ["show_values"] = true, ["key"] = "ANTHROPIC_API_KEY", ["space"] = "production" };

        var result = (await PostCallAsync(host, Alice, GetSecret, sameCall, state, Yes)).GetProperty("result");

        Assert.Contains(Value, result.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData(Yes)]
    [InlineData("""{"action":"decline"}""")]
    public async Task A_state_answers_one_call_only(string firstAnswer)
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);
        await PostCallAsync(host, Alice, GetSecret, GetArguments, state, firstAnswer);
        int readsAfterFirst = SecretReads(host);

        AssertRefusedState(await PostCallAsync(host, Alice, GetSecret, GetArguments, state, Yes), "it was already used");
        Assert.Equal(readsAfterFirst, SecretReads(host));
    }

    [Fact]
    public async Task A_retry_without_an_answer_is_asked_again()
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);

        var again = (await PostCallAsync(host, Alice, GetSecret, GetArguments, state)).GetProperty("result");

        Assert.Equal("input_required", again.GetProperty("resultType").GetString());
        Assert.NotEqual(state, again.GetProperty("requestState").GetString());
        // The first state was not spent by the question asked again.
        var result = (await PostCallAsync(host, Alice, GetSecret, GetArguments, state, Yes)).GetProperty("result");
        Assert.Contains(Value, result.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("""{"action":"accept","content":{"allow":"true"}}""")]
    [InlineData("""{"action":"accept","content":{"allow":1}}""")]
    [InlineData("""{"action":"accept"}""")]
    [InlineData("""{"action":"Accept","content":{"allow":true}}""")]
    [InlineData("""{"content":{"allow":true}}""")]
    [InlineData("\"accept\"")]
    [InlineData("true")]
    public async Task Anything_but_a_clear_yes_shows_nothing(string answer)
    {
        await using var host = await StartAsync();
        string state = await AskAsync(host, Alice, GetSecret, GetArguments);

        var response = await PostCallAsync(host, Alice, GetSecret, GetArguments, state, answer);

        Assert.DoesNotContain(Value, response.ToString());
        if (response.TryGetProperty("result", out var result))
            Assert.Contains("did not allow", result.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(0, SecretReads(host));
    }

    [Fact]
    public async Task A_2026_client_that_declares_no_elicitation_is_never_sent_a_question()
    {
        await using var host = await StartAsync();

        var result = (await PostCallAsync(host, Alice, GetSecret, GetArguments, elicitation: false)).GetProperty("result");

        Assert.NotEqual("input_required", result.GetProperty("resultType").GetString());
        Assert.Contains("this client cannot ask the user", result.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task With_allow_secret_values_nobody_is_asked()
    {
        await using var host = await HttpTestHost.StartAsync(["--allow-secret-values"]);
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/production/secrets/ANTHROPIC_API_KEY").UsingGet())
            .RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(SecretJson));

        var result = (await PostCallAsync(host, Alice, GetSecret, GetArguments)).GetProperty("result");

        Assert.Equal("complete", result.GetProperty("resultType").GetString());
        Assert.Contains(Value, result.GetProperty("content")[0].GetProperty("text").GetString());
    }
}
