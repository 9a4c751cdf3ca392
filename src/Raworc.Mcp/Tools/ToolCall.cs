using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// A call's arguments, already checked against the tool's schema (so the getters only convert), plus the MCP
/// request for what a handler may need beyond them (progress, the client).
/// </summary>
internal sealed class ToolCall(RequestContext<CallToolRequestParams> request, CancellationToken cancellation,
    IDictionary<string, JsonElement>? arguments = null, ProgressReporter? progress = null)
{
    private readonly IDictionary<string, JsonElement> _arguments = arguments ?? request.Params?.Arguments ?? new Dictionary<string, JsonElement>();

    /// <summary>The arguments as given, or as resolved by <see cref="WithArguments"/>.</summary>
    public IEnumerable<KeyValuePair<string, JsonElement>> Arguments => _arguments;

    /// <summary>The same call with its arguments under their current names.</summary>
    public ToolCall WithArguments(IDictionary<string, JsonElement> resolved) => new(Request, Cancellation, resolved, Progress);

    /// <summary>The call's progress notifications: one sequence per call, whoever reports.</summary>
    public ProgressReporter Progress { get; } = progress ?? new ProgressReporter(request, cancellation);

    public RequestContext<CallToolRequestParams> Request { get; } = request;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>Whether the argument was given with a value other than null.</summary>
    public bool Has(string name) => Get(name) is not null;

    /// <summary>A required string argument.</summary>
    public string String(string name) => OptionalString(name)!;

    public string? OptionalString(string name) => Get(name) is { } value ? value.GetString() : null;

    public int? OptionalInt(string name) => Get(name) is { } value ? value.GetInt32() : null;

    public bool? OptionalBool(string name) => Get(name) is { } value ? value.GetBoolean() : null;

    /// <summary>A free-form JSON object argument (metadata, settings).</summary>
    public JsonElement? OptionalObject(string name) => Get(name)?.Clone();

    public List<RoleRule> RoleRules(string name) =>
        Get(name)?.Deserialize(RaworcJsonContext.Default.ListRoleRule) ?? [];

    private JsonElement? Get(string name) =>
        _arguments.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;
}
