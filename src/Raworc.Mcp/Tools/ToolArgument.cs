using System.Text.Json.Nodes;

namespace Raworc.Mcp.Tools;

/// <summary>One argument of a tool: what the model sees in the input schema (no description where the name says it all).</summary>
internal sealed record ToolArgument(string Name, ArgumentType Type, string? Description, bool Required)
{
    /// <summary>For strings: the only values accepted.</summary>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    public int? Minimum { get; init; }

    /// <summary>A password or secret value: never repeated in an error text.</summary>
    public bool Sensitive { get; init; }

    /// <summary>Longest accepted value: characters of a string, or bytes of JSON for objects and arrays.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength(Type);

    /// <summary>For strings the server stores in a column limited in bytes: the most UTF-8 bytes it holds.</summary>
    public int? MaxUtf8Bytes { get; init; }

    /// <summary>Older names of this argument, still accepted but not advertised.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public int? Maximum { get; init; }

    /// <summary>Longest text argument by default: names and descriptions are short (prompt arguments share it).</summary>
    public const int MaxTextLength = 10_000;

    /// <summary>Longest object or array by default, in bytes of JSON: well below what the API stores comfortably.</summary>
    private const int MaxJsonLength = 100_000;

    private static int DefaultMaxLength(ArgumentType type) => type == ArgumentType.Text ? MaxTextLength : MaxJsonLength;

    /// <summary>The fields of one RBAC rule, in schema order; each is an array of strings.</summary>
    public static readonly IReadOnlyList<string> RoleRuleFields = ["api_groups", "resources", "verbs", "resource_names"];

    /// <summary>The fields every RBAC rule must have.</summary>
    public static readonly IReadOnlyList<string> RequiredRoleRuleFields = ["api_groups", "resources", "verbs"];

    public JsonObject ToSchema()
    {
        var schema = Type switch
        {
            ArgumentType.Text => new JsonObject { ["type"] = "string" },
            ArgumentType.Integer => new JsonObject { ["type"] = "integer" },
            ArgumentType.Flag => new JsonObject { ["type"] = "boolean" },
            ArgumentType.AnyObject => new JsonObject { ["type"] = "object" },
            ArgumentType.RoleRules => RoleRulesSchema(),
            _ => throw new ArgumentOutOfRangeException(nameof(Type)),
        };
        if (Description is not null) schema["description"] = Description;
        if (AllowedValues is not null) schema["enum"] = new JsonArray([.. AllowedValues.Select(v => (JsonNode?)v)]);
        if (Minimum is not null) schema["minimum"] = Minimum;
        if (Maximum is not null) schema["maximum"] = Maximum;
        return schema;
    }

    private static JsonObject RoleRulesSchema()
    {
        static JsonObject Strings() => new() { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } };
        return new JsonObject
        {
            ["type"] = "array",
            ["items"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject([.. RoleRuleFields.Select(f => KeyValuePair.Create(f, (JsonNode?)Strings()))]),
                ["required"] = new JsonArray([.. RequiredRoleRuleFields.Select(f => (JsonNode?)f)]),
            },
        };
    }
}
