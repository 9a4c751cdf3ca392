using System.Buffers;
using System.Text;
using System.Text.Json;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

/// <summary>
/// How large a JSON-RPC message may be, derived from the largest legal call the server offers: every argument of
/// the largest tool (or prompt) at its limit, each character written the longest way JSON allows (a <c>\uXXXX</c>
/// escape, 6 bytes, for text; 3 bytes of UTF-8 for the raw text of objects), plus room for the envelope. Elements
/// are counted the same way (an object argument of N bytes of JSON holds at most N/2 values).
/// </summary>
internal sealed record JsonLimits(long MaxBytes, int MaxElements, int MaxDepth)
{
    /// <summary>The JSON library's own default depth, which the SDK's reader already enforces over stdio.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The envelope around the arguments: jsonrpc, id, method, name, _meta (a progress token, a protocol version).</summary>
    private const int EnvelopeBytes = 16 * 1024;

    private const int EnvelopeElements = 256;

    /// <summary>No limit but depth and surrogates (the stdio transport, fed by the user's own client, caps lines itself).</summary>
    public static readonly JsonLimits None = new(long.MaxValue, int.MaxValue, DefaultMaxDepth);

    /// <summary>The limits of the calls <paramref name="server"/> takes: its tools and its prompts.</summary>
    public static JsonLimits Of(RaworcServer server) =>
        For(server.Tools.Select(t => t.Definition), server.Prompts.All.Max(p => p.Listing.Arguments?.Count ?? 0));

    /// <summary>The limits of a server offering <paramref name="tools"/> and prompts of <paramref name="promptArguments"/> text arguments at most.</summary>
    public static JsonLimits For(IEnumerable<ToolDefinition> tools, int promptArguments)
    {
        long bytes = (long)promptArguments * TextBytes(ToolArgument.MaxTextLength);
        long elements = 2L * promptArguments;
        foreach (var tool in tools)
        {
            bytes = Math.Max(bytes, tool.Arguments.Sum(a => a.Name.Length + 4 + ValueBytes(a)));
            elements = Math.Max(elements, tool.Arguments.Sum(a => 1 + ValueElements(a)));
        }
        return new JsonLimits(bytes + EnvelopeBytes, (int)Math.Min(int.MaxValue, elements + EnvelopeElements), DefaultMaxDepth);
    }

    private static long TextBytes(long characters) => 6 * characters + 2;

    private static long ValueBytes(ToolArgument argument) => argument.Type switch
    {
        ArgumentType.Text => TextBytes(argument.MaxLength),
        ArgumentType.Integer => 11,
        ArgumentType.Flag => 5,
        _ => 3L * argument.MaxLength,
    };

    private static long ValueElements(ToolArgument argument) =>
        argument.Type is ArgumentType.AnyObject or ArgumentType.RoleRules ? argument.MaxLength / 2 + 1 : 1;
}

/// <summary>
/// Checks a JSON message against <see cref="JsonLimits"/> as its bytes arrive, without building anything from it:
/// depth, number of elements, and strings that are not Unicode text (an unpaired surrogate escape such as
/// <c>\ud800</c>, which no string can hold). Notes the top-level <c>id</c> so that a refusal can name the request.
/// JSON that is not well-formed is left to the JSON-RPC layer, which answers it with a parse error.
/// </summary>
internal sealed class JsonScan(JsonLimits limits)
{
    private JsonReaderState _state = new(new JsonReaderOptions { MaxDepth = limits.MaxDepth + 1 });
    private long _consumed;
    private long _elements;
    private bool _nextIsId;

    /// <summary>Why the message is refused (too deep, too many elements), or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>A string of the message holds an unpaired surrogate escape.</summary>
    public bool UnpairedSurrogate { get; private set; }

    /// <summary>The message is not well-formed JSON (scanning stopped).</summary>
    public bool Malformed { get; private set; }

    /// <summary>The raw JSON of the top-level id, when it is a string or a number.</summary>
    public string? RawId { get; private set; }

    /// <summary>How many bytes of the message have been scanned.</summary>
    public long Consumed => _consumed;

    /// <summary>Scans on from <see cref="Consumed"/>: <paramref name="message"/> is the whole message read so far.</summary>
    public void Feed(ReadOnlySpan<byte> message, bool final)
    {
        if (Problem is not null || Malformed) return;
        var reader = new Utf8JsonReader(message[(int)_consumed..], final, _state);
        Scan(ref reader);
        _consumed += reader.BytesConsumed;
        _state = reader.CurrentState;
    }

    /// <summary>Scans a whole message at once.</summary>
    public void ScanAll(ReadOnlySequence<byte> message)
    {
        var reader = new Utf8JsonReader(message, isFinalBlock: true, _state);
        Scan(ref reader);
        _consumed = reader.BytesConsumed;
    }

    private void Scan(ref Utf8JsonReader reader)
    {
        try
        {
            while (reader.Read())
            {
                if (++_elements > limits.MaxElements)
                {
                    Problem = $"the message has more than {limits.MaxElements:N0} JSON values; no call to this server needs that many";
                    return;
                }
                if (reader.CurrentDepth >= limits.MaxDepth)
                {
                    Problem = $"the message nests JSON deeper than {limits.MaxDepth} levels";
                    return;
                }
                if (_nextIsId)
                {
                    _nextIsId = false;
                    if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String && !reader.HasValueSequence)
                        RawId = reader.TokenType == JsonTokenType.String ? $"\"{Encoding.UTF8.GetString(reader.ValueSpan)}\"" : Encoding.UTF8.GetString(reader.ValueSpan);
                }
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                {
                    if (reader.ValueIsEscaped && !UnpairedSurrogate)
                        UnpairedSurrogate = HasUnpairedSurrogate(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("id"u8))
                        _nextIsId = true;
                }
            }
        }
        catch (JsonException)
        {
            Malformed = true;
        }
    }

    /// <summary>Whether the escaped JSON string text holds a <c>\u</c> escape of a surrogate that is not part of a pair.</summary>
    internal static bool HasUnpairedSurrogate(ReadOnlySpan<byte> escaped)
    {
        bool expectLow = false;
        for (int i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] != (byte)'\\' || i + 1 >= escaped.Length)
            {
                if (expectLow) return true;
                continue;
            }
            if (escaped[i + 1] != (byte)'u' || i + 5 >= escaped.Length || !TryHex(escaped.Slice(i + 2, 4), out int unit))
            {
                if (expectLow) return true;
                i++; // a one-character escape
                continue;
            }
            i += 5;
            bool high = unit is >= 0xD800 and <= 0xDBFF, low = unit is >= 0xDC00 and <= 0xDFFF;
            if (low && !expectLow) return true;
            if (!low && expectLow) return true;
            expectLow = high;
        }
        return expectLow;
    }

    private static bool TryHex(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte b in digits)
        {
            int d = b is >= (byte)'0' and <= (byte)'9' ? b - '0' : (b | 0x20) is >= 'a' and <= 'f' ? (b | 0x20) - 'a' + 10 : -1;
            if (d < 0) return false;
            value = value * 16 + d;
        }
        return true;
    }
}
