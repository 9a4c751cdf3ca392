namespace Raworc.Mcp;

/// <summary>How MCP reaches the server: a client's child process on stdin/stdout, or Streamable HTTP for a team.</summary>
internal enum TransportKind { Stdio, Http }
