using Raworc.Client;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

internal enum CommandKind { Serve, Help, Version, Manifest, Doctor }

/// <summary>
/// The command line: <c>raworc-mcp [--help | --version | --manifest | doctor] [mode flags]</c>. Mode flags override their
/// environment variables; everything else is configured by environment.
/// </summary>
internal sealed record CommandLine(CommandKind Kind)
{
    public bool ReadOnly { get; init; }

    public bool AllowDestructive { get; init; }

    public bool AllowSecretValues { get; init; }

    /// <summary>Comma-separated tool set names, as given.</summary>
    public string? Toolsets { get; init; }

    /// <summary>Comma-separated tool names, as given.</summary>
    public string? Tools { get; init; }

    public static readonly IReadOnlyList<(string Name, string Meaning)> EnvironmentVariables =
    [
        (RaworcSettings.ApiUrlVariable, $"Raworc API base URL, ending in /api/v0 (default {RaworcClientOptions.DefaultApiUrl}, or the server in ~/.raworc/auth.yaml)."),
        (RaworcSettings.TokenVariable, "Bearer token (JWT). Used first when set."),
        (RaworcSettings.UsernameVariable, "Service account to log in as when there is no token; the token is renewed on expiry."),
        (RaworcSettings.PasswordVariable, "Password of RAWORC_USERNAME."),
        (ServerConfiguration.DefaultSpaceVariable, "Space used when a tool's space argument is omitted (default: default)."),
        (RaworcSettings.TimeoutVariable, "Seconds one API call may take, retries included (default 30)."),
        (ServerConfiguration.LogLevelVariable, "trace, debug, info, warn, error or off (default info). Logs go to stderr."),
        (ServerConfiguration.ReadOnlyVariable, "true: same as --read-only."),
        (ServerConfiguration.ToolsetsVariable, "Same as --toolsets."),
        (ServerConfiguration.ToolsVariable, "Same as --tools."),
        (ServerConfiguration.AllowDestructiveVariable, "true: same as --allow-destructive."),
        (ServerConfiguration.AllowSecretValuesVariable, "true: same as --allow-secret-values."),
        ("HTTPS_PROXY, NO_PROXY", "Proxy settings, honoured as usual."),
    ];

    /// <exception cref="FormatException">Unknown or malformed arguments.</exception>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine(CommandKind.Serve);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inlineValue = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var eq)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new FormatException($"{arg} needs a value"));

            result = arg switch
            {
                "-h" or "--help" or "help" => Command(result, CommandKind.Help),
                "-V" or "--version" or "version" => Command(result, CommandKind.Version),
                "--manifest" => Command(result, CommandKind.Manifest),
                "doctor" or "--doctor" => Command(result, CommandKind.Doctor),
                "--read-only" => result with { ReadOnly = true },
                "--allow-destructive" => result with { AllowDestructive = true },
                "--allow-secret-values" => result with { AllowSecretValues = true },
                "--toolsets" => result with { Toolsets = Value() },
                "--tools" => result with { Tools = Value() },
                _ => throw new FormatException($"unknown argument '{args[i]}'"),
            };
            if (inlineValue is not null && arg is not ("--toolsets" or "--tools"))
                throw new FormatException($"{arg} takes no value");
        }
        return result;
    }

    private static CommandLine Command(CommandLine current, CommandKind kind) =>
        current.Kind == CommandKind.Serve || current.Kind == kind
            ? current with { Kind = kind }
            : throw new FormatException($"choose one of --help, --version, --manifest and doctor");

    public static string HelpText()
    {
        var env = string.Join('\n', EnvironmentVariables.Select(v => $"  {v.Name,-27} {v.Meaning}"));
        return $$"""
            {{RaworcServer.Name}} {{RaworcServer.Version}}: a Model Context Protocol server for the Raworc control plane.
            It speaks MCP (JSON-RPC) on stdin/stdout and writes its logs to stderr.

            Usage:
              raworc-mcp [mode flags]              serve MCP over stdio (what an MCP client runs)
              raworc-mcp --manifest [mode flags]   print a JSON manifest: name, version, transport, modes, tools
              raworc-mcp doctor [mode flags]       check the set-up: where the configuration comes from, that the API
                                                   answers, that the credentials work, and the tools offered; prints
                                                   the fix for anything wrong (exit code 1), never a token or password
              raworc-mcp --help                    this text
              raworc-mcp --version                 print the version

            Mode flags (safe by default: without flags nothing destructive is offered and secret values stay hidden):
              --read-only               offer only tools that change nothing; calls to any other tool are refused
              --toolsets <list>         offer only these tool sets (comma-separated; default all):
                                        {{string.Join(", ", ToolCatalog.Toolsets)}}
              --tools <list>            offer these tools by exact name; alone, only these; with --toolsets, these too
              --allow-destructive       also offer tools that destroy data: delete_*, clear_messages, terminate_session
              --allow-secret-values     let show_values return secret values without asking the user
                                        (otherwise the user is asked, in clients that support it, or the call is refused)
            --read-only wins over everything; a destructive tool named in --tools still needs --allow-destructive.

            Environment:
            {{env}}

            Credentials are looked up in order: RAWORC_AUTH_TOKEN; RAWORC_USERNAME with RAWORC_PASSWORD;
            the token in ~/.raworc/auth.yaml written by the Raworc CLI ('raworc auth').

            Examples:
              RAWORC_AUTH_TOKEN=eyJ... raworc-mcp
              RAWORC_API_URL=http://localhost:9000/api/v0 RAWORC_USERNAME=admin RAWORC_PASSWORD=admin raworc-mcp --read-only
              raworc-mcp --toolsets sessions,messages --tools whoami
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
