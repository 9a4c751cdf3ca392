using Microsoft.Extensions.Logging;
using Raworc.Client;

namespace Raworc.Mcp;

/// <summary>Everything the server reads from its environment, checked once at start-up.</summary>
internal sealed record ServerConfiguration
{
    public const string DefaultSpaceVariable = "RAWORC_DEFAULT_SPACE";
    public const string LogLevelVariable = "LOG_LEVEL";

    public required RaworcSettings Raworc { get; init; }

    /// <summary>Used by tools whose optional <c>space</c> argument is omitted.</summary>
    public required string DefaultSpace { get; init; }

    public required LogLevel LogLevel { get; init; }

    /// <exception cref="FormatException">A variable is malformed; the message names it.</exception>
    public static ServerConfiguration Load(Func<string, string?>? getVariable = null, string? homeDirectory = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new ServerConfiguration
        {
            Raworc = RaworcSettings.Load(getVariable, homeDirectory),
            DefaultSpace = getVariable(DefaultSpaceVariable) is { Length: > 0 } space ? space.Trim() : "default",
            LogLevel = ParseLogLevel(getVariable(LogLevelVariable)),
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
}
