namespace Raworc.Mcp;

/// <summary>What one run of the executable does: serve MCP, or one of the commands that print and exit.</summary>
internal enum CommandKind { Serve, Help, Version, Manifest, Doctor, HealthCheck }
