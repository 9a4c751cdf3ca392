using System.Text;
using System.Text.Json;

namespace Raworc.Mcp.Tools;

/// <summary>
/// Checks a call's arguments against the tool's declared <see cref="ToolArgument"/>s before anything is bound or
/// sent, so a missing, unknown, wrongly typed or too long argument is reported by name (the SDK's binder would only
/// say "An error occurred"). The declarations are what the input schema is written from, so both agree.
/// </summary>
internal static class ArgumentValidator
{
    /// <summary>Every problem with <paramref name="arguments"/>: unknown names, wrong types and values, missing required ones, then lengths.</summary>
    public static List<string> Validate(IReadOnlyList<ToolArgument> declared, IReadOnlyList<KeyValuePair<string, JsonElement>> arguments)
    {
        var problems = new List<string>();
        foreach (var (name, value) in arguments)
        {
            if (declared.FirstOrDefault(a => a.Name == name) is not { } argument)
                problems.Add(UnknownArgument(name, name, declared.Select(a => a.Name).ToList()));
            else if (value.ValueKind != JsonValueKind.Null)
                CheckValue(argument, value, problems);
        }
        foreach (var argument in declared.Where(a => a.Required && !arguments.Any(g => g.Key == a.Name && g.Value.ValueKind != JsonValueKind.Null)))
            problems.Add($"missing required argument '{argument.Name}' ({TypeName(argument.Type)})");
        problems.AddRange(CheckLengths(declared, arguments));
        return problems;
    }

    /// <summary>Values longer than their argument's <see cref="ToolArgument.MaxLength"/>, reported with the limit.</summary>
    private static IEnumerable<string> CheckLengths(IReadOnlyList<ToolArgument> declared, IReadOnlyList<KeyValuePair<string, JsonElement>> arguments)
    {
        foreach (var (name, value) in arguments)
        {
            if (declared.FirstOrDefault(d => d.Name == name) is not { } definition) continue;
            long length = value.ValueKind == JsonValueKind.String ? value.GetString()!.Length : value.GetRawText().Length;
            if (length > definition.MaxLength)
                yield return $"argument '{name}' is {length:N0} {(value.ValueKind == JsonValueKind.String ? "characters" : "bytes of JSON")} long; the limit is {definition.MaxLength:N0}";
            else if (definition.MaxUtf8Bytes is { } maxBytes && value.ValueKind == JsonValueKind.String &&
                     Encoding.UTF8.GetByteCount(value.GetString()!) is var bytes && bytes > maxBytes)
                yield return $"argument '{name}' is {bytes:N0} bytes in UTF-8; the server stores at most {maxBytes:N0} bytes";
        }
    }

    private static void CheckValue(ToolArgument argument, JsonElement value, List<string> problems)
    {
        string name = argument.Name;
        bool matches = argument.Type switch
        {
            ArgumentType.Text => value.ValueKind == JsonValueKind.String,
            // Every integer argument binds to a 32-bit int.
            ArgumentType.Integer => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
            ArgumentType.Flag => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            ArgumentType.AnyObject => value.ValueKind == JsonValueKind.Object,
            ArgumentType.RoleRules => value.ValueKind == JsonValueKind.Array,
            _ => throw new ArgumentOutOfRangeException(nameof(argument)),
        };
        if (!matches)
            problems.Add($"argument '{name}' must be {Article(TypeName(argument.Type))}, not {Describe(value)}");
        else if (argument.AllowedValues is { } allowed && !allowed.Contains(value.GetString()!, StringComparer.Ordinal))
            problems.Add($"argument '{name}' must be one of {string.Join(", ", allowed.Select(v => $"\"{v}\""))}, not {Describe(value)}");
        else if (argument.Type == ArgumentType.Integer)
        {
            int number = value.GetInt32();
            if (number < argument.Minimum) problems.Add($"argument '{name}' must be at least {argument.Minimum}, not {value.GetRawText()}");
            if (number > argument.Maximum) problems.Add($"argument '{name}' must be at most {argument.Maximum}, not {value.GetRawText()}");
        }
        else if (argument.Type == ArgumentType.RoleRules)
        {
            int i = 0;
            foreach (var rule in value.EnumerateArray()) CheckRoleRule(rule, $"{name}[{i++}]", problems);
        }
    }

    /// <summary>One RBAC rule: an object whose fields are arrays of strings.</summary>
    private static void CheckRoleRule(JsonElement rule, string path, List<string> problems)
    {
        if (rule.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"argument '{path}' must not be null");
            return;
        }
        if (rule.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"argument '{path}' must be an object, not {Describe(rule)}");
            return;
        }
        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var member in rule.EnumerateObject()) fields[member.Name] = member.Value;
        foreach (var (field, value) in fields)
        {
            string fieldPath = $"{path}.{field}";
            if (!ToolArgument.RoleRuleFields.Contains(field))
                problems.Add(UnknownArgument(fieldPath, field, ToolArgument.RoleRuleFields));
            else if (value.ValueKind == JsonValueKind.Null)
                continue;
            else if (value.ValueKind != JsonValueKind.Array)
                problems.Add($"argument '{fieldPath}' must be an array of strings, not {Describe(value)}");
            else
            {
                int i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    string itemPath = $"{fieldPath}[{i++}]";
                    if (item.ValueKind == JsonValueKind.Null) problems.Add($"argument '{itemPath}' must not be null");
                    else if (item.ValueKind != JsonValueKind.String) problems.Add($"argument '{itemPath}' must be a string, not {Describe(item)}");
                }
            }
        }
        foreach (var field in ToolArgument.RequiredRoleRuleFields)
            if (!fields.TryGetValue(field, out var value) || value.ValueKind == JsonValueKind.Null)
                problems.Add($"missing required argument '{path}.{field}' (array of strings)");
    }

    private static string TypeName(ArgumentType type) => type switch
    {
        ArgumentType.Text => "string",
        ArgumentType.Integer => "integer (32-bit)",
        ArgumentType.Flag => "boolean",
        ArgumentType.AnyObject => "object",
        ArgumentType.RoleRules => "array of objects",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

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

    private static string UnknownArgument(string path, string name, IReadOnlyList<string> known)
    {
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
