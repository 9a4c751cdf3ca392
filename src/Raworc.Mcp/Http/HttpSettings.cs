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

    public const int DefaultPort = 8080;
    public const string DefaultListenHost = "127.0.0.1";
    public const int DefaultDrainSeconds = 10;
    public const int DefaultRateLimit = 50;

    /// <summary>The MCP endpoint's path.</summary>
    public const string McpPath = "/mcp";

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

    /// <exception cref="FormatException">A value is malformed; the message names the flag or variable.</exception>
    public static HttpSettings Load(Func<string, string?> getVariable, CommandLine flags)
    {
        string? Get(string? flag, string variable) => flag ?? (getVariable(variable) is { Length: > 0 } v ? v : null);
        string Name(string? flag, string option, string variable) => flag is not null ? option : variable;

        return new HttpSettings
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
        };
    }

    /// <summary>The origin a browser would send for <paramref name="uri"/>: scheme://host, plus the port when not the default.</summary>
    public static string OriginOf(Uri uri) => uri.IsDefaultPort
        ? $"{uri.Scheme}://{uri.IdnHost}".ToLowerInvariant()
        : $"{uri.Scheme}://{uri.IdnHost}:{uri.Port.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant();

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
