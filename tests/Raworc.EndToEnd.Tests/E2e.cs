using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.StandIn;

namespace Raworc.EndToEnd.Tests;

/// <summary>
/// Shared plumbing: an in-process stand-in with short delays, and the published binary, started over stdio by the
/// C# SDK client or as an HTTP replica, with a clean environment (an empty temporary HOME, so no ~/.raworc/auth.yaml
/// is picked up).
/// </summary>
internal static class E2e
{
    /// <summary>Upper bound for any polling loop (a build or a reply takes a few hundred milliseconds here).</summary>
    public static readonly TimeSpan PollTimeout = TimeSpan.FromSeconds(15);

    public static Task<RunningStandIn> StartStandInAsync(int delayMs = 100, TimeSpan? tokenLifetime = null) =>
        StandInServer.StartAsync(new StandInOptions
        {
            BuildDelay = TimeSpan.FromMilliseconds(delayMs),
            SessionDelay = TimeSpan.FromMilliseconds(delayMs),
            ReplyDelay = TimeSpan.FromMilliseconds(delayMs),
            TokenLifetime = tokenLifetime ?? TimeSpan.FromHours(24),
        });

    /// <summary>Starts the binary against <paramref name="apiUrl"/>; by default it logs in as admin/admin.</summary>
    /// <param name="environment">Variables on top of the defaults (a null value removes one).</param>
    /// <param name="options">The client's options, e.g. with an elicitation handler.</param>
    public static async Task<Mcp> StartBinaryAsync(string apiUrl, IDictionary<string, string>? credentials = null,
        IDictionary<string, string?>? environment = null, McpClientOptions? options = null)
    {
        var env = DefaultEnvironment(apiUrl);
        foreach (var (key, value) in credentials ?? new Dictionary<string, string> { ["RAWORC_USERNAME"] = "admin", ["RAWORC_PASSWORD"] = "admin" })
            env[key] = value;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            env[key] = value;

        var stderr = new ConcurrentQueue<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = Binary(),
            Name = "raworc-mcp",
            InheritEnvironmentVariables = false, // nothing from the test runner (tokens, proxies) reaches the server
            EnvironmentVariables = env,
            StandardErrorLines = stderr.Enqueue,
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var client = await McpClient.CreateAsync(transport, options, cancellationToken: timeout.Token);
        return new Mcp(client, stderr);
    }

    /// <summary>What the binary gets by default: nothing from the test runner (tokens, proxies) but PATH.</summary>
    private static Dictionary<string, string?> DefaultEnvironment(string apiUrl) => new()
    {
        ["PATH"] = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin",
        ["HOME"] = EmptyHome(),
        ["RAWORC_API_URL"] = apiUrl,
        ["RAWORC_TIMEOUT"] = "10",
        ["LOG_LEVEL"] = "debug",
        // The journeys clean up after themselves and read secret values back.
        ["RAWORC_ALLOW_DESTRUCTIVE"] = "true",
        ["RAWORC_ALLOW_SECRET_VALUES"] = "true",
    };

    /// <summary>Starts the binary as one replica of <c>raworc-mcp http</c> on a free loopback port, ready when this returns.</summary>
    /// <param name="environment">Variables on top of the defaults (a null value removes one).</param>
    public static async Task<HttpReplica> StartHttpReplicaAsync(string apiUrl, IDictionary<string, string?>? environment = null)
    {
        int port;
        using (var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
        var start = new ProcessStartInfo(Binary()) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { "http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        start.Environment.Clear();
        var env = DefaultEnvironment(apiUrl);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;
        foreach (var (key, value) in env.Where(e => e.Value is not null)) start.Environment[key] = value;

        var replica = new HttpReplica(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}/mcp"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/readyz")).IsSuccessStatusCode) return replica;
            }
            catch (HttpRequestException) when (watch.Elapsed < TimeSpan.FromSeconds(20) && !replica.Process.HasExited)
            {
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(20) || replica.Process.HasExited)
            {
                await replica.DisposeAsync();
                Assert.Fail($"the HTTP replica did not get ready on port {port}:\n{replica.Log}");
            }
            await Task.Delay(50);
        }
    }

    public static string EmptyHome()
    {
        var home = Path.Combine(Path.GetTempPath(), "raworc-e2e-home-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(home);
        return home;
    }

    /// <summary>A login token straight from the stand-in (what `raworc auth` would have stored).</summary>
    public static async Task<string> LoginAsync(RunningStandIn standIn, string user = "admin", string pass = "admin")
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(standIn.BaseUrl + "/auth/login",
            new StringContent($$"""{"user":"{{user}}","pass":"{{pass}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!["token"]!.GetValue<string>();
    }

    public static string Binary([CallerFilePath] string thisFile = "")
    {
        if (Environment.GetEnvironmentVariable("RAWORC_MCP_BINARY") is { Length: > 0 } configured)
        {
            Assert.True(File.Exists(configured), $"RAWORC_MCP_BINARY={configured} does not exist.");
            return configured;
        }
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", ".."));
        var path = Path.Combine(root, "artifacts", "bin", OperatingSystem.IsWindows() ? "raworc-mcp.exe" : "raworc-mcp");
        Assert.True(File.Exists(path),
            $"The published binary {path} is missing: run ./scripts/build.sh first (./scripts/test.sh does), or set RAWORC_MCP_BINARY.");
        return path;
    }
}

/// <summary>A connected client plus the server's stderr, with helpers that fail with the server's log attached.</summary>
internal sealed class Mcp(McpClient client, ConcurrentQueue<string> stderr) : IAsyncDisposable
{
    public McpClient Client { get; } = client;

    public string Log => string.Join('\n', stderr.TakeLast(40));

    public async Task<CallToolResult> RawAsync(string tool, object? args = null)
    {
        var arguments = args is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.SerializeToElement(args).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await Client.CallToolAsync(tool, arguments, cancellationToken: timeout.Token);
    }

    /// <summary>Calls a tool that must succeed; returns its text parsed as JSON (null for an empty body).</summary>
    public async Task<JsonNode?> CallAsync(string tool, object? args = null)
    {
        var result = await RawAsync(tool, args);
        var text = Text(result);
        Assert.False(result.IsError ?? false, $"{tool} failed: {text}\n--- server stderr ---\n{Log}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Calls a tool that must fail; returns the error text.</summary>
    public async Task<string> ErrorAsync(string tool, object? args = null)
    {
        var result = await RawAsync(tool, args);
        var text = Text(result);
        Assert.True(result.IsError, $"{tool} should have failed but returned: {text}");
        return text;
    }

    /// <summary>Calls <paramref name="tool"/> until <paramref name="done"/> holds for its result, within <see cref="E2e.PollTimeout"/>.</summary>
    public async Task<JsonNode> PollAsync(string tool, object? args, Func<JsonNode, bool> done, string what)
    {
        var watch = Stopwatch.StartNew();
        JsonNode? last = null;
        while (watch.Elapsed < E2e.PollTimeout)
        {
            last = await CallAsync(tool, args);
            if (last is not null && done(last)) return last;
            await Task.Delay(50);
        }
        Assert.Fail($"timed out after {E2e.PollTimeout.TotalSeconds} s waiting for {what}; last {tool} result: {last?.ToJsonString()}");
        return null!;
    }

    public static string Text(CallToolResult result) =>
        string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}

/// <summary>A running <c>raworc-mcp http</c> process; disposing it stops it with SIGTERM (killed if it lingers).</summary>
internal sealed class HttpReplica : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _stderr = new();

    public HttpReplica(Process process, Uri mcpUrl)
    {
        Process = process;
        McpUrl = mcpUrl;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _stderr.Enqueue(e.Data); };
        process.BeginErrorReadLine();
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
    }

    public Process Process { get; }

    public Uri McpUrl { get; }

    public string Log => string.Join('\n', _stderr.TakeLast(40));

    /// <summary>
    /// How many lines of its access log name this tool call, once there are <paramref name="expected"/> (its stderr
    /// is read as it comes, so the last line may lag behind the response) or 10 s have passed.
    /// </summary>
    public async Task<int> CallsAsync(string tool, int expected)
    {
        var watch = Stopwatch.StartNew();
        int Count() => _stderr.Count(l => l.Contains($"tools/call {tool}", StringComparison.Ordinal));
        while (Count() < expected && watch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(20);
        return Count();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await Process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                Process.Kill(entireProcessTree: true);
            }
        }
        Process.Dispose();
    }
}

internal static class JsonNodeExtensions
{
    public static string Str(this JsonNode? node, string property) =>
        node?[property]?.GetValue<string>() ?? throw new Xunit.Sdk.XunitException($"no string '{property}' in {node?.ToJsonString()}");

    public static IEnumerable<JsonNode> Items(this JsonNode? node) =>
        node is JsonArray array ? array.Select(n => n!) : throw new Xunit.Sdk.XunitException($"expected a JSON array, got {node?.ToJsonString()}");

    public static IEnumerable<string> Names(this JsonNode? node, string property = "name") => node.Items().Select(n => n.Str(property));
}
