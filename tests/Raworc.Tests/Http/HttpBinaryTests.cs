using System.Net;
using System.Text.Json;

namespace Raworc.Tests.Http;

/// <summary>The published binary in HTTP mode: start-up, probes, SIGTERM, the healthcheck command, bad flags.</summary>
public sealed class HttpBinaryTests
{
    private static async Task<HttpStatusCode> WaitUntilHealthyAsync(int port, BinaryProcess process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return (await http.GetAsync($"http://127.0.0.1:{port}/healthz")).StatusCode;
            }
            catch (HttpRequestException) when (attempt < 200 && !process.Process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    [Fact]
    public async Task Serves_probes_then_exits_0_on_SIGTERM_and_says_so_on_stderr_only()
    {
        int port = McpTestHost.FreePort();
        using var server = BinaryProcess.Start(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(HttpStatusCode.OK, await WaitUntilHealthyAsync(port, server));

        var (exit, _, stderr) = await BinaryProcess.RunAsync(["healthcheck", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(exit == 0, stderr);

        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("Draining (SIGTERM)", server.Stderr);
        Assert.Contains($"on http://127.0.0.1:{port}/mcp", server.Stderr);
        Assert.Null(await server.ReadLineAsync(TimeSpan.FromSeconds(1)));
    }

    private static HttpRequestMessage Call(int port, string tool, string argumentsJson)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/mcp")
        {
            Content = new StringContent($$"""{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"{{tool}}","arguments":""" + argumentsJson + "}}",
                System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", HttpTestHost.TokenOf("t"));
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        return request;
    }

    [Fact]
    public async Task A_second_SIGTERM_ends_the_drain_at_once_and_a_call_cut_by_its_client_is_one_aborted_line()
    {
        using var api = new SilentApi();
        int port = McpTestHost.FreePort();
        using var server = BinaryProcess.Start(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--drain-seconds", "3600"],
            [("RAWORC_API_URL", api.Url), ("RAWORC_TIMEOUT", "600")]);
        await WaitUntilHealthyAsync(port, server);
        using var http = new HttpClient();

        // A client that gives up on a call the API never answers.
        using (var gaveUp = new CancellationTokenSource())
        {
            var abandoned = http.SendAsync(Call(port, "get_space", """{"name":"first"}"""), gaveUp.Token);
            api.Hanging.TryTake(out _, TimeSpan.FromSeconds(30));
            await gaveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }
        await server.WaitForStderrAsync("POST /mcp aborted", TimeSpan.FromSeconds(30));

        // A call in flight that the drain would wait an hour for.
        var held = http.SendAsync(Call(port, "get_space", """{"name":"second"}"""));
        api.Hanging.TryTake(out _, TimeSpan.FromSeconds(30));
        server.Signal("TERM");
        await server.WaitForStderrAsync("Draining (SIGTERM)", TimeSpan.FromSeconds(30));
        server.Signal("TERM");
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("SIGTERM again while draining: stopping now with 1 requests in flight", server.Stderr);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => held);

        // The abandoned call: one line saying so, and no stack trace anywhere.
        Assert.DoesNotContain("   at ", server.Stderr);
        Assert.DoesNotContain("Exception", server.Stderr);
    }

    [Fact]
    public async Task No_log_line_carries_a_raw_control_or_bidi_character_from_a_request()
    {
        int port = McpTestHost.FreePort();
        using var server = BinaryProcess.Start(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], [("LOG_LEVEL", "debug")]);
        await WaitUntilHealthyAsync(port, server);
        using var http = new HttpClient();
        await http.GetAsync($"http://127.0.0.1:{port}/a%1B%5B2J%07%08%E2%80%AEb");
        // An unknown tool and method: the SDK's own warnings quote them.
        await http.SendAsync(Call(port, "no\\u001b[31mtool\\u202e", "{}"));
        var rpc = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/mcp")
        {
            Content = new StringContent("""{"jsonrpc":"2.0","id":2,"method":"x\u001b]0;pwned\u0007\u202e"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        rpc.Headers.Authorization = new("Bearer", HttpTestHost.TokenOf("t"));
        rpc.Headers.Accept.ParseAdd("application/json, text/event-stream");
        await http.SendAsync(rpc);
        server.Signal("TERM");
        await server.WaitForExitAsync(TimeSpan.FromSeconds(20));

        string stderr = server.Stderr;
        Assert.Contains(@"GET /a\u001B[2J\u0007\u0008\u202Eb 404", stderr);
        Assert.Contains(@"\u001B]0;pwned\u0007\u202E", stderr);
        Assert.DoesNotContain(stderr, c => c is '\u001B' or '\u0007' or '\u0008' or '\u202E' or '\r');
    }

    [Fact]
    public async Task Json_log_lines_are_one_JSON_object_each()
    {
        int port = McpTestHost.FreePort();
        using var server = BinaryProcess.Start(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], [("LOG_FORMAT", "json")]);
        await WaitUntilHealthyAsync(port, server);
        server.Signal("TERM");
        await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var lines = server.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("GET /healthz 200"));
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact]
    public async Task Healthcheck_fails_with_exit_1_when_nothing_listens()
    {
        var (exit, _, stderr) = await BinaryProcess.RunAsync(["healthcheck", "--port", McpTestHost.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(1, exit);
        Assert.Contains("no answer from http://127.0.0.1:", stderr);
    }

    [Fact]
    public async Task A_port_in_use_is_exit_1_naming_the_address()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var (exit, _, stderr) = await BinaryProcess.RunAsync(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(1, exit);
        Assert.Contains($"Cannot listen on 127.0.0.1:{port}", stderr);
    }

    [Theory]
    [InlineData(new[] { "http", "--port", "70000" }, "--port must be a port number between 1 and 65535")]
    [InlineData(new[] { "http", "--listen-host", "example.com" }, "--listen-host must be an IP address")]
    [InlineData(new[] { "http", "--allowed-origins", "https://a.example/path" }, "is not an origin")]
    [InlineData(new[] { "http", "--rate-limit", "-1" }, "--rate-limit must be a number")]
    [InlineData(new[] { "http", "--waits-per-caller", "1" }, "--waits-per-caller must be a number of waits between 2")]
    [InlineData(new[] { "--probe-port", "8081" }, "--probe-port applies only to the HTTP mode")]
    [InlineData(new[] { "--port", "8080" }, "--port applies only to the HTTP mode")]
    [InlineData(new[] { "--shared-credentials" }, "--shared-credentials applies only to the HTTP mode")]
    [InlineData(new[] { "http", "--public-url", "http://mcp.example.com" }, "--public-url must use https")]
    [InlineData(new[] { "http", "--access-token-seconds", "60" }, "--access-token-seconds applies only with sign-in")]
    [InlineData(new[] { "--public-url", "https://mcp.example.com" }, "--public-url applies only to the HTTP mode")]
    public async Task Bad_http_flags_exit_2_naming_the_flag(string[] arguments, string expected)
    {
        var (exit, _, stderr) = await BinaryProcess.RunAsync(arguments);
        Assert.Equal(2, exit);
        Assert.Contains(expected, stderr);
    }

    [Fact]
    public async Task A_bad_http_variable_exits_2_naming_the_variable()
    {
        var (exit, _, stderr) = await BinaryProcess.RunAsync(["http"], null, ("RAWORC_MCP_PORT", "eighty"));
        Assert.Equal(2, exit);
        Assert.Contains("RAWORC_MCP_PORT must be a port number", stderr);
    }

    [Fact]
    public async Task A_bad_sealing_key_exits_2_naming_the_key_and_never_quoting_it()
    {
        string good = Convert.ToBase64String(new byte[32]);
        var (exit, _, stderr) = await BinaryProcess.RunAsync(["http"], null, ("RAWORC_MCP_OAUTH_KEYS", $"{good},c2hvcnQ="));
        Assert.Equal(2, exit);
        Assert.Contains("RAWORC_MCP_OAUTH_KEYS: key 2 of 2 is 5 bytes", stderr);
        Assert.DoesNotContain("c2hvcnQ", stderr);
    }

    [Fact]
    public async Task The_manifest_and_doctor_know_the_http_mode()
    {
        var (exit, stdout, _) = await BinaryProcess.RunAsync(["http", "--manifest"]);
        Assert.Equal(0, exit);
        var manifest = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("streamable-http", manifest.GetProperty("transport").GetString());
        Assert.Equal("http", manifest.GetProperty("args")[0].GetString());

        var (doctorExit, report, _) = await BinaryProcess.RunAsync(["http", "doctor", "--port", McpTestHost.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.Equal(1, doctorExit); // the API of BinaryProcess is a closed port
        Assert.Contains("✓ HTTP: 127.0.0.1:", report);
        Assert.Contains("each HTTP request brings its caller's token", report);
    }
}
