using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Mcp;
using Raworc.Mcp.Transport;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace Raworc.Tests;

/// <summary>
/// The server under test, wired to an SDK client through in-memory pipes, with WireMock playing the Raworc API on
/// 127.0.0.1. Every log line the server writes is captured in <see cref="Logs"/>.
/// </summary>
public sealed class McpTestHost : IAsyncDisposable
{
    public const string Token = "test-token-7f3a";
    public const string SessionId = "6f3c2a9e-8d1b-4c55-9a0e-2b7d4f1e0c11";

    private readonly CancellationTokenSource _stop;
    private readonly Task _serverRun;
    private readonly RaworcServer _raworc;
    private readonly McpServer _server;

    private McpTestHost(WireMockServer api, RaworcServer raworc, McpServer server, Task serverRun, CancellationTokenSource stop,
        McpClient client, CapturingLoggerProvider logs)
    {
        _stop = stop;
        _serverRun = serverRun;
        Api = api;
        _raworc = raworc;
        _server = server;
        Client = client;
        Logs = logs;
    }

    public WireMockServer Api { get; }

    /// <summary>The server under test.</summary>
    internal RaworcServer Raworc => _raworc;

    public McpClient Client { get; }

    public CapturingLoggerProvider Logs { get; }

    /// <summary>What a host may limit and end about the wait tools.</summary>
    internal Raworc.Mcp.Tools.Waits Waits => _raworc.Waits;

    public string ApiUrl => Api.Url + "/api/v0";

    /// <param name="environment">Variables on top of RAWORC_API_URL (WireMock) and RAWORC_AUTH_TOKEN.</param>
    /// <param name="home">Home directory holding .raworc/auth.yaml; an empty temporary one by default.</param>
    /// <param name="clientOptions">The SDK client's options, e.g. with an elicitation handler; none by default.</param>
    /// <param name="clock">What the waits are measured and paced by (a <see cref="SteppingClock"/>); the system clock by default.</param>
    /// <param name="apiHandler">The server's HTTP handler (an <see cref="ApiCallCounter"/>); the production one by default.</param>
    public static async Task<McpTestHost> StartAsync(IDictionary<string, string?>? environment = null, string? home = null,
        LogLevel logLevel = LogLevel.Trace, McpClientOptions? clientOptions = null, TimeProvider? clock = null, HttpMessageHandler? apiHandler = null)
    {
        var api = StartApi();
        var env = new Dictionary<string, string?>
        {
            ["RAWORC_API_URL"] = api.Url + "/api/v0",
            ["RAWORC_AUTH_TOKEN"] = Token,
            ["RAWORC_TIMEOUT"] = "5",
            // Every tool and every value, so the contract tests reach them all; the mode tests turn these off.
            ["RAWORC_ALLOW_DESTRUCTIVE"] = "true",
            ["RAWORC_ALLOW_SECRET_VALUES"] = "true",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;

        var configuration = ServerConfiguration.Load(name => env.GetValueOrDefault(name), home ?? EmptyHome());
        // Short back-off so retry tests stay fast; the policy itself is what production uses.
        configuration = configuration with
        {
            Raworc = configuration.Raworc with { Options = configuration.Raworc.Options with { RetryBaseDelay = TimeSpan.FromMilliseconds(5) } },
        };

        var logs = new CapturingLoggerProvider();
        // The same filters as the executable: the SDK never logs below debug (its trace level dumps whole messages).
        var loggerFactory = LoggerFactory.Create(b => b.AddRaworcFilters(logLevel).AddProvider(logs)).Masking(configuration.Raworc.Options.Secrets);
        var raworc = new RaworcServer(configuration, loggerFactory, apiHandler, clock);

        var toServer = new Pipe();
        var toClient = new Pipe();
        // The production transport, over in-memory pipes.
        var transport = new StdioJsonRpcTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), loggerFactory);
        transport.Start();
        var server = McpServer.Create(transport, raworc.Options, loggerFactory);
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream()), clientOptions);
        return new McpTestHost(api, raworc, server, run, stop, client, logs);
    }

    /// <summary>Answers every request with this status and body (JSON unless it starts with '&lt;' or is plain text).</summary>
    public void Respond(int status, string? body = null, string contentType = "application/json", IDictionary<string, string>? headers = null)
    {
        Api.Reset();
        var response = Response.Create().WithStatusCode(status);
        if (body is not null) response = response.WithBody(body).WithHeader("Content-Type", contentType);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) response = response.WithHeader(name, value);
        Api.Given(Request.Create().UsingAnyMethod()).RespondWith(response);
    }

    public async Task<CallToolResult> CallAsync(string tool, string argumentsJson = "{}", CancellationToken ct = default)
    {
        var arguments = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(argumentsJson)!;
        return await Client.CallToolAsync(new CallToolRequestParams { Name = tool, Arguments = arguments }, ct);
    }

    public static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(c => c.Text));

    public IReadOnlyList<ILogEntry> Requests => Api.LogEntries.ToList();

    public ILogEntry SingleRequest() => Assert.Single(Api.LogEntries);

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _stop.Cancel();
        try { await _serverRun; } catch (OperationCanceledException) { }
        await _server.DisposeAsync();
        _raworc.Dispose();
        Api.Stop();
        Api.Dispose();
    }

    /// <summary>Request header added to every request WireMock logs: the request target exactly as it came off the wire.</summary>
    public const string RawTargetHeader = "X-Test-Raw-Target";

    public static WireMockServer StartApi() =>
        WireMockServer.Start(new WireMockServerSettings
        {
            Urls = [$"http://127.0.0.1:{FreePort()}"],
            // WireMock only shows the path after Kestrel decoded it ('%252F' and '%2F' both come out as '%2F'), so keep
            // the raw request target, still percent-encoded, where the log entry shows it.
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(async (context, next) =>
            {
                context.Request.Headers[RawTargetHeader] = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
                await next(context);
            }),
        });

    /// <summary>The path of a logged request exactly as sent (percent-encoding intact), without the query.</summary>
    public static string RawPath(ILogEntry entry)
    {
        string target = entry.RequestMessage.Headers![RawTargetHeader].Single();
        int query = target.IndexOf('?');
        return query < 0 ? target : target[..query];
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string EmptyHome()
    {
        string path = Path.Combine(Path.GetTempPath(), "raworc-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(path);
        return path;
    }
}

/// <summary>Keeps every formatted log line (with exception text) for assertions.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

    public string All => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines) owner._lines.Add($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
