using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>One tool with the tool set it belongs to and how it is listed.</summary>
internal sealed record CatalogEntry(ToolSet Toolset, ToolDefinition Definition, Tool ProtocolTool)
{
    public string Name => Definition.Name;
}
