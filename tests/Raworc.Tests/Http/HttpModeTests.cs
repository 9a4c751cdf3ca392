using System.Net;
using System.Text;
using Raworc.Mcp;
using Raworc.Mcp.Http;

namespace Raworc.Tests.Http;

/// <summary>The HTTP mode's own behaviour: credentials per request, Origin checks, limits, probes and the drain.</summary>
public sealed class HttpModeTests
{
    [Fact]
    public async Task Health_and_readiness_answer_without_credentials()
    {
        await using var host = await HttpTestHost.StartAsync();
        var health = await host.Http.GetAsync("/healthz");
        var ready = await host.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("ready", (await ready.Content.ReadAsStringAsync()).Trim());
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_request_without_a_bearer_token_gets_401_and_reaches_no_API()
    {
        await using var host = await HttpTestHost.StartAsync();
        var response = await host.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}""");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Contains("Authorization: Bearer", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Api.LogEntries);
    }

    [Theory]
    [InlineData("Basic YWRtaW46YWRtaW4=", "Bearer scheme")]
    [InlineData("Bearer", "Bearer scheme")]
    [InlineData("Bearer ", "Bearer scheme")]
    [InlineData("Bearer two words", "one word")]
    [InlineData("Token abc", "Bearer scheme")]
    public async Task A_malformed_authorization_header_gets_401_naming_the_problem(string header, string expected)
    {
        await using var host = await HttpTestHost.StartAsync();
        var response = await host.PostAsync(HttpTestHost.ToolsList, new Dictionary<string, string> { ["Authorization"] = header });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_request\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task The_bearer_scheme_is_case_insensitive()
    {
        await using var host = await HttpTestHost.StartAsync();
        var response = await host.PostAsync(HttpTestHost.ToolsList, new Dictionary<string, string> { ["Authorization"] = "bearer " + HttpTestHost.TokenOf("abc") });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Each_call_uses_its_own_callers_token_and_never_the_servers()
    {
        await using var host = await HttpTestHost.StartAsync();
        await using var alice = await host.ConnectAsync("alice-token");
        await using var bob = await host.ConnectAsync("bob-token");
        Assert.Equal("alice-token", await HttpTestHost.WhoAmIAsync(alice));
        Assert.Equal("bob-token", await HttpTestHost.WhoAmIAsync(bob));
        Assert.Equal([$"Bearer {HttpTestHost.TokenOf("alice-token")}", $"Bearer {HttpTestHost.TokenOf("bob-token")}"], host.ApiAuthorizations());
    }

    [Fact]
    public async Task Two_users_calling_at_once_through_one_server_never_see_each_others_token()
    {
        // Hundreds at once from each: the rate and the cap on requests in flight would turn most away.
        await using var host = await HttpTestHost.StartAsync(["--rate-limit", "0", "--requests-per-caller", "1000"]);
        await using var alice = await host.ConnectAsync("alice-token");
        await using var bob = await host.ConnectAsync("bob-token");
        const int callsEach = 200;
        var calls = Enumerable.Range(0, callsEach * 2).Select(async i =>
        {
            var (client, token) = i % 2 == 0 ? (alice, "alice-token") : (bob, "bob-token");
            Assert.Equal(token, await HttpTestHost.WhoAmIAsync(client));
        });
        await Task.WhenAll(calls);

        var seen = host.ApiAuthorizations();
        Assert.Equal(callsEach * 2, seen.Count);
        Assert.Equal(callsEach, seen.Count(a => a == $"Bearer {HttpTestHost.TokenOf("alice-token")}"));
        Assert.Equal(callsEach, seen.Count(a => a == $"Bearer {HttpTestHost.TokenOf("bob-token")}"));
    }

    [Fact]
    public async Task A_rejected_bearer_token_is_reported_to_the_model_without_a_retry_with_other_credentials()
    {
        await using var host = await HttpTestHost.StartAsync(environment: new Dictionary<string, string?>
        {
            ["RAWORC_AUTH_TOKEN"] = null,
            ["RAWORC_USERNAME"] = "admin",
            ["RAWORC_PASSWORD"] = "server-password",
        });
        host.Api.Reset();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(401));
        await using var client = await host.ConnectAsync("expired-token");
        var result = await client.CallToolAsync("whoami");
        Assert.True(result.IsError);
        Assert.Contains("bearer token was rejected", McpTestHost.Text(result));
        Assert.Contains("Authorization header", McpTestHost.Text(result));
        var request = Assert.Single(host.Api.LogEntries);
        Assert.Equal("/api/v0/auth/me", request.RequestMessage.Path);
    }

    [Fact]
    public async Task Shared_credentials_serve_requests_without_a_bearer_and_a_bearer_still_wins()
    {
        await using var host = await HttpTestHost.StartAsync(["--shared-credentials"]);
        await using var anonymous = await host.ConnectAsync(null);
        await using var carol = await host.ConnectAsync("carol-token");
        Assert.Equal(HttpTestHost.ServerUser, await HttpTestHost.WhoAmIAsync(anonymous));
        Assert.Equal("carol-token", await HttpTestHost.WhoAmIAsync(carol));
    }

    [Fact]
    public void Without_shared_credentials_the_servers_own_are_dropped_at_load()
    {
        var configuration = ServerConfiguration.Load(
            name => name switch { "RAWORC_AUTH_TOKEN" => "t", "RAWORC_USERNAME" => "u", "RAWORC_PASSWORD" => "p", _ => null },
            McpTestHost.EmptyHome(), CommandLine.Parse(["http"]));
        Assert.Null(configuration.Raworc.Options.Token);
        Assert.Null(configuration.Raworc.Options.Username);
        Assert.Null(configuration.Raworc.Options.Password);
        Assert.Null(configuration.Raworc.CredentialSource);
    }

    [Theory]
    [InlineData("http://evil.example.com")]
    [InlineData("null")]
    [InlineData("https://app.example.com.evil.example")]
    [InlineData("http://localhost.evil.example")]
    public async Task A_request_from_a_web_origin_that_is_not_allowed_gets_403(string origin)
    {
        await using var host = await HttpTestHost.StartAsync(["--allowed-origins", "https://app.example.com"]);
        var headers = HttpTestHost.Bearer("t");
        headers["Origin"] = origin;
        var response = await host.PostAsync(HttpTestHost.ToolsList, headers);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("--allowed-origins", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Api.LogEntries);
    }

    [Theory]
    [InlineData("https://app.example.com")]
    [InlineData("https://APP.example.com:443")]
    [InlineData("http://localhost:6274")]
    [InlineData("http://127.0.0.1:3000")]
    public async Task Allowed_and_loopback_origins_are_served_on_a_loopback_address(string origin)
    {
        await using var host = await HttpTestHost.StartAsync(["--allowed-origins", "https://app.example.com"]);
        var headers = HttpTestHost.Bearer("t");
        headers["Origin"] = origin;
        var response = await host.PostAsync(HttpTestHost.ToolsList, headers);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Loopback_origins_are_not_allowed_by_default_on_a_public_address()
    {
        var check = new OriginCheck(new HttpSettings { ListenHost = "0.0.0.0" });
        Assert.False(check.Allowed("http://localhost:6274"));
        Assert.False(check.Allowed("http://evil.example.com"));
    }

    [Fact]
    public async Task A_body_over_4_MiB_gets_413_before_it_is_read()
    {
        await using var host = await HttpTestHost.StartAsync();
        string big = """{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{"x":""" + $"\"{new string('a', 5 * 1024 * 1024)}\"" + "}}}";
        // With Expect: 100-continue the client waits for the verdict instead of writing into a closed connection.
        var headers = HttpTestHost.Bearer("t");
        headers["Expect"] = "100-continue";
        var response = await host.PostAsync(big, headers);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_cut_with_413()
    {
        await using var host = await HttpTestHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, host.McpUrl)
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(new string(' ', 5 * 1024 * 1024) + "{}"))),
        };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new("Bearer", HttpTestHost.TokenOf("t"));
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_caller_over_the_rate_limit_gets_429_with_retry_after_and_other_callers_do_not()
    {
        await using var host = await HttpTestHost.StartAsync(["--rate-limit", "1"]);
        // A burst of twice the rate is allowed; twenty at once cannot all fit, however slow the machine.
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.Bearer("greedy"))));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        Assert.Contains("retry after", await limited[0].Content.ReadAsStringAsync());

        var other = await host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.Bearer("patient"));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Draining_turns_readiness_503_lets_the_call_in_flight_finish_then_stops()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/v0/spaces").UsingGet()).RespondWith(
            WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody("[]").WithDelay(TimeSpan.FromSeconds(1)));
        await using var client = await host.ConnectAsync("t");
        var slow = client.CallToolAsync("list_spaces");
        // Wait until the call is really in flight on the server.
        while (host.Drain.InFlight == 0 && !slow.IsCompleted) await Task.Delay(10);

        host.Drain.Begin("test");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await host.Http.GetAsync("/readyz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);

        var result = await slow;
        Assert.False(result.IsError == true, McpTestHost.Text(result));
        await host.Stopping.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(host.Logs.Lines, l => l.Contains("Draining (test)"));
    }

    [Fact]
    public async Task Every_request_gets_one_access_line_with_the_tool_and_never_a_token()
    {
        await using var host = await HttpTestHost.StartAsync();
        await using var client = await host.ConnectAsync("secret-caller-token");
        await HttpTestHost.WhoAmIAsync(client);
        await host.PostAsync(HttpTestHost.ToolsList);
        // An access line is written once its response is done, which may be after the client has read it.
        List<string> Access() => host.Logs.Lines.Where(l => l.Contains(Logging.AccessLogCategory)).ToList();
        await WaitToolTests.WaitUntilAsync(() => Access() is var lines
            && lines.Any(l => l.Contains("tools/call whoami")) && lines.Any(l => l.Contains("POST /mcp 401")));

        var access = Access();
        Assert.Contains(access, l => l.Contains("POST /mcp 200") && l.Contains("tools/call whoami"));
        Assert.Contains(access, l => l.Contains("POST /mcp 401"));
        Assert.DoesNotContain(HttpTestHost.TokenOf("secret-caller-token"), host.Logs.All);
    }

    [Fact]
    public async Task Completions_are_cached_per_caller()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/v0/spaces").UsingGet()).RespondWith(
            WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(request =>
                $$"""[{"name":"{{HttpTestHost.UserOf(request.Headers!["Authorization"][0]["Bearer ".Length..])}}-space","active":true}]"""));
        await using var alice = await host.ConnectAsync("alice");
        await using var bob = await host.ConnectAsync("bob");
        var reference = new ModelContextProtocol.Protocol.ResourceTemplateReference { Uri = "raworc://spaces/{space}" };
        var a = await alice.CompleteAsync(reference, "space", "");
        var b = await bob.CompleteAsync(reference, "space", "");
        Assert.Equal(["alice-space"], a.Completion.Values);
        Assert.Equal(["bob-space"], b.Completion.Values);
    }

    [Fact]
    public async Task A_wait_streams_its_progress_in_the_response_to_the_call()
    {
        await using var host = await HttpTestHost.StartAsync(environment: new Dictionary<string, string?> { ["RAWORC_POLL_INTERVAL_MS"] = "20" });
        string[] paths = ["/api/v0/spaces/default/build/latest", "/api/v0/spaces/default/build/0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11"];
        string Build(string status) =>
            $$"""{"space":"default","status":"{{status}}","build_id":"0b9d4c1e-1111-4c55-9a0e-2b7d4f1e0c11","started_at":"2025-08-30T18:20:01+00:00","agents_deployed":[]}""";
        string[] statuses = ["pending", "building", "completed"];
        for (int i = 0; i < statuses.Length; i++)
        {
            var given = host.Api.Given(WireMock.RequestBuilders.Request.Create().WithPath(paths).UsingGet()).InScenario("build");
            if (i > 0) given = given.WhenStateIs($"step{i}");
            if (i < statuses.Length - 1) given = given.WillSetStateTo($"step{i + 1}");
            given.RespondWith(WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(Build(statuses[i])));
        }

        await using var client = await host.ConnectAsync("t");
        var progress = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var _ = client.RegisterNotificationHandler(ModelContextProtocol.Protocol.NotificationMethods.ProgressNotification, (notification, _) =>
        {
            progress.Enqueue(notification.Params!["message"]?.ToString() ?? "");
            return ValueTask.CompletedTask;
        });
        var result = await client.CallToolAsync("wait_for_build", new Dictionary<string, object?>(), new Progress<ModelContextProtocol.ProgressNotificationValue>());
        Assert.False(result.IsError == true, McpTestHost.Text(result));
        Assert.Contains("completed", McpTestHost.Text(result));
        // A hang bound only: the notifications precede the response on the wire; only their handling may lag.
        for (int i = 0; i < 1000 && progress.Count < 2; i++) await Task.Delay(10);
        Assert.True(progress.Count >= 2, $"progress notifications: {string.Join(" | ", progress)}");
    }

    [Fact]
    public async Task An_API_error_quoting_the_callers_token_reaches_the_model_masked()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Reset();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod()).RespondWith(WireMock.ResponseBuilders.Response.Create()
            .WithStatusCode(403).WithHeader("Content-Type", "application/json")
            .WithBody(request => $$$"""{"error":{"code":"FORBIDDEN","message":"denied for header {{{request.Headers!["Authorization"][0]}}}"}}"""));
        await using var client = await host.ConnectAsync("caller-token-9c1e");
        var result = await client.CallToolAsync("list_spaces");
        Assert.True(result.IsError);
        Assert.Contains("denied for header Bearer [redacted]", McpTestHost.Text(result));
        Assert.DoesNotContain("caller-token-9c1e", McpTestHost.Text(result));
        Assert.DoesNotContain("caller-token-9c1e", host.Logs.All);
    }
}
