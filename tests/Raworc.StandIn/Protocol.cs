using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace Raworc.StandIn;

/// <summary>A handler error: written as the JSON envelope <c>{"error":{"code","message"}}</c>.</summary>
internal sealed class ApiException(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    public static ApiException BadRequest(string message) => new(400, "BAD_REQUEST", message);
    public static ApiException Unauthorized() => new(401, "UNAUTHORIZED", "Authentication required");
    public static ApiException NotFound(string message) => new(404, "NOT_FOUND", message);
    public static ApiException Conflict(string message) => new(409, "CONFLICT", message);
    public static ApiException Internal() => new(500, "INTERNAL_ERROR", "An internal error occurred");
    public static ApiException Database() => new(500, "DATABASE_ERROR", "Database operation failed");
}

/// <summary>A framework-level rejection (axum extractors): plain text, no envelope.</summary>
internal sealed class RejectionException(int status, string text) : Exception(text)
{
    public int Status { get; } = status;
}

internal static class Reply
{
    public static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo, int status = 200) =>
        Results.Json(value, typeInfo, contentType: "application/json", statusCode: status);

    /// <summary>200 with an empty body (the server's <c>ApiResult&lt;()&gt;</c>).</summary>
    public static IResult Empty() => Results.StatusCode(200);

    public static IResult Text(int status, string text) =>
        Results.Text(text, "text/plain; charset=utf-8", Encoding.UTF8, status);

    public static IResult Error(ApiException e) =>
        Json(new ErrorEnvelope { Error = new ErrorBody { Code = e.Code, Message = e.Message } },
            StandInJsonContext.Wire.ErrorEnvelope, e.Status);
}

/// <summary>Timestamps as chrono's <c>to_rfc3339()</c> writes them: offset <c>+00:00</c>, never <c>Z</c>.</summary>
internal static class Ts
{
    /// <summary>A value read back from MySQL: whole seconds.</summary>
    public static string Stored(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture) + "+00:00";

    public static string? Stored(DateTimeOffset? t) => t is { } v ? Stored(v) : null;

    /// <summary>A value generated in-process: a fraction of 3, 6 or 9 digits, just enough for the non-zero part (chrono AutoSi).</summary>
    public static string Precise(DateTimeOffset t)
    {
        var u = t.UtcDateTime;
        var whole = u.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        long nanos = u.Ticks % TimeSpan.TicksPerSecond * 100;
        string frac = nanos == 0 ? ""
            : nanos % 1_000_000 == 0 ? "." + (nanos / 1_000_000).ToString("D3", CultureInfo.InvariantCulture)
            : nanos % 1_000 == 0 ? "." + (nanos / 1_000).ToString("D6", CultureInfo.InvariantCulture)
            : "." + nanos.ToString("D9", CultureInfo.InvariantCulture);
        return whole + frac + "+00:00";
    }
}

/// <summary>
/// A JSON request body read the way axum's <c>Json</c> extractor + serde would: 415 without a JSON content type,
/// 400 for malformed JSON, 422 for a missing required field or a wrong type. Explicit <c>null</c> is not the same
/// as an omitted field for non-optional fields with defaults.
/// </summary>
internal sealed class JsonBody
{
    private const string DataError = "Failed to deserialize the JSON body into the target type: ";
    private readonly JsonElement _root;
    private readonly string _endLocation;

    private JsonBody(JsonElement root, string endLocation)
    {
        _root = root;
        _endLocation = endLocation;
    }

    public static async Task<JsonBody> ReadAsync(HttpContext ctx, string targetType)
    {
        if (!HasJsonContentType(ctx.Request))
            throw new RejectionException(415, "Expected request with `Content-Type: application/json`");

        using var buffer = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
        var bytes = buffer.ToArray();
        string text = Encoding.UTF8.GetString(bytes);
        if (string.IsNullOrWhiteSpace(text))
            throw new RejectionException(400, "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0");

        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new RejectionException(400, "Failed to parse the request body as JSON: " + e.Message);
        }

        if (root.ValueKind != JsonValueKind.Object)
            throw new RejectionException(422, DataError + $"invalid type: {Describe(root)}, expected struct {targetType}");

        return new JsonBody(root, EndLocation(text));
    }

    public static bool HasJsonContentType(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mt)) return false;
        var type = mt.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (type.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                && type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    public JsonElement Root => _root;

    /// <summary>Present in the body, even as <c>null</c>.</summary>
    public bool Has(string name) => _root.TryGetProperty(name, out _);

    public string RequiredString(string name)
    {
        if (!_root.TryGetProperty(name, out var v)) throw Missing(name);
        return AsString(v, name);
    }

    /// <summary><c>Option&lt;String&gt;</c>: missing or <c>null</c> give null.</summary>
    public string? OptionalString(string name) =>
        _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? AsString(v, name) : null;

    /// <summary><c>#[serde(default)] String</c>: missing gives the default, <c>null</c> is a 422.</summary>
    public string StringOrDefault(string name, string fallback) =>
        _root.TryGetProperty(name, out var v) ? AsString(v, name) : fallback;

    public bool? OptionalBool(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw TypeError(name, v, "a boolean"),
        };
    }

    /// <summary><c>serde_json::Value</c> with a default: missing gives null (C#), anything present (even JSON null) is kept, its keys sorted.</summary>
    public JsonElement? AnyOrMissing(string name) =>
        _root.TryGetProperty(name, out var v) ? StoredJson.Sorted(v) : null;

    /// <summary><c>Option&lt;serde_json::Value&gt;</c>: missing or JSON null give null; keys sorted.</summary>
    public JsonElement? OptionalAny(string name) =>
        _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? StoredJson.Sorted(v) : null;

    public List<RuleDto> RequiredRules(string name)
    {
        if (!_root.TryGetProperty(name, out var v)) throw Missing(name);
        if (v.ValueKind != JsonValueKind.Array) throw TypeError(name, v, "a sequence");
        var rules = new List<RuleDto>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            string path = $"{name}[{i}]";
            if (item.ValueKind != JsonValueKind.Object) throw TypeError(path, item, "struct Rule");
            rules.Add(new RuleDto
            {
                ApiGroups = StringList(item, "api_groups", path, required: true)!,
                Resources = StringList(item, "resources", path, required: true)!,
                Verbs = StringList(item, "verbs", path, required: true)!,
                ResourceNames = StringList(item, "resource_names", path, required: false),
            });
            i++;
        }
        return rules;
    }

    private List<string>? StringList(JsonElement obj, string name, string parent, bool required)
    {
        string path = parent + "." + name;
        if (!obj.TryGetProperty(name, out var v))
            return required ? throw new RejectionException(422, DataError + $"{parent}: missing field `{name}`{_endLocation}") : null;
        if (v.ValueKind == JsonValueKind.Null && !required) return null;
        if (v.ValueKind != JsonValueKind.Array) throw TypeError(path, v, "a sequence");
        var list = new List<string>();
        int i = 0;
        foreach (var s in v.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String) throw TypeError($"{path}[{i}]", s, "a string");
            list.Add(s.GetString()!);
            i++;
        }
        return list;
    }

    private static string AsString(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw TypeError(path, v, "a string");

    private RejectionException Missing(string name) =>
        new(422, DataError + $"missing field `{name}`{_endLocation}");

    private static RejectionException TypeError(string path, JsonElement v, string expected) =>
        new(422, DataError + $"{path}: invalid type: {Describe(v)}, expected {expected}");

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Null => "null",
        JsonValueKind.True => "boolean `true`",
        JsonValueKind.False => "boolean `false`",
        JsonValueKind.String => $"string \"{v.GetString()}\"",
        JsonValueKind.Number when v.TryGetInt64(out var n) => $"integer `{n}`",
        JsonValueKind.Number => $"floating point `{v.GetRawText()}`",
        JsonValueKind.Array => "sequence",
        _ => "map",
    };

    /// <summary>serde reports a missing field at the end of the object: the closing brace's line and column.</summary>
    private static string EndLocation(string text)
    {
        int end = text.LastIndexOf('}');
        if (end < 0) return "";
        int line = 1, lineStart = 0;
        for (int i = 0; i < end; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        }
        return $" at line {line} column {end - lineStart + 1}";
    }
}

/// <summary>Query strings parsed the way serde_urlencoded would: a bad value is a plain-text 400.</summary>
internal static class Query
{
    private const string Prefix = "Failed to deserialize query string: ";

    public static string? String(HttpContext ctx, string name) =>
        ctx.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    public static bool? Bool(HttpContext ctx, string name)
    {
        var s = String(ctx, name);
        return s switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => throw new RejectionException(400, Prefix + $"{name}: provided string was not `true` or `false`"),
        };
    }

    public static long? Int64(HttpContext ctx, string name)
    {
        var s = String(ctx, name);
        if (s is null) return null;
        if (s.Length == 0) throw new RejectionException(400, Prefix + $"{name}: cannot parse integer from empty string");
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RejectionException(400, Prefix + $"{name}: invalid digit found in string");
    }

    public static uint? UInt32(HttpContext ctx, string name)
    {
        var s = String(ctx, name);
        if (s is null) return null;
        if (s.Length == 0) throw new RejectionException(400, Prefix + $"{name}: cannot parse integer from empty string");
        return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new RejectionException(400, Prefix + $"{name}: invalid digit found in string");
    }
}
