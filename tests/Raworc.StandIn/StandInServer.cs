using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Raworc.StandIn;

/// <summary>Settings of a stand-in instance. Every delay may be zero.</summary>
public sealed class StandInOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one (read it back from <see cref="RunningStandIn.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>How long a build stays <c>pending</c>, and then how long it stays <c>building</c> before <c>completed</c>.</summary>
    public TimeSpan BuildDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a new (or remixed) session stays <c>init</c> before it becomes <c>idle</c>.</summary>
    public TimeSpan SessionDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the agent takes to answer a user message (the session is <c>busy</c> meanwhile).</summary>
    public TimeSpan ReplyDelay { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Lifetime of a login token (the real server: 24 h).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The clock every timestamp and every asynchronous transition is computed from. Tests may pass their own.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Write warnings and errors of the host to stderr (the command-line program turns this on).</summary>
    public bool LogToStderr { get; init; }

    /// <summary>
    /// When set, one line per request is appended to this file: method, path, status and the account whose token
    /// authenticated it (<c>-</c> when none did). Tests of a proxy use it to prove which caller's token each API call
    /// carried; the token itself is never written.
    /// </summary>
    public string? RequestLogPath { get; init; }

    /// <summary>How messages of the same second are ordered when listed.</summary>
    public MessageTieOrder MessageTies { get; init; } = MessageTieOrder.ById;

    /// <summary>
    /// The worst case of message order: a <see cref="StoppedClock"/> puts every message in one second, listed newest
    /// first; builds, new sessions and replies are done at the next request.
    /// </summary>
    /// <param name="at">Where the clock stands; tokens it issues expire a day after it (an HTTP server refuses expired ones).</param>
    public static StandInOptions WorstCaseMessageOrder(DateTimeOffset? at = null) => new()
    {
        Clock = at is { } time ? new StoppedClock(time) : new StoppedClock(),
        BuildDelay = TimeSpan.Zero,
        SessionDelay = TimeSpan.Zero,
        ReplyDelay = TimeSpan.Zero,
        MessageTies = MessageTieOrder.NewestFirst,
    };
}

/// <summary>
/// The order of messages of one second among themselves in <c>GET /sessions/{id}/messages</c>. Raworc 0.3.0 orders
/// by <c>created_at</c> only, which has whole seconds, so that order is undefined there; a client must not rely on it.
/// </summary>
public enum MessageTieOrder
{
    /// <summary>By message id: the ids are random UUIDs, so the order has nothing to do with the order of posting.</summary>
    ById,

    /// <summary>Newest first: a reply listed before its question, an older message after a newer one. The worst case, for tests.</summary>
    NewestFirst,
}

/// <summary>Starts the stand-in on 127.0.0.1. Used by Program (command line) and in-process by tests.</summary>
public static class StandInServer
{
    public static async Task<RunningStandIn> StartAsync(StandInOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(options), "Port must be 0..65535.");

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Production",
            ApplicationName = typeof(StandInServer).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port); // never 0.0.0.0
        });
        builder.Services.AddRoutingCore();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, StandInJsonContext.Default);
            o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        // The host must not take over the process's signals: tests run several of these in one process,
        // and Program handles Ctrl+C / SIGTERM itself.
        builder.Services.AddSingleton<IHostLifetime, PassiveLifetime>();
        if (options.LogToStderr)
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // a failed bind is reported by the caller
        }

        var app = builder.Build();
        var world = new World(options);
        var requestLog = options.RequestLogPath is null ? null : new RequestLog(options.RequestLogPath);
        if (requestLog is not null) app.Use(requestLog.Middleware);
        Endpoints.Map(app, world);

        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            requestLog?.Dispose();
            throw;
        }

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        var address = addresses?.FirstOrDefault() ?? throw new InvalidOperationException("Kestrel reported no address.");
        var port = new Uri(address).Port;
        return new RunningStandIn(app, world, port, requestLog);
    }

    private sealed class PassiveLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>A started stand-in. Dispose it to stop listening.</summary>
public sealed class RunningStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly World _world;
    private readonly RequestLog? _requestLog;
    private int _disposed;

    internal RunningStandIn(WebApplication app, World world, int port, RequestLog? requestLog)
    {
        _app = app;
        _world = world;
        _requestLog = requestLog;
        Port = port;
        RootUrl = $"http://127.0.0.1:{port}";
        BaseUrl = RootUrl + "/api/v0";
    }

    /// <summary>The port actually bound on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT</c></summary>
    public string RootUrl { get; }

    /// <summary><c>http://127.0.0.1:PORT/api/v0</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    /// <summary>The options the instance runs with.</summary>
    public StandInOptions Options => _world.Options;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            _requestLog?.Dispose();
        }
    }
}
