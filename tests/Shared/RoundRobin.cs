namespace Raworc.Testing;

/// <summary>
/// A load balancer without affinity, for an HTTP client: each request goes to the next of the replicas in turn,
/// starting with the second (so a client's first request, its discovery, lands on the second replica).
/// </summary>
/// <remarks>Compiled into both test projects (a linked file), which share no assembly.</remarks>
internal sealed class RoundRobin(Uri[] replicas) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _next;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.RequestUri = replicas[Interlocked.Increment(ref _next) % replicas.Length];
        return base.SendAsync(request, cancellationToken);
    }
}
