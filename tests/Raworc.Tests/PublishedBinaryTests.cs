using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Client;
using Raworc.Mcp;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests;

/// <summary>
/// The Native AOT binary itself (artifacts/bin/raworc-mcp, or RAWORC_MCP_BINARY): an app that passes under the JIT
/// can still crash under AOT, so these start the real executable. ./scripts/build.sh makes it.
/// </summary>
public sealed class PublishedBinaryTests
{
    [Fact]
    public async Task Starts_over_stdio_without_loading_the_crypto_library()
    {
        if (!OperatingSystem.IsLinux()) return;
        // Loading OpenSSL costs milliseconds at every start; over http:// nothing needs it until a consent question is
        // sealed, so a key made (or a token hashed) at start would show here as libcrypto in the process's maps.
        using var process = BinaryProcess.Start(null, [("RAWORC_AUTH_TOKEN", "start-token")]);
        await process.InitializeAsync();
        await process.WriteLineAsync("""{"jsonrpc":"2.0","id":"list","method":"tools/list"}""");
        await process.ReadLineAsync(l => l.Contains("\"list\"", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        var libraries = File.ReadAllLines($"/proc/{process.Process.Id}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Last());
        Assert.DoesNotContain(libraries, l => l.Contains("libcrypto", StringComparison.Ordinal) || l.Contains("libssl", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serves_initialize_tools_list_and_a_call_over_stdio()
    {
        using var api = McpTestHost.StartApi();
        api.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"version":"0.3.0","api":"v0"}"""));
        api.Given(Request.Create().WithPath("/api/v0/spaces").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""[{"name":"default","description":null,"settings":{},"active":true,"created_at":"2025-08-30T18:00:00+00:00","updated_at":"2025-08-30T18:00:00+00:00","created_by":"system"}]"""));

        await using var client = await McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = Binary(),
            Name = "raworc-mcp",
            EnvironmentVariables = new Dictionary<string, string?>
            {
                ["RAWORC_API_URL"] = api.Url + "/api/v0",
                ["RAWORC_AUTH_TOKEN"] = "binary-test-token",
                ["HOME"] = McpTestHost.EmptyHome(),
                ["LOG_LEVEL"] = "debug",
            },
        }));

        Assert.Equal("raworc-mcp", client.ServerInfo!.Name);
        var tools = await client.ListToolsAsync();
        Assert.Equal(49, tools.Count); // safe by default: the 8 destructive tools are left out

        var version = await client.CallToolAsync("get_version");
        Assert.Equal("""{"version":"0.3.0","api":"v0"}""", McpTestHost.Text(version));

        var spaces = await client.CallToolAsync("list_spaces");
        Assert.False(spaces.IsError ?? false, McpTestHost.Text(spaces));
        Assert.Contains("\"name\":\"default\"", McpTestHost.Text(spaces));
        var listed = api.LogEntries.Single(e => e.RequestMessage.Path == "/api/v0/spaces").RequestMessage;
        Assert.Equal("Bearer binary-test-token", listed.Headers!["Authorization"].Single());

        var invalid = await client.CallToolAsync("get_space", new Dictionary<string, object?> { ["name"] = 42 });
        Assert.True(invalid.IsError);
        Assert.Contains("'name' must be a string", McpTestHost.Text(invalid));
    }

    [Theory]
    [InlineData("--version", "raworc-mcp 1.0.0")]
    [InlineData("--help", "RAWORC_AUTH_TOKEN")]
    [InlineData("--manifest", "\"transport\": \"stdio\"")]
    public async Task Informational_flags_print_to_stdout_and_exit_zero(string flag, string expected)
    {
        var (exit, stdout, _) = await RunAsync(flag, stdin: null);
        Assert.Equal(0, exit);
        Assert.Contains(expected, stdout);
        if (flag == "--manifest")
        {
            var manifest = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(49, manifest.GetProperty("tools").GetArrayLength());
            Assert.Equal(8, manifest.GetProperty("disabled_tools").GetArrayLength());
            Assert.Contains("destructive tools hidden", manifest.GetProperty("modes").GetString());
        }
    }

    [Fact]
    public async Task Unknown_argument_is_a_usage_error_on_stderr()
    {
        var (exit, stdout, stderr) = await RunAsync("--frobnicate", stdin: null);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains("unknown argument '--frobnicate'", stderr);
    }

    [Fact]
    public async Task Closing_stdin_exits_zero_promptly_with_lifecycle_logs_on_stderr_only()
    {
        var watch = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await RunAsync(null, stdin: "");
        Assert.Equal(0, exit);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Empty(stdout);
        Assert.Contains("Starting raworc-mcp", stderr);
        Assert.Contains("Ready with 49 tools (8 left out by the modes", stderr);
        Assert.Contains("Modes: read-only off; destructive tools hidden", stderr);
        Assert.Contains("Shutting down (stdin closed)", stderr);
    }

    [Fact]
    public async Task Sigterm_exits_zero()
    {
        if (OperatingSystem.IsWindows()) return; // no SIGTERM there
        using var process = Start(null);
        await WaitForAsync(() => process.StandardError.ReadLineAsync(), line => line.Contains("Ready with"));
        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task A_bad_environment_value_is_reported_and_exits_two()
    {
        var (exit, _, stderr) = await RunAsync(null, stdin: "", ("RAWORC_TIMEOUT", "soon"));
        Assert.Equal(2, exit);
        Assert.Contains("RAWORC_TIMEOUT", stderr);
    }

    [Fact]
    public async Task Every_variable_left_as_an_unexpanded_form_placeholder_serves_with_the_defaults()
    {
        // What Claude Desktop passes for optional form fields the user left empty (no default).
        var unexpanded = EnvironmentVariables.All.Where(v => !v.Conventional)
            .Select(v => (v.Name, $"${{user_config.{v.Name.ToLowerInvariant()}}}")).ToArray();

        var (exit, stdout, stderr) = await BinaryProcess.RunAsync(["--manifest"], null, unexpanded);
        Assert.True(exit == 0, stderr);
        Assert.Equal(49, JsonDocument.Parse(stdout).RootElement.GetProperty("tools").GetArrayLength());

        (exit, stdout, stderr) = await BinaryProcess.RunAsync(["http", "--manifest"], null, unexpanded);
        Assert.True(exit == 0, stderr);

        using var server = BinaryProcess.Start(environment: unexpanded);
        await server.InitializeAsync();
        await server.WriteLineAsync("""{"jsonrpc":"2.0","id":2,"method":"tools/list"}""");
        string tools = (await server.ReadLineAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal(49, JsonDocument.Parse(tools).RootElement.GetProperty("result").GetProperty("tools").GetArrayLength());
        server.CloseInput();
        Assert.Equal(0, await server.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains($"API {RaworcClientOptions.DefaultApiUrl} from default", server.Stderr);
        Assert.Contains("credentials from nowhere", server.Stderr);
        Assert.Contains("default space 'default'", server.Stderr);
    }

    private static async Task WaitForAsync(Func<Task<string?>> readLine, Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await readLine().WaitAsync(timeout.Token) is { } line)
            if (match(line)) return;
        Assert.Fail("the expected line never came");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string? argument, string? stdin, params (string, string)[] env)
    {
        using var process = Start(argument, env);
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static Process Start(string? argument, params (string Name, string Value)[] env)
    {
        var info = new ProcessStartInfo(Binary())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (argument is not null) info.ArgumentList.Add(argument);
        info.Environment["HOME"] = McpTestHost.EmptyHome();
        info.Environment["RAWORC_API_URL"] = "http://127.0.0.1:9/api/v0";
        info.Environment.Remove("RAWORC_AUTH_TOKEN");
        foreach (var (name, value) in env) info.Environment[name] = value;
        return Process.Start(info)!;
    }

    internal static string Binary([CallerFilePath] string testFile = "")
    {
        if (Environment.GetEnvironmentVariable("RAWORC_MCP_BINARY") is { Length: > 0 } configured) return configured;
        string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
        string path = Path.Combine(root, "artifacts", "bin", OperatingSystem.IsWindows() ? "raworc-mcp.exe" : "raworc-mcp");
        Assert.True(File.Exists(path), $"{path} does not exist: run ./scripts/build.sh first (./scripts/test.sh does).");
        return path;
    }
}
