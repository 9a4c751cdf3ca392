namespace Raworc.Mcp;

/// <summary>The kind of value a variable holds, as the MCP Registry's server.json names it.</summary>
internal enum VariableFormat { String, Number, Boolean }
