using Microsoft.Extensions.Logging;
using Raworc.Client;
using Raworc.Mcp.Http;

namespace Raworc.Mcp;

/// <summary>Everything the server reads from its command line and environment, checked once at start-up.</summary>
internal sealed record ServerConfiguration
{
    public const string DefaultSpaceVariable = "RAWORC_DEFAULT_SPACE";
    public const string LogLevelVariable = "LOG_LEVEL";
    public const string ReadOnlyVariable = "RAWORC_READ_ONLY";
    public const string ToolsetsVariable = "RAWORC_TOOLSETS";
    public const string ToolsVariable = "RAWORC_TOOLS";
    public const string AllowDestructiveVariable = "RAWORC_ALLOW_DESTRUCTIVE";
    public const string AllowSecretValuesVariable = "RAWORC_ALLOW_SECRET_VALUES";
    public const string LogFormatVariable = "LOG_FORMAT";

    /// <summary>Not documented for users: tests shorten the polling of the wait tools with it.</summary>
    public const string PollIntervalVariable = "RAWORC_POLL_INTERVAL_MS";

    /// <summary>How often wait_for_build and wait_for_session read the API.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Not documented for users: tests shorten how long a consent question waits for the user with it.</summary>
    public const string ConsentTimeoutVariable = "RAWORC_CONSENT_TIMEOUT_MS";

    /// <summary>How long a consent question waits for the user's answer before the call is refused.</summary>
    public static readonly TimeSpan DefaultConsentTimeout = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Where the API is, and the server's own credentials. Over HTTP these serve callers only with
    /// --shared-credentials; otherwise they are dropped here, so that no code path can use them for a caller.
    /// </summary>
    public required RaworcSettings Raworc { get; init; }

    public TransportKind Transport { get; init; } = TransportKind.Stdio;

    /// <summary>The HTTP mode's settings (defaults over stdio).</summary>
    public HttpSettings Http { get; init; } = new();

    /// <summary>One JSON object per log line instead of text.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Used by tools whose optional <c>space</c> argument is omitted.</summary>
    public required string DefaultSpace { get; init; }

    public required LogLevel LogLevel { get; init; }

    /// <summary>Only tools that change nothing are offered, and calls to any other are refused.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Tools that destroy data (delete_*, clear_messages, terminate_session) are offered.</summary>
    public bool AllowDestructive { get; init; }

    /// <summary>Secret values may reach the model without asking the user.</summary>
    public bool AllowSecretValues { get; init; }

    /// <summary>Tool sets to offer; null for all.</summary>
    public IReadOnlySet<string>? Toolsets { get; init; }

    /// <summary>Tools to offer by exact name (on top of <see cref="Toolsets"/> when both are given); null for none.</summary>
    public IReadOnlySet<string>? Tools { get; init; }

    /// <summary>How often wait_for_build and wait_for_session read the API.</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>How long a consent question (secret values) waits for the user before the call is refused.</summary>
    public TimeSpan ConsentTimeout { get; init; } = DefaultConsentTimeout;

    /// <summary>How often send_message reads new messages while it waits for the reply (1.5 s, like the Raworc CLI).</summary>
    public TimeSpan MessagePollInterval => PollInterval * 1.5;

    /// <param name="flags">Command-line settings; each wins over its environment variable.</param>
    /// <exception cref="FormatException">A value is malformed; the message names the flag or variable.</exception>
    public static ServerConfiguration Load(Func<string, string?>? getVariable = null, string? homeDirectory = null, CommandLine? flags = null)
    {
        var read = getVariable ?? Environment.GetEnvironmentVariable;
        // Every variable goes through here, for every mode and for the client's own settings alike.
        getVariable = name => UsableValue(read(name));
        flags ??= new CommandLine(CommandKind.Serve);
        var http = flags.Transport == TransportKind.Http ? HttpSettings.Load(getVariable, flags) : new HttpSettings();
        var raworc = RaworcSettings.Load(getVariable, homeDirectory);
        if (flags.Transport == TransportKind.Http && !http.SharedCredentials)
            raworc = raworc with
            {
                Options = raworc.Options with { Token = null, Username = null, Password = null },
                CredentialSource = null,
            };
        return new ServerConfiguration
        {
            Raworc = raworc,
            Transport = flags.Transport,
            Http = http,
            JsonLogs = ParseLogFormat(getVariable(LogFormatVariable)),
            DefaultSpace = ParseDefaultSpace(getVariable(DefaultSpaceVariable)),
            LogLevel = ParseLogLevel(getVariable(LogLevelVariable)),
            ReadOnly = flags.ReadOnly || ParseBool(getVariable(ReadOnlyVariable), ReadOnlyVariable),
            AllowDestructive = flags.AllowDestructive || ParseBool(getVariable(AllowDestructiveVariable), AllowDestructiveVariable),
            AllowSecretValues = flags.AllowSecretValues || ParseBool(getVariable(AllowSecretValuesVariable), AllowSecretValuesVariable),
            Toolsets = ParseList(flags.Toolsets ?? getVariable(ToolsetsVariable)) is { } sets && !sets.Contains("all") ? sets : null,
            Tools = ParseList(flags.Tools ?? getVariable(ToolsVariable)),
            PollInterval = ParseMilliseconds(getVariable(PollIntervalVariable), PollIntervalVariable, DefaultPollInterval, 60_000),
            ConsentTimeout = ParseMilliseconds(getVariable(ConsentTimeoutVariable), ConsentTimeoutVariable, DefaultConsentTimeout, 3_600_000),
        };
    }

    /// <summary>
    /// A variable's value, or null when it counts as unset: empty or blank, or still an unexpanded
    /// <c>${user_config.name}</c> placeholder. Claude Desktop starts a bundle's server with every form field it maps,
    /// and an optional field the user left empty arrives as "" or as that placeholder text, literally.
    /// </summary>
    public static string? UsableValue(string? value) =>
        string.IsNullOrWhiteSpace(value) || IsUnexpandedPlaceholder(value.Trim()) ? null : value;

    private static bool IsUnexpandedPlaceholder(string value) =>
        value.StartsWith(UserConfigPlaceholderStart, StringComparison.Ordinal) && value.EndsWith('}') &&
        value.IndexOfAny(['{', '}'], UserConfigPlaceholderStart.Length) == value.Length - 1;

    private const string UserConfigPlaceholderStart = "${user_config.";

    public static LogLevel ParseLogLevel(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "info" or "information" => LogLevel.Information,
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warn" or "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" or "off" => LogLevel.None,
        _ => throw new FormatException($"{LogLevelVariable} must be one of trace, debug, info, warn, error, off; got '{value}'."),
    };

    private static bool ParseLogFormat(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "text" => false,
        "json" => true,
        _ => throw new FormatException($"{LogFormatVariable} must be text or json; got '{value}'."),
    };

    private static TimeSpan ParseMilliseconds(string? value, string variable, TimeSpan fallback, int max) =>
        string.IsNullOrWhiteSpace(value) ? fallback
        : int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int ms) && ms >= 1 && ms <= max
            ? TimeSpan.FromMilliseconds(ms)
            : throw new FormatException($"{variable} must be a number of milliseconds between 1 and {max}; got '{value}'.");

    /// <summary>The default space is sent as a URL path segment: it must be one.</summary>
    private static string ParseDefaultSpace(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return "default";
        string space = value.Trim();
        if (RaworcClient.SegmentProblem(space, "space name") is { } problem)
            throw new FormatException($"{DefaultSpaceVariable}: {problem}");
        if (space.Any(char.IsControl))
            throw new FormatException($"{DefaultSpaceVariable} contains a control character; a space name is one line of text.");
        return space;
    }

    internal static bool ParseBool(string? value, string variable) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "false" or "0" or "no" or "off" => false,
        "true" or "1" or "yes" or "on" => true,
        _ => throw new FormatException($"{variable} must be true or false; got '{value}'."),
    };

    private static HashSet<string>? ParseList(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        return value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(v => v.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
    }
}
