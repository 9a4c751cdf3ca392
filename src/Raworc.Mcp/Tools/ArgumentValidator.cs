using System.Text;
using System.Text.Json;

namespace Raworc.Mcp.Tools;

/// <summary>
/// Checks a call's arguments against the tool's own input schema before anything is bound or sent, so a missing,
/// unknown or wrongly typed argument is reported by name (the SDK's binder would only say "An error occurred").
/// Covers the schema keywords our tools use: type, properties, required, enum, items, minimum, maximum.
/// </summary>
internal static class ArgumentValidator
{
    public static List<string> Validate(JsonElement schema, IEnumerable<KeyValuePair<string, JsonElement>>? arguments)
    {
        var problems = new List<string>();
        var given = arguments?.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal) ?? [];
        CheckObject(schema, given, "", problems);
        return problems;
    }

    /// <summary>Values longer than their argument's <see cref="ToolArgument.MaxLength"/>, reported with the limit.</summary>
    public static IEnumerable<string> CheckLengths(IReadOnlyList<ToolArgument> definitions, IEnumerable<KeyValuePair<string, JsonElement>>? arguments)
    {
        if (arguments is null) yield break;
        foreach (var (name, value) in arguments)
        {
            if (definitions.FirstOrDefault(d => d.Name == name) is not { } definition) continue;
            long length = value.ValueKind == JsonValueKind.String ? value.GetString()!.Length : value.GetRawText().Length;
            if (length > definition.MaxLength)
                yield return $"argument '{name}' is {length:N0} {(value.ValueKind == JsonValueKind.String ? "characters" : "bytes of JSON")} long; the limit is {definition.MaxLength:N0}";
            else if (definition.MaxUtf8Bytes is { } maxBytes && value.ValueKind == JsonValueKind.String &&
                     Encoding.UTF8.GetByteCount(value.GetString()!) is var bytes && bytes > maxBytes)
                yield return $"argument '{name}' is {bytes:N0} bytes in UTF-8; the server stores at most {maxBytes:N0} bytes";
        }
    }

    private static void CheckObject(JsonElement schema, Dictionary<string, JsonElement> given, string path, List<string> problems)
    {
        if (!schema.TryGetProperty("properties", out var properties) || properties.ValueKind != JsonValueKind.Object)
            return; // a free-form object (metadata, settings)

        foreach (var (name, value) in given)
        {
            if (!properties.TryGetProperty(name, out var propertySchema))
            {
                problems.Add(UnknownArgument(path + name, name, properties));
                continue;
            }
            if (value.ValueKind != JsonValueKind.Null)
                CheckValue(propertySchema, value, path + name, problems);
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in required.EnumerateArray())
            {
                string name = item.GetString()!;
                if (!given.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    string type = properties.TryGetProperty(name, out var s) ? TypeName(s) : "value";
                    problems.Add($"missing required argument '{path}{name}' ({type})");
                }
            }
        }
    }

    private static void CheckValue(JsonElement schema, JsonElement value, string path, List<string> problems)
    {
        if (!MatchesType(schema, value))
        {
            problems.Add($"argument '{path}' must be {Article(TypeName(schema))}, not {Describe(value)}");
            return;
        }

        if (schema.TryGetProperty("enum", out var allowed) && allowed.ValueKind == JsonValueKind.Array &&
            !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            problems.Add($"argument '{path}' must be one of {string.Join(", ", allowed.EnumerateArray().Where(a => a.ValueKind != JsonValueKind.Null).Select(a => a.GetRawText()))}, not {Describe(value)}");
            return;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var min) && value.GetDouble() < min.GetDouble())
                problems.Add($"argument '{path}' must be at least {min.GetRawText()}, not {value.GetRawText()}");
            if (schema.TryGetProperty("maximum", out var max) && value.GetDouble() > max.GetDouble())
                problems.Add($"argument '{path}' must be at most {max.GetRawText()}, not {value.GetRawText()}");
        }
        else if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var itemSchema))
        {
            int i = 0;
            foreach (var item in value.EnumerateArray())
            {
                string itemPath = $"{path}[{i++}]";
                if (item.ValueKind == JsonValueKind.Null) problems.Add($"argument '{itemPath}' must not be null");
                else CheckValue(itemSchema, item, itemPath, problems);
            }
        }
        else if (value.ValueKind == JsonValueKind.Object)
        {
            var members = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var member in value.EnumerateObject()) members[member.Name] = member.Value;
            CheckObject(schema, members, path + ".", problems);
        }
    }

    private static bool MatchesType(JsonElement schema, JsonElement value)
    {
        if (!schema.TryGetProperty("type", out var type)) return true;
        if (type.ValueKind == JsonValueKind.String) return Matches(type.GetString()!, value);
        return type.ValueKind != JsonValueKind.Array || type.EnumerateArray().Any(t => Matches(t.GetString()!, value));
    }

    private static bool Matches(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        // Every integer argument binds to a 32-bit int.
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static string TypeName(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type)) return "value";
        var names = type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).Where(t => t != "null").ToList()
            : [type.GetString()!];
        if (names.Count == 1 && names[0] == "array" && schema.TryGetProperty("items", out var items))
            return $"array of {TypeName(items)}s";
        return names.Count == 0 ? "null" : string.Join(" or ", names.Select(n => n == "integer" ? "integer (32-bit)" : n));
    }

    private static string Article(string typeName) => "aeiou".Contains(typeName[0]) ? $"an {typeName}" : $"a {typeName}";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) || !value.GetRawText().Contains('.') ? $"the number {value.GetRawText()}" : $"the fractional number {value.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {value.GetRawText()}",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => "null",
    };

    private static string UnknownArgument(string path, string name, JsonElement properties)
    {
        var known = properties.EnumerateObject().Select(p => p.Name).ToList();
        string? suggestion = known.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase) || k == ToSnakeCase(name));
        string pathShown = path.Length > 64 ? path[..64] + "…" : path;
        return suggestion is not null
            ? $"unknown argument '{pathShown}' (did you mean '{suggestion}'?)"
            : known.Count == 0
                ? $"unknown argument '{pathShown}' (this takes no arguments)"
                : $"unknown argument '{pathShown}' (expected: {string.Join(", ", known)})";
    }

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    }
}
