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
    public const string PublicUrlVariable = "RAWORC_MCP_PUBLIC_URL";
    public const string OAuthKeysVariable = "RAWORC_MCP_OAUTH_KEYS";
    public const string RedirectSchemesVariable = "RAWORC_MCP_OAUTH_REDIRECT_SCHEMES";
    public const string AcceptRaworcTokensVariable = "RAWORC_MCP_ACCEPT_RAWORC_TOKENS";
    public const string AccessTokenSecondsVariable = "RAWORC_MCP_ACCESS_TOKEN_SECONDS";
    public const string ProbePortVariable = "RAWORC_MCP_PROBE_PORT";
    public const string RequestsPerCallerVariable = "RAWORC_MCP_REQUESTS_PER_CALLER";
    public const string WaitsPerCallerVariable = "RAWORC_MCP_WAITS_PER_CALLER";

    public const int DefaultPort = 8080;
    public const string DefaultListenHost = "127.0.0.1";
    public const int DefaultDrainSeconds = 10;
    public const int DefaultRateLimit = 50;
    public const string DefaultRedirectSchemes = "cursor";
    public const int DefaultAccessTokenSeconds = 3600;
    public const int MinAccessTokenSeconds = 10;
    public const int DefaultRequestsPerCaller = 16;
    public const int DefaultWaitsPerCaller = 4;

    /// <summary>Fewest requests or waits a caller may be limited to: one wait and the call that checks on it.</summary>
    public const int MinPerCaller = 2;

    /// <summary>How long a connection may stay open with no request before it is closed.</summary>
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(25);

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

    /// <summary>
    /// Where clients reach this server (scheme://host[:port], no trailing slash); set, it turns sign-in on: the server
    /// is then its own OAuth authorization server, with this as its issuer and <c>{PublicUrl}/mcp</c> as the resource.
    /// Null: callers send their Raworc token, as without sign-in.
    /// </summary>
    public string? PublicUrl { get; init; }

    /// <summary>Sign-in is on (<see cref="PublicUrl"/> is set).</summary>
    public bool SignIn => PublicUrl is not null;

    /// <summary>
    /// The keys that seal what clients carry for this server (client ids, codes, tokens, pending questions). Load
    /// always sets them in the HTTP mode, from RAWORC_MCP_OAUTH_KEYS or made at start; never made over stdio, where
    /// nothing reads them.
    /// </summary>
    public SealingKeys Keys
    {
        get => _keys.Value;
        init => _keys = new Lazy<SealingKeys>(value);
    }

    private readonly Lazy<SealingKeys> _keys = new(SealingKeys.Generate);

    /// <summary>Private-use URI schemes (RFC 8252 §7.1) a client may register as its redirect, lower case.</summary>
    public IReadOnlySet<string> RedirectSchemes { get; init; } = new HashSet<string>(StringComparer.Ordinal) { DefaultRedirectSchemes };

    /// <summary>With sign-in on, a raw Raworc token is still accepted on /mcp (for clients configured with a header).</summary>
    public bool AcceptRaworcTokens { get; init; }

    /// <summary>How long an access token lasts (never past the Raworc token inside it).</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromSeconds(DefaultAccessTokenSeconds);
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
            PublicUrl = Get(flags.PublicUrl, PublicUrlVariable) is { } url ? ParsePublicUrl(url, Name(flags.PublicUrl, "--public-url", PublicUrlVariable)) : null,
            Keys = getVariable(OAuthKeysVariable) is { Length: > 0 } keys ? ParseKeys(keys) : SealingKeys.Generate(),
            RedirectSchemes = ParseSchemes(Get(flags.RedirectSchemes, RedirectSchemesVariable) ?? DefaultRedirectSchemes,
                Name(flags.RedirectSchemes, "--oauth-redirect-schemes", RedirectSchemesVariable)),
            AcceptRaworcTokens = flags.AcceptRaworcTokens || ServerConfiguration.ParseBool(getVariable(AcceptRaworcTokensVariable), AcceptRaworcTokensVariable),
            AccessTokenLifetime = TimeSpan.FromSeconds(Get(flags.AccessTokenSeconds, AccessTokenSecondsVariable) is { } seconds
                ? ParseInt(seconds, MinAccessTokenSeconds, DefaultAccessTokenSeconds, Name(flags.AccessTokenSeconds, "--access-token-seconds", AccessTokenSecondsVariable), "a number of seconds")
                : DefaultAccessTokenSeconds),
            ProbePort = Get(flags.ProbePort, ProbePortVariable) is { } probe
                ? ParseInt(probe, 1, 65535, Name(flags.ProbePort, "--probe-port", ProbePortVariable), "a port number") : null,
            RequestsPerCaller = Get(flags.RequestsPerCaller, RequestsPerCallerVariable) is { } requests
                ? ParseInt(requests, MinPerCaller, 100_000, Name(flags.RequestsPerCaller, "--requests-per-caller", RequestsPerCallerVariable), "a number of requests") : DefaultRequestsPerCaller,
            WaitsPerCaller = Get(flags.WaitsPerCaller, WaitsPerCallerVariable) is { } waits
                ? ParseInt(waits, MinPerCaller, 100_000, Name(flags.WaitsPerCaller, "--waits-per-caller", WaitsPerCallerVariable), "a number of waits") : DefaultWaitsPerCaller,
        }.CheckSignInSettings(flags, getVariable);
        if (settings.ProbePort == settings.Port)
            throw new FormatException($"{Name(flags.ProbePort, "--probe-port", ProbePortVariable)} must differ from the main port ({settings.Port})");
        return settings;
    }

    /// <summary>The sign-in settings mean nothing without --public-url: saying so beats ignoring them.</summary>
    private HttpSettings CheckSignInSettings(CommandLine flags, Func<string, string?> getVariable)
    {
        if (SignIn) return this;
        string? orphan = flags.RedirectSchemes is not null ? "--oauth-redirect-schemes"
            : flags.AcceptRaworcTokens ? "--accept-raworc-tokens"
            : flags.AccessTokenSeconds is not null ? "--access-token-seconds"
            : new[] { RedirectSchemesVariable, AcceptRaworcTokensVariable, AccessTokenSecondsVariable }.FirstOrDefault(v => getVariable(v) is { Length: > 0 });
        return orphan is null ? this
            : throw new FormatException($"{orphan} applies only with sign-in: set --public-url (or {PublicUrlVariable}) to the URL clients reach this server at");
    }

    /// <summary>The origin a browser would send for <paramref name="uri"/>: scheme://host, plus the port when not the default.</summary>
    public static string OriginOf(Uri uri)
    {
        string host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost; // IdnHost drops an IPv6 address's brackets
        return uri.IsDefaultPort
            ? $"{uri.Scheme}://{host}".ToLowerInvariant()
            : $"{uri.Scheme}://{host}:{uri.Port.ToString(CultureInfo.InvariantCulture)}".ToLowerInvariant();
    }

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

    /// <summary>
    /// The issuer: an origin without path, query or trailing slash. https, except on a loopback host (a server on your
    /// own machine, and tests), because the sign-in page posts a password and the tokens are bearer credentials.
    /// </summary>
    private static string ParsePublicUrl(string value, string name)
    {
        string text = value.Trim().TrimEnd('/');
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(uri.UserInfo) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
            throw new FormatException($"{name} must be the https URL clients reach this server at, e.g. https://mcp.example.com; got '{value}'");
        if (uri.AbsolutePath != "/")
            throw new FormatException($"{name} must be an origin without a path (the MCP endpoint is its {McpPath}), e.g. https://mcp.example.com; got '{value}'");
        if (uri.Scheme == Uri.UriSchemeHttp && !IsLoopbackHost(uri))
            throw new FormatException($"{name} must use https (http only for localhost, 127.0.0.1 or [::1]): the sign-in page sends passwords; got '{value}'");
        return OriginOf(uri);
    }

    /// <summary>localhost, 127.0.0.1 or [::1] by name: what counts as this machine in a URL a client was given.</summary>
    public static bool IsLoopbackHost(Uri uri) =>
        uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost == "127.0.0.1" || uri.IdnHost is "[::1]" or "::1";

    private static SealingKeys ParseKeys(string value)
    {
        try
        {
            return SealingKeys.Parse(value);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{OAuthKeysVariable}: {e.Message}", e);
        }
    }

    /// <summary>Private-use schemes (RFC 8252 §7.1), never ones a browser would run or load: those are not callbacks.</summary>
    private static HashSet<string> ParseSchemes(string value, string name)
    {
        var schemes = new HashSet<string>(StringComparer.Ordinal);
        if (value.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return schemes;
        foreach (string item in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string scheme = item.TrimEnd(':', '/').ToLowerInvariant();
            if (scheme.Length == 0 || !char.IsAsciiLetter(scheme[0]) || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
                throw new FormatException($"{name}: '{item}' is not a URI scheme (letters, digits, '+', '-', '.'; e.g. cursor)");
            if (scheme is "http" or "https" or "javascript" or "data" or "file" or "blob" or "about" or "vbscript" or "ftp" or "ws" or "wss")
                throw new FormatException($"{name}: '{scheme}' is not a private-use scheme; https and loopback http redirects are always accepted, and the others are not callbacks");
            schemes.Add(scheme);
        }
        return schemes;
    }

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
