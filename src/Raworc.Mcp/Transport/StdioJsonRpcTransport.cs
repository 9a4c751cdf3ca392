using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Transport;

/// <summary>
/// Newline-delimited JSON-RPC over a pair of streams (stdin/stdout), stricter than the SDK's own stdio transport:
/// every line that is not a valid JSON-RPC 2.0 message gets the standard error (-32700 or -32600, with the id when
/// one can be read, else null) instead of being dropped; a line longer than <see cref="MaxMessageBytes"/> is
/// discarded and answered with -32600 without being buffered whole; and when the input ends, requests still in
/// flight get up to <see cref="DrainTimeout"/> to be answered before the session closes. One client per session:
/// requests before initialize (but ping and those of the stateless protocol) and a second initialize are refused.
/// Long texts of results are written by <see cref="LargeTextStream"/>, a chunk at a time.
/// </summary>
internal sealed class StdioJsonRpcTransport : TransportBase
{
    public const int ParseError = -32700;
    public const int InvalidRequest = -32600;

    private static readonly JsonSerializerOptions WireOptions = new(McpJsonUtilities.DefaultOptions)
    {
        // Readable text in results (no \u0027 for quotes); control characters, newlines included, stay escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType =
        (JsonTypeInfo<JsonRpcMessage>)WireOptions.GetTypeInfo(typeof(JsonRpcMessage));

    private static readonly ReadOnlyMemory<byte> Newline = "\n"u8.ToArray();

    private static readonly JsonTypeInfo<string> StringType = (JsonTypeInfo<string>)WireOptions.GetTypeInfo(typeof(string));

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task _readLoop = Task.CompletedTask;
    private string? _initializeId;
    private volatile bool _initialized;
    private bool _disposed;

    public StdioJsonRpcTransport(Stream input, Stream output, ILoggerFactory? loggerFactory)
        : base("stdio", loggerFactory)
    {
        _input = input;
        _output = new LargeTextStream(output);
        _logger = (ILogger?)loggerFactory?.CreateLogger(Logging.ServerCategory) ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The longest message accepted, in bytes.</summary>
    public int MaxMessageBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// How long requests still in flight when the input ends may take to be answered: long enough for a quick call
    /// on a loaded machine, short enough that a client closing stdin and waiting for the exit never needs to kill us.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Completes when the input has ended and the transport has disconnected.</summary>
    public Task Completion => _readLoop;

    /// <summary>Set when the input ended (as opposed to the session being stopped).</summary>
    public bool InputEnded { get; private set; }

    public void Start()
    {
        SetConnected();
        _readLoop = Task.Run(ReadLoopAsync);
    }

    public override async Task SendMessageAsync(JsonRpcMessage message, CancellationToken cancellationToken = default)
    {
        // The session counts as initialized once initialize has been answered with a result; a failed one may be sent again.
        if (message is JsonRpcResponse initialized && !_initialized && initialized.Id.ToString() == Volatile.Read(ref _initializeId))
            _initialized = true;
        else if (message is JsonRpcError failed && !_initialized && failed.Id.ToString() == Volatile.Read(ref _initializeId))
            Volatile.Write(ref _initializeId, null);
        await WriteLineAsync(JsonSerializer.SerializeToUtf8Bytes(message, MessageType), cancellationToken).ConfigureAwait(false);
        if (message is JsonRpcResponse response) _inFlight.TryRemove(response.Id.ToString(), out _);
        else if (message is JsonRpcError error) _inFlight.TryRemove(error.Id.ToString(), out _);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        try { await _readLoop.ConfigureAwait(false); } catch (OperationCanceledException) { }
        SetDisconnected();
        _stop.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_input, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        bool discarding = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var line = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    if (discarding)
                    {
                        discarding = false;
                        await ReplyErrorAsync(null, InvalidRequest, $"Message too large: the limit is {MaxMessageBytes} bytes.").ConfigureAwait(false);
                    }
                    else
                    {
                        await HandleLineGuardedAsync(line).ConfigureAwait(false);
                    }
                }

                if (buffer.Length > MaxMessageBytes || (discarding && buffer.Length > 0))
                {
                    discarding = true; // never buffer an oversized line whole
                    buffer = buffer.Slice(buffer.End);
                }

                if (result.IsCompleted)
                {
                    if (discarding) await ReplyErrorAsync(null, InvalidRequest, $"Message too large: the limit is {MaxMessageBytes} bytes.").ConfigureAwait(false);
                    else if (buffer.Length > 0) await HandleLineGuardedAsync(buffer).ConfigureAwait(false); // a last line without newline
                    reader.AdvanceTo(buffer.End);
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            InputEnded = true;
            await DrainAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException e)
        {
            _logger.LogDebug("stdin failed: {Message}", e.Message);
            InputEnded = true;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
            SetDisconnected();
        }
    }

    private async Task DrainAsync()
    {
        if (_inFlight.IsEmpty) return;
        _logger.LogDebug("stdin closed with {Count} request(s) in flight; waiting up to {Timeout} ms", _inFlight.Count, (int)DrainTimeout.TotalMilliseconds);
        var deadline = DateTime.UtcNow + DrainTimeout;
        while (!_inFlight.IsEmpty && DateTime.UtcNow < deadline && !_stop.IsCancellationRequested)
            await Task.Delay(10).ConfigureAwait(false);
    }

    /// <summary>One bad line must never end the session: anything unexpected is answered and logged, and reading goes on.</summary>
    private async Task HandleLineGuardedAsync(ReadOnlySequence<byte> line)
    {
        try
        {
            await HandleLineAsync(line).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not (OperationCanceledException or IOException or ObjectDisposedException))
        {
            _logger.LogWarning("A line of {Length} bytes could not be handled: {Type}: {Message}", line.Length, e.GetType().Name, e.Message);
            await ReplyErrorAsync(null, ParseError, "Parse error: the line could not be read as a JSON-RPC message.").ConfigureAwait(false);
        }
    }

    private async Task HandleLineAsync(ReadOnlySequence<byte> line)
    {
        if (IsBlank(line)) return;

        if (!IsValidUtf8(line))
        {
            await ReplyErrorAsync(RecoverId(line), ParseError, "Parse error: the line is not valid UTF-8 (each message must be one line of UTF-8 JSON).").ConfigureAwait(false);
            return;
        }

        JsonRpcMessage? message = null;
        try
        {
            var json = new Utf8JsonReader(line);
            var parsed = JsonSerializer.Deserialize(ref json, MessageType);
            // One message per line: anything after it but whitespace makes the line invalid (Read throws on it).
            if (!json.Read()) message = parsed;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException or InvalidOperationException or FormatException)
        {
        }

        if (message is null)
        {
            var (code, id, text) = Diagnose(line);
            await ReplyErrorAsync(id, code, text).ConfigureAwait(false);
            return;
        }

        switch (message)
        {
            case JsonRpcRequest unreadable when HasUnpairedSurrogate(line):
                await ReplyErrorAsync(RawId(unreadable.Id), -32602, InvalidParamsFilter.NotUnicode).ConfigureAwait(false);
                return;
            case JsonRpcRequest { Params: not (null or System.Text.Json.Nodes.JsonObject) } badParams:
                await ReplyErrorAsync(RawId(badParams.Id), -32602,
                    "Invalid params: \"params\" must be an object.").ConfigureAwait(false);
                return;
            case JsonRpcRequest { Method: RequestMethods.Initialize } initialize:
                // One client per stdio session: a second initialize would silently swap the client's identity and capabilities.
                if (Interlocked.CompareExchange(ref _initializeId, initialize.Id.ToString(), null) is not null)
                {
                    await ReplyErrorAsync(RawId(initialize.Id), InvalidRequest,
                        "Invalid Request: this session is already initialized; initialize is accepted once per session.").ConfigureAwait(false);
                    return;
                }
                _inFlight[initialize.Id.ToString()] = 0;
                break;
            case JsonRpcRequest request when !_initialized && !MayPrecedeInitialize(request):
                await ReplyErrorAsync(RawId(request.Id), InvalidRequest,
                    $"Invalid Request: {DisplayText.Quote(request.Method)} before initialize; send initialize (and notifications/initialized) first.").ConfigureAwait(false);
                return;
            case JsonRpcRequest request:
                _inFlight[request.Id.ToString()] = 0;
                break;
            case JsonRpcNotification { Method: NotificationMethods.CancelledNotification } cancelled
                when (cancelled.Params?["requestId"] is { } requestId):
                _inFlight.TryRemove(requestId.ToString(), out _); // a cancelled request gets no answer
                break;
        }
        await WriteMessageAsync(message, _stop.Token).ConfigureAwait(false);
    }

    /// <summary>Whether a string of the line holds an unpaired surrogate escape, which no string can hold (one pass, nothing built).</summary>
    private static bool HasUnpairedSurrogate(ReadOnlySequence<byte> line)
    {
        var scan = new JsonScan(JsonLimits.None);
        scan.ScanAll(line);
        return scan.UnpairedSurrogate;
    }

    /// <summary>Key of the per-request protocol version that lets a client of the stateless protocol skip initialize.</summary>
    private const string PerRequestProtocolVersion = "io.modelcontextprotocol/protocolVersion";

    /// <summary>What may come before initialize: ping, discovery, and requests of the stateless protocol (which has no initialize).</summary>
    private static bool MayPrecedeInitialize(JsonRpcRequest request) =>
        request.Method is RequestMethods.Ping or "server/discover" ||
        request.Params?["_meta"] is System.Text.Json.Nodes.JsonObject meta && meta.ContainsKey(PerRequestProtocolVersion);

    /// <summary>Why a line is not a JSON-RPC message: the error code, the id if one can be read, and a message.</summary>
    private static (int Code, string? RawId, string Message) Diagnose(ReadOnlySequence<byte> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line); // the whole line: trailing content is a parse error
        }
        catch (JsonException)
        {
            return (ParseError, RecoverId(line), "Parse error: the line is not valid JSON (each message must be one line of UTF-8 JSON).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array)
                return (InvalidRequest, null, "Invalid Request: batches are not supported; send one message per line.");
            if (root.ValueKind != JsonValueKind.Object)
                return (InvalidRequest, null, "Invalid Request: a message must be a JSON object.");

            string? id = root.TryGetProperty("id", out var idValue) && (idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number)
                ? idValue.GetRawText() : null;
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
                return (InvalidRequest, id, "Invalid Request: \"jsonrpc\" must be \"2.0\".");
            if (root.TryGetProperty("id", out idValue) && idValue.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
                return (InvalidRequest, null, "Invalid Request: \"id\" must be a string or a number.");
            if (root.TryGetProperty("method", out var method) && method.ValueKind != JsonValueKind.String)
                return (InvalidRequest, id, "Invalid Request: \"method\" must be a string.");
            if (root.TryGetProperty("params", out var parameters) && parameters.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
                return (InvalidRequest, id, "Invalid Request: \"params\" must be an object.");
            return (InvalidRequest, id, "Invalid Request: not a JSON-RPC 2.0 request, notification or response.");
        }
    }

    private static string RawId(RequestId id) => id.Id is string text ? JsonSerializer.Serialize(text, StringType) : id.ToString();

    /// <summary>The top-level "id" of a line that is cut or broken after it, so the error can name the request.</summary>
    private static string? RecoverId(ReadOnlySequence<byte> line)
    {
        var reader = new Utf8JsonReader(line, isFinalBlock: false, state: default);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.CurrentDepth >= 1)
            {
                if (reader.CurrentDepth == 1 && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("id"u8))
                {
                    if (!reader.Read()) return null;
                    return reader.TokenType switch
                    {
                        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                        JsonTokenType.String => JsonSerializer.Serialize(reader.GetString()!, StringType),
                        _ => null,
                    };
                }
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip()) return null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Broken JSON, or an id that is not valid UTF-8: no id to name.
        }
        return null;
    }

    private Task ReplyErrorAsync(string? rawId, int code, string message) =>
        WriteLineAsync(ErrorMessage(rawId, code, message), _stop.Token);

    /// <summary>A JSON-RPC error message for the request with the raw JSON id <paramref name="rawId"/> (null: none could be read).</summary>
    public static ReadOnlyMemory<byte> ErrorMessage(string? rawId, int code, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            if (rawId is null) writer.WriteNullValue();
            else writer.WriteRawValue(rawId);
            writer.WriteStartObject("error");
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenMemory;
    }

    private async Task WriteLineAsync(ReadOnlyMemory<byte> json, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _output.WriteAsync(json, ct).ConfigureAwait(false);
            // Once the message is out, its newline follows whatever happens: a cancellation here (the session stopping)
            // would leave the message run together with the next one, a line no client can read.
            await _output.WriteAsync(Newline, CancellationToken.None).ConfigureAwait(false);
            await _output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static bool IsValidUtf8(ReadOnlySequence<byte> line) =>
        System.Text.Unicode.Utf8.IsValid(line.IsSingleSegment ? line.FirstSpan : line.ToArray());

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
            foreach (byte b in segment.Span)
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }
}
