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

    [Fact]
    public async Task With_a_public_url_the_binary_registers_a_client_and_challenges_with_its_metadata()
    {
        int port = McpTestHost.FreePort();
        string url = $"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        using var server = BinaryProcess.Start(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--public-url", url]);
        Assert.Equal(HttpStatusCode.OK, await WaitUntilHealthyAsync(port, server));
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var metadata = JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement;
        Assert.Equal(url, metadata.GetProperty("issuer").GetString());
        var registered = await http.PostAsync("/register", new StringContent("""{"client_name":"Binary","redirect_uris":["http://localhost/cb"]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        string clientId = JsonDocument.Parse(await registered.Content.ReadAsStringAsync()).RootElement.GetProperty("client_id").GetString()!;
        var page = await http.GetAsync($"/authorize?response_type=code&client_id={Uri.EscapeDataString(clientId)}&redirect_uri=http%3A%2F%2Flocalhost%3A5%2Fcb&code_challenge={new string('A', 43)}&code_challenge_method=S256");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Binary", await page.Content.ReadAsStringAsync());
        var mcp = await http.PostAsync("/mcp", new StringContent("""{"jsonrpc":"2.0","id":1,"method":"tools/list"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, mcp.StatusCode);
        Assert.Contains($"resource_metadata=\"{url}/.well-known/oauth-protected-resource/mcp\"", mcp.Headers.WwwAuthenticate.ToString());
        server.Signal("TERM");
        await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains("RAWORC_MCP_OAUTH_KEYS is not set", server.Stderr);
        Assert.Contains("users sign in with their Raworc account", server.Stderr);
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
