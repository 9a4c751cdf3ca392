using Raworc.Client;
using Raworc.Mcp.Http;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

/// <summary>
/// Every environment variable the server reads, in the order <c>--help</c> and the README list them. The README's
/// configuration tables and packaging/server.json are generated from this table (scripts/generate-docs.sh).
/// </summary>
internal static class EnvironmentVariables
{
    private static readonly IReadOnlyList<string> LogLevels = ["trace", "debug", "info", "warn", "error", "off"];

    public static readonly IReadOnlyList<EnvironmentVariable> All =
    [
        new(RaworcSettings.ApiUrlVariable, "Raworc API base URL, ending in /api/v0.")
        {
            Default = RaworcClientOptions.DefaultApiUrl.ToString(),
            DefaultSource = $"the server of ~/.raworc/auth.yaml (with /api/v0 added), else {RaworcClientOptions.DefaultApiUrl}",
            Form = new("api_url", "API URL",
                $"Address of the Raworc API, ending in /api/v0. Leave empty for the hosted Raworc ({RaworcClientOptions.DefaultApiUrl}), or for the server you logged in to with 'raworc auth'."),
        },
        new(RaworcSettings.TokenVariable, "Bearer token (JWT, valid 24 h). Used first when set.")
        {
            DefaultSource = "the token of ~/.raworc/auth.yaml", Secret = true,
            Form = new("auth_token", "Raworc token",
                "Your Raworc token (from 'raworc auth'; it lasts 24 hours). Or leave it empty and fill in an account name and password below."),
        },
        new(RaworcSettings.UsernameVariable, "Service account to log in as when there is no token; the server logs in on first need and again when the token expires.")
        {
            Form = new("username", "Account name", "Instead of a token: the Raworc service account to log in as. It logs in again by itself when its token expires."),
        },
        new(RaworcSettings.PasswordVariable, $"Password of {RaworcSettings.UsernameVariable}.")
        {
            Secret = true,
            Form = new("password", "Password",
                "The account's password. Claude Desktop may change the pairs $$, $&, $' and $` in what you type here before the server sees it, so a password holding one of them fails: change it, or use a token."),
        },
        new(ServerConfiguration.DefaultSpaceVariable, "Space used when a tool's optional space argument is omitted.")
        {
            Default = "default",
            Form = new("default_space", "Default space", "The space to work in when a request names none."),
        },
        new(RaworcSettings.TimeoutVariable, "Seconds one API call may take, retries, back-off and reading the answer included (0.1 to 3600).")
        {
            Default = new RaworcClientOptions().Timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Format = VariableFormat.Number,
        },
        new(ServerConfiguration.LogLevelVariable, "trace, debug, info, warn, error or off; logs go to stderr only.") { Default = "info", Choices = LogLevels },
        new(ServerConfiguration.LogFormatVariable, "text, or json for one JSON object per log line (for log collectors).")
        {
            Default = "text", Choices = ["text", "json"],
        },
        new(ServerConfiguration.ReadOnlyVariable, "true: offer only tools that change nothing.")
        {
            Default = "false", Format = VariableFormat.Boolean, Flag = "--read-only",
            Form = new("read_only", "Read-only", "Offer only the tools that read and change nothing."),
        },
        new(ServerConfiguration.ToolsetsVariable, "Offer only these tool sets (comma-separated).")
        {
            DefaultSource = "all", Flag = "--toolsets",
            Form = new("toolsets", "Tool sets",
                $"Offer only these groups of tools, separated by commas ({string.Join(", ", ToolSet.All.Select(set => set.Name))}); leave empty for all."),
        },
        new(ServerConfiguration.ToolsVariable, "Offer these tools by exact name (comma-separated).") { Flag = "--tools" },
        new(ServerConfiguration.AllowDestructiveVariable, "true: also offer the tools that destroy data.")
        {
            Default = "false", Format = VariableFormat.Boolean, Flag = "--allow-destructive",
            Form = new("allow_destructive", "Allow destructive tools",
                "Also offer the tools that delete things for good (spaces, agents, secrets, sessions, messages, accounts, roles). Off is safer."),
        },
        new(ServerConfiguration.AllowSecretValuesVariable, "true: show_values returns secret values without asking the user each time.")
        {
            Default = "false", Format = VariableFormat.Boolean, Flag = "--allow-secret-values",
        },
        new(HttpSettings.PortVariable, "Port to listen on.")
        {
            Default = HttpSettings.DefaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Flag = "--port", HttpMode = true,
        },
        new(HttpSettings.ListenHostVariable, "Address to listen on; 0.0.0.0 in a container.")
        {
            Default = HttpSettings.DefaultListenHost, Flag = "--listen-host", HttpMode = true,
        },
        new(HttpSettings.AllowedOriginsVariable, "Browser origins allowed to call, comma-separated (https://app.example.com).")
        {
            DefaultSource = "none (plus loopback origins when listening on loopback)", Flag = "--allowed-origins", HttpMode = true,
        },
        new(HttpSettings.SharedCredentialsVariable,
            "true: requests without a bearer use this server's own credentials (env or auth.yaml); a personal server on your own machine only.")
        {
            Default = "false", Format = VariableFormat.Boolean, Flag = "--shared-credentials", HttpMode = true,
        },
        new(HttpSettings.DrainSecondsVariable, "On SIGTERM, how long in-flight calls may finish.")
        {
            Default = HttpSettings.DefaultDrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), Flag = "--drain-seconds", HttpMode = true,
        },
        new(HttpSettings.RateLimitVariable, "Requests per second per caller (bursts of twice that); 0 turns it off.")
        {
            Default = HttpSettings.DefaultRateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), Flag = "--rate-limit", HttpMode = true,
        },
        new(HttpSettings.PublicUrlVariable,
            "The https URL clients reach this server at (https://mcp.example.com); set, users sign in with their Raworc account in the browser and /mcp takes only this server's access tokens.")
        {
            DefaultSource = "none (sign-in off: callers send their Raworc token)", Flag = "--public-url", HttpMode = true,
        },
        new(HttpSettings.OAuthKeysVariable,
            "Keys that seal sign-ins, tokens and pending questions: base64 32-byte keys, comma-separated; the first seals, all open. The same on every replica.")
        {
            DefaultSource = "a key made at start (what it sealed ends with the process)", Secret = true, HttpMode = true,
        },
        new(HttpSettings.RedirectSchemesVariable, "Private-use redirect URI schemes clients may register for sign-in (comma-separated), or none.")
        {
            Default = HttpSettings.DefaultRedirectSchemes, Flag = "--oauth-redirect-schemes", HttpMode = true,
        },
        new(HttpSettings.AcceptRaworcTokensVariable, "true: with sign-in on, /mcp still accepts a raw Raworc token (clients set up with a header).")
        {
            Default = "false", Format = VariableFormat.Boolean, Flag = "--accept-raworc-tokens", HttpMode = true,
        },
        new(HttpSettings.AccessTokenSecondsVariable,
            $"Seconds an access token lasts ({HttpSettings.MinAccessTokenSeconds} to {HttpSettings.DefaultAccessTokenSeconds}); never past the Raworc token inside it.")
        {
            Default = HttpSettings.DefaultAccessTokenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Format = VariableFormat.Number, Flag = "--access-token-seconds", HttpMode = true,
        },
        new(HttpSettings.ProbePortVariable, "Also serve /healthz and /readyz on this port, a listener /mcp traffic cannot fill.")
        {
            DefaultSource = "none (the probes are always on the main port too)", Flag = "--probe-port", HttpMode = true,
        },
        new(HttpSettings.RequestsPerCallerVariable, "Requests one caller may have in flight at once; more get 429.")
        {
            Default = HttpSettings.DefaultRequestsPerCaller.ToString(System.Globalization.CultureInfo.InvariantCulture), Flag = "--requests-per-caller", HttpMode = true,
        },
        new(HttpSettings.WaitsPerCallerVariable, "Waits (wait_for_*, send_message with wait_for_reply) one caller may run at once.")
        {
            Default = HttpSettings.DefaultWaitsPerCaller.ToString(System.Globalization.CultureInfo.InvariantCulture), Flag = "--waits-per-caller", HttpMode = true,
        },
        new("HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "Proxy settings, honoured as usual.") { Conventional = true },
    ];
}
