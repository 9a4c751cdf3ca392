using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>Runs a tool once its arguments have been checked against its schema.</summary>
internal delegate Task<CallToolResult> ToolHandler(ToolCall call);
