using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Raworc.Mcp.Http;

/// <summary>
/// Graceful shutdown for a replica behind a load balancer. On SIGTERM (or SIGINT, SIGHUP) readiness turns 503 at
/// once, so the balancer and Kubernetes stop sending work, while the listener stays open: calls in flight finish,
/// and a request still routed here meanwhile is served. Waits do not run on for their minute: they answer
/// still_waiting after the read in progress, so the client calls again and reaches another replica. The host stops
/// when no MCP request is left, or when the drain time is up, whichever comes first; a second signal stops it at once.
/// </summary>
internal sealed class Drain(HttpSettings settings, Tools.Waits waits, IHostApplicationLifetime lifetime, ILogger logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inFlight;
    private int _draining;

    public bool Draining => Volatile.Read(ref _draining) == 1;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts the MCP requests in flight.</summary>
    public async Task TrackAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Draining) _idle.TrySetResult();
        }
    }

    /// <summary>Drains on SIGTERM, SIGINT and SIGHUP until disposed; the host's own console lifetime is replaced by this one.</summary>
    public IDisposable HandleSignals()
    {
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        if (!OperatingSystem.IsWindows()) _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal));
        return this;
    }

    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Starts draining, then stops the host; called again while draining (a second signal), stops it at once.</summary>
    public void Begin(string reason)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 1)
        {
            logger.LogWarning("{Reason} again while draining: stopping now with {InFlight} requests in flight", reason, InFlight);
            lifetime.StopApplication();
            return;
        }
        logger.LogInformation("Draining ({Reason}): readiness is 503, waits answer now, {InFlight} requests in flight, up to {Seconds} s",
            reason, InFlight, (int)settings.Drain.TotalSeconds);
        waits.EndAll();
        if (InFlight == 0) _idle.TrySetResult();
        _ = Task.Run(async () =>
        {
            await _idle.Task.WaitAsync(settings.Drain).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            if (InFlight > 0) logger.LogWarning("Drain time is up with {InFlight} requests in flight; stopping", InFlight);
            lifetime.StopApplication();
        });
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // exit through the normal path, with exit code 0
        Begin(context.Signal.ToString());
    }

    public void Dispose()
    {
        foreach (var signal in _signals) signal.Dispose();
    }
}
