using Raworc.Client;

namespace Raworc.Mcp;

internal enum CommandKind { Serve, Help, Version, Manifest }

/// <summary>The command line: <c>raworc-mcp [--help | --version | --manifest]</c>. Configuration is by environment.</summary>
internal sealed record CommandLine(CommandKind Kind)
{
    public static readonly IReadOnlyList<(string Name, string Meaning)> EnvironmentVariables =
    [
        (RaworcSettings.ApiUrlVariable, $"Raworc API base URL, ending in /api/v0 (default {RaworcClientOptions.DefaultApiUrl}, or the server in ~/.raworc/auth.yaml)."),
        (RaworcSettings.TokenVariable, "Bearer token (JWT). Used first when set."),
        (RaworcSettings.UsernameVariable, "Service account to log in as when there is no token; the token is renewed on expiry."),
        (RaworcSettings.PasswordVariable, "Password of RAWORC_USERNAME."),
        (ServerConfiguration.DefaultSpaceVariable, "Space used when a tool's space argument is omitted (default: default)."),
        (RaworcSettings.TimeoutVariable, "Seconds one API call may take, retries included (default 30)."),
        (ServerConfiguration.LogLevelVariable, "trace, debug, info, warn, error or off (default info). Logs go to stderr."),
        ("HTTPS_PROXY, NO_PROXY", "Proxy settings, honoured as usual."),
    ];

    /// <exception cref="FormatException">Unknown or conflicting arguments.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0) return new CommandLine(CommandKind.Serve);
        if (args.Count > 1) throw new FormatException($"expected at most one argument, got {args.Count}: {string.Join(' ', args)}");
        return args[0] switch
        {
            "-h" or "--help" or "help" => new CommandLine(CommandKind.Help),
            "-V" or "--version" or "version" => new CommandLine(CommandKind.Version),
            "--manifest" => new CommandLine(CommandKind.Manifest),
            var other => throw new FormatException($"unknown argument '{other}'"),
        };
    }

    public static string HelpText()
    {
        var env = string.Join('\n', EnvironmentVariables.Select(v => $"  {v.Name,-22} {v.Meaning}"));
        return $$"""
            {{RaworcServer.Name}} {{RaworcServer.Version}}: a Model Context Protocol server for the Raworc control plane.
            It speaks MCP (JSON-RPC) on stdin/stdout and writes its logs to stderr.

            Usage:
              raworc-mcp              serve MCP over stdio (what an MCP client runs)
              raworc-mcp --help       this text
              raworc-mcp --version    print the version
              raworc-mcp --manifest   print a JSON manifest: name, version, transport, command, tools

            Environment:
            {{env}}

            Credentials are looked up in order: RAWORC_AUTH_TOKEN; RAWORC_USERNAME with RAWORC_PASSWORD;
            the token in ~/.raworc/auth.yaml written by the Raworc CLI ('raworc auth').

            Examples:
              RAWORC_AUTH_TOKEN=eyJ... raworc-mcp
              RAWORC_API_URL=http://localhost:9000/api/v0 RAWORC_USERNAME=admin RAWORC_PASSWORD=admin raworc-mcp
              claude mcp add raworc --env RAWORC_AUTH_TOKEN=eyJ... -- npx -y @raworc/mcp-server

            Claude Desktop (claude_desktop_config.json):
              {
                "mcpServers": {
                  "raworc": {
                    "command": "npx",
                    "args": ["-y", "@raworc/mcp-server"],
                    "env": { "RAWORC_AUTH_TOKEN": "eyJ...", "RAWORC_DEFAULT_SPACE": "default" }
                  }
                }
              }
            """;
    }
}
