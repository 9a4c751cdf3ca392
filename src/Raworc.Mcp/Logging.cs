using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Raworc.Client;

namespace Raworc.Mcp;

/// <summary>
/// Log filtering and output shared by the executable and the test host, so both see exactly what production logs.
/// Every line, whoever wrote it (the SDK and ASP.NET Core included), has its control and bidi characters escaped: a
/// message may quote a request.
/// </summary>
internal static class Logging
{
    /// <summary>Category prefix of the MCP SDK's loggers.</summary>
    public const string SdkCategory = "ModelContextProtocol";

    /// <summary>Category of the server's own log lines.</summary>
    public const string ServerCategory = RaworcServer.Name;

    /// <summary>Category of the API client's log lines (method, path, status, time).</summary>
    public const string ClientCategory = "raworc-client";

    /// <summary>Category of the HTTP mode's access log.</summary>
    public const string AccessLogCategory = ServerCategory + ".http";

    /// <summary>
    /// The console logger on stderr (stdout may carry JSON-RPC), one line per entry, as text or JSON. Built without a
    /// service provider: resolving the logging services through dependency injection builds generic types at run
    /// time under Native AOT, which was the largest single cost of the server's start-up.
    /// </summary>
    public static ILoggerFactory CreateFactory(LogLevel level, bool json)
    {
        ConsoleFormatter formatter = json ? new JsonLineFormatter() : new TextLineFormatter();
        var console = new ConsoleLoggerProvider(
            new FixedOptions<ConsoleLoggerOptions>(new() { FormatterName = formatter.Name, LogToStandardErrorThreshold = LogLevel.Trace }),
            [formatter]);
        var factory = new LoggerFactory([], Filters(level));
        factory.AddProvider(console); // added, not passed in: the factory then disposes it, which flushes its queue at exit
        return factory;
    }

    /// <summary>
    /// Sets the minimum level and caps the SDK's loggers: at trace level the SDK logs whole JSON-RPC messages, which
    /// carry passwords, tokens and secret values in tool arguments and results, so it never goes below debug.
    /// </summary>
    public static ILoggingBuilder AddRaworcFilters(this ILoggingBuilder builder, LogLevel level)
    {
        var filters = Filters(level);
        builder.SetMinimumLevel(filters.MinLevel);
        foreach (var rule in filters.Rules) builder.AddFilter(rule.CategoryName, rule.LogLevel ?? level);
        return builder;
    }

    public static LoggerFilterOptions Filters(LogLevel level)
    {
        var options = new LoggerFilterOptions { MinLevel = level };
        options.Rules.Add(new LoggerFilterRule(null, SdkCategory, SdkLevel(level), null));
        // ASP.NET Core's own request lines duplicate the access log; its warnings and errors still show.
        options.Rules.Add(new LoggerFilterRule(null, "Microsoft", level <= LogLevel.Debug ? level : LogLevel.Warning, null));
        return options;
    }

    /// <summary>The SDK's level for a configured level: debug at most, warnings only at info, never below the configured level.</summary>
    public static LogLevel SdkLevel(LogLevel level) => level switch
    {
        <= LogLevel.Debug => LogLevel.Debug,
        LogLevel.Information => LogLevel.Warning,
        _ => level,
    };

    private sealed class FixedOptions<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    /// <summary><c>2026-01-02T03:04:05.678Z info: category[0] message</c>, with any exception on the same line.</summary>
    private sealed class TextLineFormatter() : ConsoleFormatter("raworc-text")
    {
        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
        {
            string message = DisplayText.ForLog(logEntry.Formatter(logEntry.State, logEntry.Exception), keepLineBreaks: true);
            if (message.Length == 0 && logEntry.Exception is null) return;
            string line = $"{DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fff", CultureInfo.InvariantCulture)}Z {Level(logEntry.LogLevel)}: " +
                $"{logEntry.Category}[{logEntry.EventId.Id}] {message}";
            if (logEntry.Exception is { } e) line += " " + DisplayText.ForLog(e.ToString(), keepLineBreaks: true);
            textWriter.Write(line.ReplaceLineEndings(" ") + Environment.NewLine);
        }

        private static string Level(LogLevel level) => level switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            _ => "crit",
        };
    }

    /// <summary>One JSON object per line: Timestamp, LogLevel, Category, EventId and the (masked) Message.</summary>
    private sealed class JsonLineFormatter() : ConsoleFormatter("raworc-json")
    {
        public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                json.WriteStartObject();
                json.WriteString("Timestamp", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
                json.WriteString("LogLevel", logEntry.LogLevel.ToString());
                json.WriteString("Category", logEntry.Category);
                json.WriteNumber("EventId", logEntry.EventId.Id);
                json.WriteString("Message", DisplayText.ForLog(logEntry.Formatter(logEntry.State, logEntry.Exception), keepLineBreaks: true));
                if (logEntry.Exception is { } e) json.WriteString("Exception", DisplayText.ForLog(e.ToString(), keepLineBreaks: true));
                json.WriteEndObject();
            }
            textWriter.Write(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + Environment.NewLine);
        }
    }

    /// <summary>
    /// Every logger of the factory masks the known credentials in what it writes, its exceptions included (an
    /// exception's message may quote an API's answer).
    /// </summary>
    public static ILoggerFactory Masking(this ILoggerFactory factory, SecretMask secrets) => new MaskingLoggerFactory(factory, secrets);

    /// <summary>
    /// The SDK reports a request handler ended by its request's cancellation (a client gone, a request timed out) as a
    /// warning with the whole stack trace, kilobytes per request. The access log already says how such a request
    /// ended, so the SDK's entry becomes one debug line, without the trace.
    /// </summary>
    public static ILoggerFactory QuietCancellations(this ILoggerFactory factory) => new CancellationQuietingLoggerFactory(factory);

    private sealed class CancellationQuietingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => categoryName.StartsWith(SdkCategory, StringComparison.Ordinal)
            ? new CancellationQuietingLogger(inner.CreateLogger(categoryName))
            : inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose() { } // the factory wrapped belongs to the caller
    }

    private sealed class CancellationQuietingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not OperationCanceledException)
                inner.Log(logLevel, eventId, state, exception, formatter);
            else if (inner.IsEnabled(LogLevel.Debug))
                inner.Log(LogLevel.Debug, eventId, $"{formatter(state, null)} (cancelled)", null, static (line, _) => line);
        }
    }

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
