using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;
using Raworc.Mcp;
using Raworc.Mcp.Transport;
using WireMock.Server;

namespace Raworc.Tests;

/// <summary>
/// The server on our stdio transport over in-memory pipes, with no SDK client: tests write raw bytes into its input
/// and read raw lines from its output. Every output line is kept in order (<see cref="Lines"/>) and, when it carries
/// an id, also handed to whoever waits for that id (<see cref="RequestAsync"/>).
/// </summary>
public sealed class RawServerHost : IAsyncDisposable
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private readonly Stream _input;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _waiting = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly RaworcServer _raworc;
    private readonly McpServer _server;
    private readonly Task _run;
    private readonly Task _reader;
    private readonly bool _ownsApi;

    private RawServerHost(IDictionary<string, string?>? environment, WireMockServer? api, StdioJsonRpcTransportFactory? transportFactory)
    {
        _ownsApi = api is null;
        Api = api ?? McpTestHost.StartApi();
        var env = new Dictionary<string, string?>
        {
            ["RAWORC_API_URL"] = Api.Url + "/api/v0",
            ["RAWORC_AUTH_TOKEN"] = McpTestHost.Token,
            ["RAWORC_TIMEOUT"] = "5",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;
        var configuration = ServerConfiguration.Load(name => env.GetValueOrDefault(name), McpTestHost.EmptyHome());

        Logs = new CapturingLoggerProvider();
        var loggerFactory = LoggerFactory.Create(b => b.AddRaworcFilters(LogLevel.Debug).AddProvider(Logs)).Masking(configuration.Raworc.Options.Secrets);
        _raworc = new RaworcServer(configuration, loggerFactory);
        Transport = (transportFactory ?? ((i, o, l) => new StdioJsonRpcTransport(i, o, l)))(_toServer.Reader.AsStream(), _toClient.Writer.AsStream(), loggerFactory);
        Transport.Start();
        _server = McpServer.Create(Transport, _raworc.Options, loggerFactory);
        _run = _server.RunAsync(_stop.Token);
        _input = _toServer.Writer.AsStream();
        _reader = Task.Run(ReadAsync);
    }

    internal delegate StdioJsonRpcTransport StdioJsonRpcTransportFactory(Stream input, Stream output, ILoggerFactory loggers);

    public WireMockServer Api { get; }

    public CapturingLoggerProvider Logs { get; }

    internal StdioJsonRpcTransport Transport { get; }

    /// <summary>The server's output, one line at a time, in order.</summary>
    public ChannelReader<string> Lines => _lines.Reader;

    /// <summary>Completes when the server's session has ended.</summary>
    public Task Run => _run;

    /// <param name="environment">On top of RAWORC_API_URL (WireMock), RAWORC_AUTH_TOKEN and a 5 s timeout.</param>
    /// <param name="api">An API to use instead of a fresh WireMock (not disposed with the host).</param>
    public static RawServerHost Start(IDictionary<string, string?>? environment = null, WireMockServer? api = null) =>
        new(environment, api, null);

    internal static RawServerHost Start(StdioJsonRpcTransportFactory transport, IDictionary<string, string?>? environment = null) =>
        new(environment, null, transport);

    /// <summary>Initializes as a client with these capabilities (JSON object).</summary>
    public async Task InitializeAsync(string capabilities = "{}", string protocolVersion = "2025-06-18")
    {
        await RequestAsync("""{"jsonrpc":"2.0","id":"init","method":"initialize","params":{"protocolVersion":""" + JsonSerializer.Serialize(protocolVersion) +
            ""","capabilities":""" + capabilities + ""","clientInfo":{"name":"raw","version":"1"}}}""", "\"init\"");
        await WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/initialized"}""");
        while (!(await NextLineAsync()).Contains("\"id\":\"init\"", StringComparison.Ordinal)) { }
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _input.WriteAsync(bytes);
            await _input.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task WriteLineAsync(string line) => WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));

    /// <summary>Ends the server's input, as when the client closes stdin.</summary>
    public Task CompleteInputAsync() => _toServer.Writer.CompleteAsync().AsTask();

    /// <summary>The next output line.</summary>
    public async Task<string> NextLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("the server wrote no line in time");
        }
    }

    /// <summary>Sends a request line and waits for the answer with that id (raw JSON, e.g. <c>7</c> or <c>"a"</c>).</summary>
    public async Task<JsonElement> RequestAsync(string line, string rawId, TimeSpan? timeout = null)
    {
        var answer = Expect(rawId);
        await WriteLineAsync(line);
        return await answer.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
    }

    /// <summary>A task for the answer with this id (raw JSON), to be awaited after sending the request.</summary>
    public async Task<JsonElement> Expect(string rawId)
    {
        var waiter = _waiting.GetOrAdd(rawId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        string line = await waiter.Task;
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private async Task ReadAsync()
    {
        using var reader = new StreamReader(_toClient.Reader.AsStream(), new UTF8Encoding(false));
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                await _lines.Writer.WriteAsync(line);
                string? id = null;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    if (document.RootElement.TryGetProperty("id", out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number &&
                        (document.RootElement.TryGetProperty("result", out _) || document.RootElement.TryGetProperty("error", out _)))
                        id = value.GetRawText();
                }
                catch (JsonException)
                {
                }
                if (id is not null)
                    _waiting.GetOrAdd(id, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(line);
            }
        }
        finally
        {
            _lines.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _run.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception e) when (e is OperationCanceledException or TimeoutException) { }
        await _server.DisposeAsync();
        await Transport.DisposeAsync();
        await _toClient.Writer.CompleteAsync();
        try { await _reader.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _raworc.Dispose();
        if (_ownsApi)
        {
            Api.Stop();
            Api.Dispose();
        }
    }
}
