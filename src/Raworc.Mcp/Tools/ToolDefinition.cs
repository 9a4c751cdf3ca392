using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>What a tool does to the control plane; decides its MCP annotations.</summary>
internal enum ToolEffect
{
    /// <summary>Reads only: readOnly (destructive and idempotent mean nothing then).</summary>
    Read,

    /// <summary>Creates something or triggers work; calling twice does it twice.</summary>
    Create,

    /// <summary>Changes something in place; calling twice has no further effect.</summary>
    Update,

    /// <summary>Destroys data that cannot be recovered: destructive, idempotent.</summary>
    Delete,
}

/// <summary>The JSON shape of one argument.</summary>
internal enum ArgumentType
{
    /// <summary>A JSON string.</summary>
    Text,

    /// <summary>A JSON number without fraction, within a 32-bit int.</summary>
    Integer,

    /// <summary>true or false.</summary>
    Flag,

    /// <summary>A free-form JSON object (metadata, settings).</summary>
    AnyObject,

    /// <summary>An array of RBAC rules: api_groups, resources, verbs, resource_names.</summary>
    RoleRules,
}

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

    /// <summary>Names and descriptions are short; objects stay well below what the API stores comfortably.</summary>
    public static int DefaultMaxLength(ArgumentType type) => type == ArgumentType.Text ? 10_000 : 100_000;

    public int? Maximum { get; init; }

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
                ["properties"] = new JsonObject
                {
                    ["api_groups"] = Strings(),
                    ["resources"] = Strings(),
                    ["verbs"] = Strings(),
                    ["resource_names"] = Strings(),
                },
                ["required"] = new JsonArray("api_groups", "resources", "verbs"),
            },
        };
    }
}

/// <summary>Runs a tool once its arguments have been checked against its schema.</summary>
internal delegate Task<CallToolResult> ToolHandler(ToolCall call);

/// <summary>
/// One MCP tool, declared explicitly (no reflection): name, title, description, arguments, effect and handler.
/// Built with <see cref="ToolSet.Tool"/> and the fluent methods below.
/// </summary>
internal sealed record ToolDefinition(string Name, string Title, ToolEffect Effect, string Description)
{
    private readonly List<ToolArgument> _arguments = [];

    /// <summary>True when the call reaches beyond the Raworc control plane.</summary>
    public bool OpenWorld { get; init; }

    public IReadOnlyList<ToolArgument> Arguments => _arguments;

    public ToolHandler Handler { get; private set; } = _ => throw new InvalidOperationException("no handler");

    /// <summary>Marks the argument just added as a password or secret value.</summary>
    public ToolDefinition Sensitive()
    {
        _arguments[^1] = _arguments[^1] with { Sensitive = true };
        return this;
    }

    /// <summary>Accepts the argument just added under older names too, without listing them.</summary>
    public ToolDefinition Alias(params string[] names)
    {
        _arguments[^1] = _arguments[^1] with { Aliases = [.. _arguments[^1].Aliases, .. names] };
        return this;
    }

    /// <summary>Limits the string argument just added to what a server column of <paramref name="bytes"/> bytes holds.</summary>
    public ToolDefinition MaxUtf8Bytes(int bytes)
    {
        _arguments[^1] = _arguments[^1] with { MaxUtf8Bytes = bytes };
        return this;
    }

    /// <summary>Arguments accepted for compatibility with older clients and ignored; not advertised in the schema.</summary>
    public IReadOnlySet<string> IgnoredArguments => _ignored;

    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal);

    /// <summary>Accepts <paramref name="name"/> without listing it, because the API has no use for it.</summary>
    public ToolDefinition Ignores(string name)
    {
        _ignored.Add(name);
        return this;
    }

    public ToolDefinition Required(string name, ArgumentType type, string? description, IReadOnlyList<string>? allowedValues = null,
        int? maxLength = null) =>
        Add(new ToolArgument(name, type, description, true) { AllowedValues = allowedValues, MaxLength = maxLength ?? ToolArgument.DefaultMaxLength(type) });

    public ToolDefinition Optional(string name, ArgumentType type, string? description, IReadOnlyList<string>? allowedValues = null,
        int? minimum = null, int? maximum = null, int? maxLength = null) =>
        Add(new ToolArgument(name, type, description, false)
        {
            AllowedValues = allowedValues, Minimum = minimum, Maximum = maximum, MaxLength = maxLength ?? ToolArgument.DefaultMaxLength(type),
        });

    /// <summary>Checks run once the arguments fit the schema: a non-null answer refuses the call with that reason.</summary>
    public IReadOnlyList<Func<ToolCall, string?>> Refusals => _refusals;

    private readonly List<Func<ToolCall, string?>> _refusals = [];

    /// <summary>Refuses calls the server would mishandle, with the reason <paramref name="check"/> returns.</summary>
    public ToolDefinition Refuses(Func<ToolCall, string?> check)
    {
        _refusals.Add(check);
        return this;
    }

    public ToolDefinition Handles(ToolHandler handler)
    {
        Handler = handler;
        return this;
    }

    private ToolDefinition Add(ToolArgument argument)
    {
        _arguments.Add(argument);
        return this;
    }

    /// <summary>The tool as <c>tools/list</c> shows it.</summary>
    public Tool ToProtocolTool()
    {
        var properties = new JsonObject();
        foreach (var argument in _arguments) properties[argument.Name] = argument.ToSchema();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        var required = _arguments.Where(a => a.Required).Select(a => (JsonNode?)a.Name).ToArray();
        if (required.Length > 0) schema["required"] = new JsonArray(required);

        // The title goes in the annotations only: clients fall back to it, and it is not sent twice.
        return new Tool
        {
            Name = Name,
            Description = Description,
            InputSchema = JsonSerializer.SerializeToElement(schema, ToolJsonContext.Default.JsonObject),
            Annotations = Annotations(),
        };
    }

    /// <summary>
    /// Only the hints that differ from the MCP defaults (readOnly false, destructive true, idempotent false,
    /// openWorld true): a hint stating its default tells the client nothing, and destructive and idempotent mean
    /// nothing for a tool that only reads.
    /// </summary>
    private ToolAnnotations Annotations()
    {
        bool readOnly = Effect == ToolEffect.Read;
        bool destructive = Effect == ToolEffect.Delete;
        bool idempotent = Effect != ToolEffect.Create;
        return new ToolAnnotations
        {
            Title = Title,
            ReadOnlyHint = readOnly ? true : null,
            DestructiveHint = readOnly || destructive ? null : false,
            IdempotentHint = !readOnly && idempotent ? true : null,
            OpenWorldHint = OpenWorld ? null : false,
        };
    }
}
