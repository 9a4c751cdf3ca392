using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp.Tools;

/// <summary>One MCP tool with the tool set it belongs to and what it does.</summary>
internal sealed record CatalogEntry(string Toolset, ToolEffect Effect, McpServerTool Tool)
{
    public string Name => Tool.ProtocolTool.Name;
}

/// <summary>
/// The registry of every tool, grouped in tool sets (one class per API area). Tools are built from the methods marked
/// <see cref="RaworcToolAttribute"/>; each is wrapped so its arguments are checked against its schema first.
/// </summary>
internal static class ToolCatalog
{
    /// <summary>Tool set names, in the order tools are listed.</summary>
    public static readonly IReadOnlyList<string> Toolsets =
        ["system", "accounts", "rbac", "spaces", "sessions", "messages", "agents", "secrets", "builds"];

    public static List<CatalogEntry> Create(ToolContext context) =>
    [
        .. From("system", new SystemTools(context)),
        .. From("accounts", new ServiceAccountTools(context)),
        .. From("rbac", new RbacTools(context)),
        .. From("spaces", new SpaceTools(context)),
        .. From("sessions", new SessionTools(context)),
        .. From("messages", new MessageTools(context)),
        .. From("agents", new AgentTools(context)),
        .. From("secrets", new SecretTools(context)),
        .. From("builds", new BuildTools(context)),
    ];

    private static IEnumerable<CatalogEntry> From<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] T>(
        string toolset, T target) where T : ToolSet
    {
        foreach (var method in typeof(T).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (method.GetCustomAttribute<RaworcToolAttribute>() is not { } tool) continue;
            var created = McpServerTool.Create(method, target, new McpServerToolCreateOptions
            {
                Name = tool.Name,
                Title = tool.Title,
                Description = method.GetCustomAttribute<DescriptionAttribute>()?.Description
                    ?? throw new InvalidOperationException($"Tool {tool.Name} has no [Description]."),
                ReadOnly = tool.Effect == ToolEffect.Read,
                Destructive = tool.Effect == ToolEffect.Delete,
                Idempotent = tool.Effect != ToolEffect.Create,
                OpenWorld = tool.OpenWorld,
                SerializerOptions = ToolJson.Options,
                SchemaCreateOptions = SchemaOptions,
            });
            yield return new CatalogEntry(toolset, tool.Effect, new ValidatingTool(created));
        }
    }

    /// <summary>
    /// Keeps schemas short and plain, since every byte of them is read by the model: an optional argument is simply
    /// not required (no <c>"null"</c> type, no <c>"default": null</c>), and <see cref="AllowedValuesAttribute"/>
    /// becomes <c>enum</c>, where both the model and <see cref="ArgumentValidator"/> see it.
    /// </summary>
    private static readonly AIJsonSchemaCreateOptions SchemaOptions = new()
    {
        TransformSchemaNode = (context, node) =>
        {
            if (node is not JsonObject schema) return node;
            if (schema["type"] is JsonArray types && types.Count == 2 && types.FirstOrDefault(t => t?.GetValue<string>() != "null") is { } type)
                schema["type"] = type.GetValue<string>();
            if (schema.TryGetPropertyValue("default", out var defaultValue) && defaultValue is null)
                schema.Remove("default");
            if (context.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
                schema["enum"] = new JsonArray(allowed.Values.Select(v => (JsonNode?)JsonValue.Create(Convert.ToString(v, CultureInfo.InvariantCulture))).ToArray());
            return node;
        },
    };

    /// <summary>Checks arguments against the tool's input schema before the SDK binds them.</summary>
    private sealed class ValidatingTool(McpServerTool inner) : DelegatingMcpServerTool(inner)
    {
        public override ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
        {
            var problems = ArgumentValidator.Validate(ProtocolTool.InputSchema, request.Params?.Arguments);
            return problems.Count > 0
                ? ValueTask.FromResult(ToolResults.InvalidArguments(ProtocolTool.Name, problems))
                : base.InvokeAsync(request, cancellationToken);
        }
    }
}
