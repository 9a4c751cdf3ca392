namespace Raworc.Mcp.Http;

/// <summary>
/// <c>raworc-mcp healthcheck</c>: asks the HTTP server on this machine for /healthz (on the probe port when it has one), so a container image without
/// curl or a shell can still have a HEALTHCHECK. Exit 0 when it answers 200, 1 otherwise.
/// </summary>
internal static class HealthCheck
{
    public static async Task<int> RunAsync(HttpSettings settings, TextWriter output)
    {
        var url = new Uri($"http://{settings.LocalProbeHost}:{settings.LocalProbePort}/healthz");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(url).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return 0;
            output.WriteLine($"raworc-mcp: {url} answered HTTP {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            output.WriteLine($"raworc-mcp: no answer from {url}: {e.Message}");
        }
        return 1;
    }
}
