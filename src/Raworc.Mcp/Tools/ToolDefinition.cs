using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>
/// One MCP tool, declared explicitly (no reflection): name, title, description, arguments, effect and handler.
/// Built once, when the catalog is, with <see cref="ToolProvider.Tool"/> and the fluent methods below; never changed
/// after that.
/// </summary>
internal sealed class ToolDefinition(string name, string title, ToolEffect effect, string description)
{
    /// <summary>What the <c>space</c> argument says; the default-space rule itself is in the server instructions, said once.</summary>
    private const string SpaceDescription = "Omit for the default.";

    public string Name { get; } = name;

    public string Title { get; } = title;

    public ToolEffect Effect { get; } = effect;

    public string Description { get; } = description;

    private readonly List<ToolArgument> _arguments = [];

    /// <summary>True when the call reaches beyond the Raworc control plane.</summary>
    public bool OpenWorld { get; init; }

    public IReadOnlyList<ToolArgument> Arguments => _arguments;

    /// <summary>
    /// The tool waits (it takes <c>timeout_seconds</c>): it polls for up to a minute, so each of its reads is a unit
    /// of work of its own and nothing is held across the whole call while it sleeps.
    /// </summary>
    public bool Waits => _arguments.Any(a => a.Name == "timeout_seconds");

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
        Add(new ToolArgument(name, type, description, true) { AllowedValues = allowedValues }, maxLength);

    public ToolDefinition Optional(string name, ArgumentType type, string? description, IReadOnlyList<string>? allowedValues = null,
        int? minimum = null, int? maximum = null, int? maxLength = null) =>
        Add(new ToolArgument(name, type, description, false) { AllowedValues = allowedValues, Minimum = minimum, Maximum = maximum }, maxLength);

    /// <summary>The optional <c>space</c> argument of a tool that acts in one space (the configured default when omitted).</summary>
    public ToolDefinition InSpace() => Optional("space", ArgumentType.Text, SpaceDescription);

    /// <summary>Arguments of which a call must give at least one (all optional, e.g. the fields an update changes).</summary>
    public IReadOnlyList<string>? OneRequiredOf { get; private set; }

    /// <summary>Refuses a call that gives none of <paramref name="names"/>, once its other checks have passed.</summary>
    public ToolDefinition AtLeastOneOf(params string[] names)
    {
        OneRequiredOf = names;
        return this;
    }

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

    private ToolDefinition Add(ToolArgument argument, int? maxLength)
    {
        _arguments.Add(maxLength is { } limit ? argument with { MaxLength = limit } : argument);
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
