using System.Net;
using System.Net.Sockets;
using Raworc.Mcp.Http;

namespace Raworc.Tests.Http;

/// <summary>Connections: idle ones closed soon, and probes that /mcp traffic cannot crowd out.</summary>
public sealed class ProbeTests
{
    [Fact]
    public async Task An_idle_connection_is_closed_within_30_seconds_and_a_slow_header_within_15()
    {
        await using var host = await HttpTestHost.StartAsync();
        Assert.True(host.Kestrel.Limits.KeepAliveTimeout <= TimeSpan.FromSeconds(30), $"keep-alive {host.Kestrel.Limits.KeepAliveTimeout}");
        Assert.True(host.Kestrel.Limits.RequestHeadersTimeout <= TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task The_probe_port_serves_the_probes_only()
    {
        int probePort = McpTestHost.FreePort();
        await using var host = await HttpTestHost.StartAsync(["--probe-port", probePort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var probes = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{probePort}/") };
        Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync("/healthz")).StatusCode);
        Assert.Equal("ready", (await probes.GetStringAsync("/readyz")).Trim());
        var mcp = await probes.PostAsync("/mcp", new StringContent(HttpTestHost.ToolsList));
        Assert.Equal(HttpStatusCode.NotFound, mcp.StatusCode);
        Assert.Contains($"MCP is on port {host.BaseUrl.Port}", await mcp.Content.ReadAsStringAsync());
        // The main port keeps its probes, for balancers that check it.
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/healthz")).StatusCode);

        host.Drain.Begin("test");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probes.GetAsync("/readyz")).StatusCode);
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task With_every_connection_of_the_main_port_taken_the_probe_port_still_answers()
    {
        int probePort = McpTestHost.FreePort();
        await using var host = await HttpTestHost.StartAsync(["--probe-port", probePort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        int cap = (int)host.Kestrel.Limits.MaxConcurrentConnections!.Value;
        var sockets = new List<TcpClient>();
        try
        {
            // Idle connections, as anyone without credentials can open: every slot of the main port.
            for (int i = 0; i < cap; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, host.BaseUrl.Port);
                sockets.Add(socket);
            }
            // One more gets no answer on the main port (Kestrel closes it at once)...
            using (var main = new HttpClient { Timeout = TimeSpan.FromSeconds(30) })
            {
                var refused = await Record.ExceptionAsync(async () =>
                {
                    for (int attempt = 0; attempt < 3; attempt++)
                        using (var r = await main.GetAsync($"http://127.0.0.1:{host.BaseUrl.Port}/healthz")) { }
                });
                Assert.NotNull(refused);
            }
            // ...while the probes answer on their own port.
            using var probes = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync($"http://127.0.0.1:{probePort}/healthz")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await probes.GetAsync($"http://127.0.0.1:{probePort}/readyz")).StatusCode);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }
    }

    [Fact]
    public async Task The_healthcheck_command_asks_the_probe_port_when_there_is_one()
    {
        int probePort = McpTestHost.FreePort();
        await using var host = await HttpTestHost.StartAsync(["--probe-port", probePort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var output = new StringWriter();
        var settings = new HttpSettings { Port = McpTestHost.FreePort(), ProbePort = probePort }; // nothing on the main port
        Assert.Equal(0, await HealthCheck.RunAsync(settings, output));
        Assert.Equal(1, await HealthCheck.RunAsync(settings with { ProbePort = null }, output));
    }
}
