using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Server;
using Raworc.Client;

namespace Raworc.Mcp.Http;

/// <summary>
/// <c>raworc-mcp http</c>: the same MCP server as over stdio, on Kestrel as stateless Streamable HTTP, so that any
/// replica answers any request. Each request runs with its caller's Raworc token. Around the MCP endpoint: Origin
/// checks, a body limit, a per-caller rate limit and cap on requests and waits in flight, request timeouts, health and
/// readiness probes (on a port of their own if asked), idle connections closed, a drain on SIGTERM and one access log
/// line per request.
/// </summary>
internal static class HttpServer
{
    /// <summary>Builds the web application; <see cref="HttpSettings.Port"/> 0 picks a free port (tests).</summary>
    /// <param name="clock">What sign-in's codes and tokens expire by; the system clock unless a test moves one by hand.</param>
    public static WebApplication Build(RaworcServer raworc, ILoggerFactory loggerFactory, TimeProvider? clock = null)
    {
        var configuration = raworc.Configuration;
        var settings = configuration.Http;
        // The empty builder and Kestrel's core (no configuration files, no HTTPS, no HTTP/3: TLS ends at the ingress)
        // keep the binary, and so the stdio start-up that rehydrates it, as small as the HTTP mode allows.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();

        // One logging set-up for both transports: the caller's factory, with its filters and format.
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory.QuietCancellations());
        builder.Services.AddSingleton<IHostLifetime>(sp => sp.GetRequiredService<Drain>());
        builder.Services.AddSingleton(sp => new Drain(settings, raworc.Waits, sp.GetRequiredService<IHostApplicationLifetime>(),
            loggerFactory.CreateLogger(Logging.ServerCategory)));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        // The one key ring of this process: sign-in and the sealed state of multi-round-trip calls both use it.
        builder.Services.AddSingleton(settings.Keys);
        // Sign-in (--public-url): built only then, so that without it nothing of it runs.
        var signIn = settings.SignIn ? new SignIn.SignInService(raworc, clock ?? TimeProvider.System, loggerFactory.CreateLogger(Logging.ServerCategory)) : null;
        if (signIn is not null) builder.Services.AddSingleton(signIn);
        var scopes = signIn is null ? null : new SignIn.ScopeFilters(signIn);

        var credentials = new CallerCredentials(raworc.Client, settings.SharedCredentials, TimeProvider.System);
        var bodies = new RequestBodyGuard(JsonLimits.Of(raworc),
            new ByteBudget(RequestBodyGuard.DefaultBudgetBytes), credentials.CallerKey);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = bodies.Limits.MaxBytes;
            kestrel.Limits.MaxConcurrentConnections = 1000;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.KeepAliveTimeout = HttpSettings.IdleConnectionTimeout;
            Listen(settings.Port);
            if (settings.ProbePort is { } probePort) Listen(probePort); // a listener of its own, with its own connection cap

            void Listen(int port)
            {
                if (settings.ListenHost is "localhost") kestrel.ListenLocalhost(port);
                else if (settings.ListenHost is "*") kestrel.ListenAnyIP(port);
                else kestrel.Listen(IPAddress.Parse(settings.ListenHost), port);
            }
        });

        builder.Services.AddSingleton(credentials);
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = RateLimit(settings.RateLimit, credentials.CallerKey);
            o.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await HttpResponses.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "rate_limited",
                    $"more than {settings.RateLimit} requests per second from this caller; retry after {seconds} s").ConfigureAwait(false);
            };
        });
        // Longer than the longest wait tool plus one API call, so that only a stuck request is cut.
        var requestTimeout = TimeSpan.FromSeconds(Tools.Polling.MaxTimeoutSeconds) + configuration.Raworc.Options.Timeout + TimeSpan.FromSeconds(5);
        builder.Services.AddRequestTimeouts(o => o.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = requestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        });

        builder.Services.AddMcpServer(options =>
            {
                raworc.ApplyTo(options);
                options.Filters.Message.IncomingFilters.Insert(0, AccessLog.Filter); // first: it sees every request
                scopes?.AddTo(options);
            })
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateless);

        var app = builder.Build();
        var drain = app.Services.GetRequiredService<Drain>();
        var accessLog = new AccessLog(loggerFactory.CreateLogger(Logging.AccessLogCategory));
        var origins = new OriginCheck(settings);
        var callers = new CallerLimits(settings.RequestsPerCaller, settings.WaitsPerCaller, credentials.CallerKey);
        raworc.Waits.Admission = callers;

        app.Use(accessLog.InvokeAsync);
        // Sign-in's endpoints answer browsers by design: CORS for the ones clients call, a CSRF token for the form.
        app.UseWhen(c => signIn is null || !SignIn.SignInService.Owns(c.Request.Path), b => b.Use(origins.InvokeAsync));
        Probes.Map(app, settings, drain);
        app.UseWhen(c => c.Request.Path.StartsWithSegments(HttpSettings.McpPath), mcp =>
        {
            if (signIn is not null) mcp.Use(SignIn.SignInCors.ForMcp);
            mcp.Use(drain.TrackAsync);
            // With sign-in, opening the access token is the cheap check, and the limits below key on the Raworc token inside.
            if (signIn is not null) mcp.Use(new SignIn.BearerCheck(signIn).InvokeAsync);
            mcp.UseRateLimiter();
            if (signIn is null) mcp.Use(credentials.InvokeAsync);
            mcp.Use(callers.InvokeAsync);
            mcp.Use(bodies.InvokeAsync);
            if (signIn is not null) mcp.Use(new SignIn.ScopeCheck(signIn).InvokeAsync);
            mcp.UseRequestTimeouts();
            mcp.Use(LargeTextResponses.InvokeAsync);
        });
        if (signIn is not null)
        {
            app.UseWhen(c => SignIn.SignInService.Owns(c.Request.Path), b => b.UseRateLimiter());
            signIn.Map(app);
        }
        app.MapMcp(HttpSettings.McpPath);
        return app;
    }

    /// <summary>Runs until SIGTERM/SIGINT/SIGHUP and the drain that follows; returns the exit code.</summary>
    public static async Task<int> RunAsync(RaworcServer raworc, ILoggerFactory loggerFactory)
    {
        var log = loggerFactory.CreateLogger(Logging.ServerCategory);
        var settings = raworc.Configuration.Http;
        await using var app = Build(raworc, loggerFactory);
        using var signals = app.Services.GetRequiredService<Drain>().HandleSignals();
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // Kestrel reports a port in use or an address it cannot bind as an IOException naming the address.
            log.LogCritical("Cannot listen on {Host}:{Port}: {Message}", settings.ListenHost, settings.Port, e.Message);
            return 1;
        }
        if (settings.Keys.Generated)
            log.LogWarning("{Variable} is not set: this process made its own key, so what it seals ({What}) ends with it and no other replica can open it; give every replica the same keys (head -c 32 /dev/urandom | base64)",
                HttpSettings.OAuthKeysVariable, settings.SignIn ? "sign-ins, access and refresh tokens, pending questions" : "pending questions");
        log.LogInformation("Ready with {Count} tools on http://{Host}:{Port}{Path} ({Auth}; {Origins})", raworc.Tools.Count,
            settings.ListenHost, settings.Port, HttpSettings.McpPath,
            settings.SignIn ? $"users sign in with their Raworc account; issuer {settings.PublicUrl}"
                : settings.SharedCredentials ? "requests without a bearer token use this server's credentials" : "each request needs its caller's bearer token",
            settings.AllowedOrigins.Count == 0 ? "no browser origins allowed" : $"browser origins allowed: {string.Join(", ", settings.AllowedOrigins)}");
        if (settings.ProbePort is { } probePort) log.LogInformation("Probes also on http://{Host}:{Port}{Path}", settings.ListenHost, probePort, Probes.HealthPath);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Per caller (<see cref="CallerCredentials.CallerKey"/>), a token bucket; 0 turns it off.</summary>
    private static PartitionedRateLimiter<HttpContext> RateLimit(int perSecond, Func<HttpContext, string> callerKey) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (perSecond == 0) return RateLimitPartition.GetNoLimiter("");
            return RateLimitPartition.GetTokenBucketLimiter(callerKey(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perSecond * 2,
                TokensPerPeriod = perSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            });
        });

}
