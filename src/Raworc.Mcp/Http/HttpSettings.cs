using System.Globalization;
using System.Net;

namespace Raworc.Mcp.Http;

/// <summary>How <c>raworc-mcp http</c> listens and protects itself, from flags over environment variables.</summary>
internal sealed record HttpSettings
{
    public const string PortVariable = "RAWORC_MCP_PORT";
    public const string ListenHostVariable = "RAWORC_MCP_LISTEN_HOST";
    public const string AllowedOriginsVariable = "RAWORC_MCP_ALLOWED_ORIGINS";
    public const string SharedCredentialsVariable = "RAWORC_MCP_SHARED_CREDENTIALS";
    public const string DrainSecondsVariable = "RAWORC_MCP_DRAIN_SECONDS";
    public const string RateLimitVariable = "RAWORC_MCP_RATE_LIMIT";
    public const string ProbePortVariable = "RAWORC_MCP_PROBE_PORT";
    public const string RequestsPerCallerVariable = "RAWORC_MCP_REQUESTS_PER_CALLER";
    public const string WaitsPerCallerVariable = "RAWORC_MCP_WAITS_PER_CALLER";

    public const int DefaultPort = 8080;
    public const string DefaultListenHost = "127.0.0.1";
    public const int DefaultDrainSeconds = 10;
    public const int DefaultRateLimit = 50;
    public const int DefaultRequestsPerCaller = 16;
    public const int DefaultWaitsPerCaller = 4;

    /// <summary>Fewest requests or waits a caller may be limited to: one wait and the call that checks on it.</summary>
    public const int MinPerCaller = 2;

    /// <summary>How long a connection may stay open with no request before it is closed.</summary>
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(25);

    /// <summary>The MCP endpoint's path.</summary>
    public const string McpPath = "/mcp";

    /// <summary>Largest request body accepted; MCP requests are small, and the largest tool argument is 100 KB.</summary>
    public const long MaxRequestBodyBytes = 4 * 1024 * 1024;

    public int Port { get; init; } = DefaultPort;

    public string ListenHost { get; init; } = DefaultListenHost;

    /// <summary>Browser origins (scheme://host[:port], lower case) allowed to call; requests without Origin are always served.</summary>
    public IReadOnlySet<string> AllowedOrigins { get; init; } = new HashSet<string>();

    /// <summary>Requests without a bearer token use the server's own credentials instead of getting 401.</summary>
    public bool SharedCredentials { get; init; }

    /// <summary>How long in-flight calls may run on after SIGTERM.</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(DefaultDrainSeconds);

    /// <summary>Requests per second per caller (bursts of twice that); 0 turns the limit off.</summary>
    public int RateLimit { get; init; } = DefaultRateLimit;

    /// <summary>A port of their own for /healthz and /readyz, so that /mcp connections cannot crowd the probes out; null: none.</summary>
    public int? ProbePort { get; init; }

    /// <summary>Requests one caller may have in flight at once.</summary>
    public int RequestsPerCaller { get; init; } = DefaultRequestsPerCaller;

    /// <summary>Waits one caller may run at once.</summary>
    public int WaitsPerCaller { get; init; } = DefaultWaitsPerCaller;

    /// <exception cref="FormatException">A value is malformed; the message names the flag or variable.</exception>
    public static HttpSettings Load(Func<string, string?> getVariable, CommandLine flags)
    {
        string? Get(string? flag, string variable) => flag ?? (getVariable(variable) is { Length: > 0 } v ? v : null);
        string Name(string? flag, string option, string variable) => flag is not null ? option : variable;

        var settings = new HttpSettings
        {
            Port = Get(flags.Port, PortVariable) is { } port
                ? ParseInt(port, 1, 65535, Name(flags.Port, "--port", PortVariable), "a port number") : DefaultPort,
            ListenHost = Get(flags.ListenHost, ListenHostVariable) is { } host
                ? ParseHost(host, Name(flags.ListenHost, "--listen-host", ListenHostVariable)) : DefaultListenHost,
            AllowedOrigins = Get(flags.AllowedOrigins, AllowedOriginsVariable) is { } origins
                ? ParseOrigins(origins, Name(flags.AllowedOrigins, "--allowed-origins", AllowedOriginsVariable)) : new HashSet<string>(),
            SharedCredentials = flags.SharedCredentials || ServerConfiguration.ParseBool(getVariable(SharedCredentialsVariable), SharedCredentialsVariable),
            Drain = TimeSpan.FromSeconds(Get(flags.DrainSeconds, DrainSecondsVariable) is { } drain
                ? ParseInt(drain, 0, 3600, Name(flags.DrainSeconds, "--drain-seconds", DrainSecondsVariable), "a number of seconds") : DefaultDrainSeconds),
            RateLimit = Get(flags.RateLimit, RateLimitVariable) is { } limit
                ? ParseInt(limit, 0, 1_000_000, Name(flags.RateLimit, "--rate-limit", RateLimitVariable), "a number of requests per second") : DefaultRateLimit,
            ProbePort = Get(flags.ProbePort, ProbePortVariable) is { } probe
                ? ParseInt(probe, 1, 65535, Name(flags.ProbePort, "--probe-port", ProbePortVariable), "a port number") : null,
            RequestsPerCaller = Get(flags.RequestsPerCaller, RequestsPerCallerVariable) is { } requests
                ? ParseInt(requests, MinPerCaller, 100_000, Name(flags.RequestsPerCaller, "--requests-per-caller", RequestsPerCallerVariable), "a number of requests") : DefaultRequestsPerCaller,
            WaitsPerCaller = Get(flags.WaitsPerCaller, WaitsPerCallerVariable) is { } waits
                ? ParseInt(waits, MinPerCaller, 100_000, Name(flags.WaitsPerCaller, "--waits-per-caller", WaitsPerCallerVariable), "a number of waits") : DefaultWaitsPerCaller,
        };
        if (settings.ProbePort == settings.Port)
            throw new FormatException($"{Name(flags.ProbePort, "--probe-port", ProbePortVariable)} must differ from the main port ({settings.Port})");
        return settings;
    }

    /// <summary>The origin a browser would send for <paramref name="uri"/>: scheme://host, plus the port when not the default.</summary>
    public static string OriginOf(Uri uri) => uri.IsDefaultPort
        ? $"{uri.Scheme}://{uri.IdnHost}".ToLowerInvariant()
        : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant();

    /// <summary>The port to probe this server on: the probes' own when there is one.</summary>
    public int LocalProbePort => ProbePort ?? Port;

    /// <summary>The address to probe this server on from the same machine.</summary>
    public string LocalProbeHost => ListenHost is "0.0.0.0" or "*" ? "127.0.0.1" : ListenHost is "::" ? "[::1]"
        : IPAddress.TryParse(ListenHost, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ListenHost}]"
        : ListenHost;

    private static int ParseInt(string value, int min, int max, string name, string what) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{name} must be {what} between {min} and {max}; got '{value}'");

    private static string ParseHost(string value, string name)
    {
        string host = value.Trim();
        if (host is "localhost" or "*" || IPAddress.TryParse(host, out _)) return host;
        throw new FormatException($"{name} must be an IP address (e.g. 127.0.0.1, 0.0.0.0, ::) or localhost; got '{value}'");
    }

    private static HashSet<string> ParseOrigins(string value, string name)
    {
        var origins = new HashSet<string>(StringComparer.Ordinal);
        foreach (string item in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(item, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
                || uri.AbsolutePath != "/" || uri.Query.Length > 0 || !string.IsNullOrEmpty(uri.UserInfo))
                throw new FormatException($"{name}: '{item}' is not an origin (expected scheme://host[:port], e.g. https://app.example.com)");
            origins.Add(OriginOf(uri));
        }
        return origins;
    }
}
