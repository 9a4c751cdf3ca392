namespace Raworc.Tests;

/// <summary>
/// The server's HTTP handler in tests that must know how many API calls it has started. A call counts the moment
/// the server sends it, so a request cancelled on its way, which the API stand-in may log a little later or never,
/// cannot move the count after the server has stopped calling.
/// </summary>
public sealed class ApiCallCounter() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
{
    private int _started;

    /// <summary>API calls the server has started so far, retries included.</summary>
    public int Started => Volatile.Read(ref _started);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        return base.SendAsync(request, cancellationToken);
    }
}
