using Microsoft.Extensions.Logging;
using Raworc.Client;

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

    /// <summary>
    /// Every logger of the factory masks the known credentials in what it writes, its exceptions included (an
    /// exception's message may quote an API's answer).
    /// </summary>
    public static ILoggerFactory Masking(this ILoggerFactory factory, SecretMask secrets) => new MaskingLoggerFactory(factory, secrets);

    private sealed class MaskingLoggerFactory(ILoggerFactory inner, SecretMask secrets) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new MaskingLogger(inner.CreateLogger(categoryName), secrets);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() => inner.Dispose();
    }

    private sealed class MaskingLogger(ILogger inner, SecretMask secrets) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            string text = formatter(state, exception);
            if (exception is not null) text += Environment.NewLine + exception;
            inner.Log(logLevel, eventId, secrets.Apply(text), null, static (masked, _) => masked);
        }
    }
}
