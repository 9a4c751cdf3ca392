using Microsoft.Extensions.Logging;

namespace Raworc.Mcp;

/// <summary>Log filtering shared by the executable and the test host, so both see exactly what production logs.</summary>
internal static class Logging
{
    /// <summary>Category prefix of the MCP SDK's loggers.</summary>
    public const string SdkCategory = "ModelContextProtocol";

    /// <summary>
    /// Sets the minimum level and caps the SDK's loggers: at trace level the SDK logs whole JSON-RPC messages, which
    /// carry passwords, tokens and secret values in tool arguments and results, so it never goes below debug.
    /// </summary>
    public static ILoggingBuilder AddRaworcFilters(this ILoggingBuilder builder, LogLevel level)
    {
        builder.SetMinimumLevel(level);
        builder.AddFilter(SdkCategory, SdkLevel(level));
        return builder;
    }

    /// <summary>The SDK's level for a configured level: debug at most, warnings only at info, never below the configured level.</summary>
    public static LogLevel SdkLevel(LogLevel level) => level switch
    {
        <= LogLevel.Debug => LogLevel.Debug,
        LogLevel.Information => LogLevel.Warning,
        _ => level,
    };
}
