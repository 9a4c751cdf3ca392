using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>A short answer for calls whose API response has no body.</summary>
internal sealed record Confirmation(bool Success, string Message);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Confirmation))]
[JsonSerializable(typeof(ConsentState))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonObject))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonNode))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;

/// <summary>The one set of JSON options of the tool layer: argument binding, schemas and results.</summary>
internal static class ToolJson
{
    /// <summary>
    /// The API's wire types and our own first, then the SDK's. Results are compact and keep non-ASCII and quotes
    /// readable (no <c>\u0022</c>-style escaping): they are read by a model, not embedded in HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            WriteIndented = false,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = JsonTypeInfoResolver.Combine(RaworcJsonContext.Default, ToolJsonContext.Default),
        };
        options.MakeReadOnly();
        return options;
    }

    /// <remarks>
    /// Written into a buffer of our own rather than the serializer's pooled ones: a large API response would otherwise
    /// leave buffers of its size in the shared pool for good, one set per thread.
    /// </remarks>
    public static string Serialize<T>(T value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = Options.Encoder, SkipValidation = true }))
            JsonSerializer.Serialize(writer, value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A value as a JSON node, exactly as <see cref="Serialize{T}"/> writes it, to compose results.</summary>
    public static System.Text.Json.Nodes.JsonNode? ToNode<T>(T value) =>
        JsonSerializer.SerializeToNode(value, (JsonTypeInfo<T>)Options.GetTypeInfo(typeof(T)));
}
