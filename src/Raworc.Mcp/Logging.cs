using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Raworc.Mcp;

/// <summary>Log filtering shared by the executable and the test host, so both see exactly what production logs.</summary>
internal static class Logging
{
    /// <summary>Category prefix of the MCP SDK's loggers.</summary>
    public const string SdkCategory = "ModelContextProtocol";

    /// <summary>Logs to stderr (stdout may carry JSON-RPC), as single text lines or one JSON object per line.</summary>
    public static ILoggerFactory CreateFactory(LogLevel level, bool json) => LoggerFactory.Create(builder =>
    {
        builder.AddRaworcFilters(level);
        if (json)
        {
            builder.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.UseUtcTimestamp = true;
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        }
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    });

    /// <summary>
    /// Sets the minimum level and caps the SDK's loggers: at trace level the SDK logs whole JSON-RPC messages, which
    /// carry passwords, tokens and secret values in tool arguments and results, so it never goes below debug.
    /// </summary>
    public static ILoggingBuilder AddRaworcFilters(this ILoggingBuilder builder, LogLevel level)
    {
        builder.SetMinimumLevel(level);
        builder.AddFilter(SdkCategory, SdkLevel(level));
        // ASP.NET Core's own request lines duplicate the access log; its warnings and errors still show.
        builder.AddFilter("Microsoft", level <= LogLevel.Debug ? level : LogLevel.Warning);
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
