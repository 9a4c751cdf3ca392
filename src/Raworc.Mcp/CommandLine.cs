using Raworc.Client;
using Raworc.Mcp.Http;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

/// <summary>
/// The command line: <c>raworc-mcp [http] [--help | --version | --manifest | doctor | healthcheck] [flags]</c>. Flags
/// override their environment variables; everything else is configured by environment.
/// </summary>
internal sealed record CommandLine(CommandKind Kind)
{
    public TransportKind Transport { get; init; } = TransportKind.Stdio;

    /// <summary>HTTP settings given as flags, as written (parsed with their environment variables).</summary>
    public string? Port { get; init; }

    public string? ListenHost { get; init; }

    public string? AllowedOrigins { get; init; }

    public bool SharedCredentials { get; init; }

    public string? DrainSeconds { get; init; }

    public string? RateLimit { get; init; }

    public string? PublicUrl { get; init; }

    public string? RedirectSchemes { get; init; }

    public bool AcceptRaworcTokens { get; init; }

    public string? AccessTokenSeconds { get; init; }
    public string? ProbePort { get; init; }

    public string? RequestsPerCaller { get; init; }

    public string? WaitsPerCaller { get; init; }

    public bool ReadOnly { get; init; }

    public bool AllowDestructive { get; init; }

    public bool AllowSecretValues { get; init; }

    /// <summary>Comma-separated tool set names, as given.</summary>
    public string? Toolsets { get; init; }

    /// <summary>Comma-separated tool names, as given.</summary>
    public string? Tools { get; init; }

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
                // healthcheck probes a running HTTP server (a container's HEALTHCHECK, where there is no curl).
                "healthcheck" => Command(result, CommandKind.HealthCheck) with { Transport = TransportKind.Http },
                "http" => result with { Transport = TransportKind.Http },
                "--port" => result with { Port = Value() },
                "--listen-host" => result with { ListenHost = Value() },
                "--allowed-origins" => result with { AllowedOrigins = Value() },
                "--shared-credentials" => result with { SharedCredentials = true },
                "--drain-seconds" => result with { DrainSeconds = Value() },
                "--rate-limit" => result with { RateLimit = Value() },
                "--public-url" => result with { PublicUrl = Value() },
                "--oauth-redirect-schemes" => result with { RedirectSchemes = Value() },
                "--accept-raworc-tokens" => result with { AcceptRaworcTokens = true },
                "--access-token-seconds" => result with { AccessTokenSeconds = Value() },
                "--probe-port" => result with { ProbePort = Value() },
                "--requests-per-caller" => result with { RequestsPerCaller = Value() },
                "--waits-per-caller" => result with { WaitsPerCaller = Value() },
                "--read-only" => result with { ReadOnly = true },
                "--allow-destructive" => result with { AllowDestructive = true },
                "--allow-secret-values" => result with { AllowSecretValues = true },
                "--toolsets" => result with { Toolsets = Value() },
                "--tools" => result with { Tools = Value() },
                _ => throw new FormatException($"unknown argument '{args[i]}'"),
            };
            if (inlineValue is not null && !TakesValue(arg))
                throw new FormatException($"{arg} takes no value");
        }
        if (result.Transport == TransportKind.Stdio && HttpOnlyFlag(result) is { } flag)
            throw new FormatException($"{flag} applies only to the HTTP mode: start with 'raworc-mcp http {flag}'");
        return result;
    }

    private static bool TakesValue(string flag) =>
        flag is "--toolsets" or "--tools" or "--port" or "--listen-host" or "--allowed-origins" or "--drain-seconds" or "--rate-limit"
            or "--public-url" or "--oauth-redirect-schemes" or "--access-token-seconds"
            or "--probe-port" or "--requests-per-caller" or "--waits-per-caller";

    private static string? HttpOnlyFlag(CommandLine c) =>
        c.Port is not null ? "--port"
        : c.ListenHost is not null ? "--listen-host"
        : c.AllowedOrigins is not null ? "--allowed-origins"
        : c.SharedCredentials ? "--shared-credentials"
        : c.DrainSeconds is not null ? "--drain-seconds"
        : c.RateLimit is not null ? "--rate-limit"
        : c.PublicUrl is not null ? "--public-url"
        : c.RedirectSchemes is not null ? "--oauth-redirect-schemes"
        : c.AcceptRaworcTokens ? "--accept-raworc-tokens"
        : c.AccessTokenSeconds is not null ? "--access-token-seconds"
        : c.ProbePort is not null ? "--probe-port"
        : c.RequestsPerCaller is not null ? "--requests-per-caller"
        : c.WaitsPerCaller is not null ? "--waits-per-caller"
        : null;

    private static CommandLine Command(CommandLine current, CommandKind kind) =>
        current.Kind == CommandKind.Serve || current.Kind == kind
            ? current with { Kind = kind }
            : throw new FormatException($"choose one of --help, --version, --manifest, doctor and healthcheck");

    public static string HelpText()
    {
        var env = string.Join('\n', EnvironmentVariables.All.Select(HelpLine));
        var toolsets = string.Join('\n', ToolSet.All.Select(set => $"                            {set.Name,-9} {set.Description}"));
        return $$"""
            {{RaworcServer.Name}} {{RaworcServer.Version}}: a Model Context Protocol server for the Raworc control plane.
            It speaks MCP (JSON-RPC) on stdin/stdout, or Streamable HTTP for a team, and writes its logs to stderr.

            Usage:
              raworc-mcp [mode flags]              serve MCP over stdio (what an MCP client runs)
              raworc-mcp http [http flags] [mode flags]
                                                   serve stateless Streamable HTTP on /mcp for many users, each
                                                   request with its own 'Authorization: Bearer <Raworc token>';
                                                   GET /healthz and /readyz for probes
              raworc-mcp [http] --manifest [flags] print a JSON manifest: name, version, transport, modes, tools
              raworc-mcp [http] doctor [flags]     check the set-up: where the configuration comes from, that the API
                                                   answers, that the credentials work (HTTP: that the port is free),
                                                   and the tools offered; prints the fix for anything wrong (exit
                                                   code 1), never a token or password
              raworc-mcp healthcheck [--port N]    exit 0 when the HTTP server on this machine answers /healthz
              raworc-mcp --help                    this text
              raworc-mcp --version                 print the version

            Mode flags (safe by default: without flags nothing destructive is offered and secret values stay hidden):
              --read-only               offer only tools that change nothing; calls to any other tool are refused
              --toolsets <list>         offer only these tool sets (comma-separated; default all):
            {{toolsets}}
              --tools <list>            offer these tools by exact name; alone, only these; with --toolsets, these too
              --allow-destructive       also offer tools that destroy data: delete_*, clear_messages, terminate_session
              --allow-secret-values     let show_values return secret values without asking the user
                                        (otherwise the user is asked, in clients that support it, or the call is refused)
            --read-only wins over everything; a destructive tool named in --tools still needs --allow-destructive.

            HTTP flags:
              --port <n>                port to listen on (default {{HttpSettings.DefaultPort}})
              --listen-host <host>      address to listen on (default {{HttpSettings.DefaultListenHost}}; 0.0.0.0 in a container)
              --allowed-origins <list>  browser origins allowed to call (comma-separated, e.g. https://app.example.com);
                                        requests with any other Origin get 403, requests without one are served
              --shared-credentials      requests without a bearer token use this server's own credentials (a
                                        personal server on your own machine; never on a shared one)
              --drain-seconds <n>       on SIGTERM, how long in-flight calls may finish (default {{HttpSettings.DefaultDrainSeconds}})
              --rate-limit <n>          requests per second per caller, bursts of twice that (default {{HttpSettings.DefaultRateLimit}}; 0: off)
              --probe-port <n>          also serve /healthz and /readyz on this port, a listener of their own that
                                        /mcp traffic cannot fill (default: none; the probes are always on --port too)
              --requests-per-caller <n> requests one caller may have in flight at once (default {{HttpSettings.DefaultRequestsPerCaller}})
              --waits-per-caller <n>    waits (wait_for_*, send_message with wait_for_reply) one caller may run at
                                        once (default {{HttpSettings.DefaultWaitsPerCaller}})

            Sign-in (HTTP): users connect with a browser sign-in to their Raworc account instead of pasting a token
              --public-url <url>        the https URL clients reach this server at (e.g. https://mcp.example.com);
                                        turns sign-in on: this server becomes its own OAuth authorization server
                                        and /mcp takes only the access tokens it issued. Every replica needs the
                                        same RAWORC_MCP_OAUTH_KEYS (make a key: head -c 32 /dev/urandom | base64)
              --oauth-redirect-schemes <list>
                                        private-use redirect schemes clients may register (default {{HttpSettings.DefaultRedirectSchemes}};
                                        none: only https and loopback http)
              --accept-raworc-tokens    with sign-in on, still accept a raw Raworc token on /mcp (clients set up
                                        with an Authorization header)
              --access-token-seconds <n>
                                        how long an access token lasts, {{HttpSettings.MinAccessTokenSeconds}} to {{HttpSettings.DefaultAccessTokenSeconds}} (default {{HttpSettings.DefaultAccessTokenSeconds}}); never past
                                        the Raworc token inside it

            Environment:
            {{env}}

            Credentials are looked up in order: RAWORC_AUTH_TOKEN; RAWORC_USERNAME with RAWORC_PASSWORD;
            the token in ~/.raworc/auth.yaml written by the Raworc CLI ('raworc auth'). A variable that is empty, or
            still a literal ${user_config.name} (a field of the Claude Desktop bundle's form left empty), is unset.

            Examples:
              RAWORC_AUTH_TOKEN=eyJ... raworc-mcp
              RAWORC_API_URL=http://localhost:9000/api/v0 RAWORC_USERNAME=admin RAWORC_PASSWORD=admin raworc-mcp --read-only
              raworc-mcp --toolsets sessions,messages --tools whoami
              RAWORC_API_URL=https://raworc.example.com/api/v0 raworc-mcp http --listen-host 0.0.0.0
              claude mcp add --transport http raworc https://mcp.example.com/mcp --header "Authorization: Bearer eyJ..."
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

    private static string HelpLine(EnvironmentVariable v) =>
        $"  {v.Name,-33} {(v.HttpMode ? "(HTTP mode) " : "")}{v.Meaning}" +
        (v.Flag is null ? "" : $" Same as {v.Flag}.") + (v.DefaultText is null ? "" : $" Default: {v.DefaultText}.");
}
