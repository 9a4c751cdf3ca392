namespace Raworc.Mcp.Tools;

/// <summary>A tool left out by the configuration, and why (shown in the log, the manifest and refusals).</summary>
internal sealed record DisabledTool(CatalogEntry Entry, string Reason);
