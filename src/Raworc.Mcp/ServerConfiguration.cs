using Microsoft.Extensions.Logging;
using Raworc.Client;

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

    public required RaworcSettings Raworc { get; init; }

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

    /// <param name="flags">Command-line settings; each wins over its environment variable.</param>
    /// <exception cref="FormatException">A value is malformed; the message names the flag or variable.</exception>
    public static ServerConfiguration Load(Func<string, string?>? getVariable = null, string? homeDirectory = null, CommandLine? flags = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        flags ??= new CommandLine(CommandKind.Serve);
        return new ServerConfiguration
        {
            Raworc = RaworcSettings.Load(getVariable, homeDirectory),
            DefaultSpace = getVariable(DefaultSpaceVariable) is { Length: > 0 } space && !string.IsNullOrWhiteSpace(space) ? space.Trim() : "default",
            LogLevel = ParseLogLevel(getVariable(LogLevelVariable)),
            ReadOnly = flags.ReadOnly || ParseBool(getVariable(ReadOnlyVariable), ReadOnlyVariable),
            AllowDestructive = flags.AllowDestructive || ParseBool(getVariable(AllowDestructiveVariable), AllowDestructiveVariable),
            AllowSecretValues = flags.AllowSecretValues || ParseBool(getVariable(AllowSecretValuesVariable), AllowSecretValuesVariable),
            Toolsets = ParseList(flags.Toolsets ?? getVariable(ToolsetsVariable)) is { } sets && !sets.Contains("all") ? sets : null,
            Tools = ParseList(flags.Tools ?? getVariable(ToolsVariable)),
        };
    }

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

    private static bool ParseBool(string? value, string variable) => value?.Trim().ToLowerInvariant() switch
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
