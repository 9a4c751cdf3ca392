using System.Net;
using System.Net.Sockets;
using System.Text;
using ModelContextProtocol.Client;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests;

/// <summary>
/// The proxy variables are read once per process, so these drive the published binary with them set:
/// HTTPS_PROXY tunnels https calls, HTTP_PROXY forwards http calls, NO_PROXY bypasses both.
/// </summary>
public sealed class ProxyTests
{
    [Fact]
    public async Task Https_calls_go_through_HTTPS_PROXY_with_CONNECT()
    {
        using var proxy = new TcpListener(IPAddress.Loopback, 0);
        proxy.Start();
        var firstLine = AcceptFirstLineAsync(proxy);

        await using var client = await StartAsync(new()
        {
            ["RAWORC_API_URL"] = "https://raworc.example/api/v0",
            ["HTTPS_PROXY"] = $"http://127.0.0.1:{((IPEndPoint)proxy.LocalEndpoint).Port}",
        });
        var result = await client.CallToolAsync("get_version");

        Assert.Equal("CONNECT raworc.example:443 HTTP/1.1", await firstLine.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(result.IsError); // the stand-in proxy refuses the tunnel; what matters is that it was asked
    }

    [Fact]
    public async Task Http_calls_go_through_HTTP_PROXY()
    {
        using var proxy = McpTestHost.StartApi();
        proxy.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"version":"0.3.0","api":"v0"}"""));

        await using var client = await StartAsync(new()
        {
            ["RAWORC_API_URL"] = "http://raworc.example/api/v0",
            ["HTTP_PROXY"] = proxy.Url,
        });
        var result = await client.CallToolAsync("get_version");

        Assert.Equal("""{"version":"0.3.0","api":"v0"}""", McpTestHost.Text(result));
        var request = Assert.Single(proxy.LogEntries).RequestMessage;
        Assert.Equal("raworc.example", request.Headers!["Host"].Single());
    }

    [Fact]
    public async Task NO_PROXY_bypasses_the_proxy()
    {
        using var api = McpTestHost.StartApi();
        api.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("""{"version":"0.3.0","api":"v0"}"""));

        await using var client = await StartAsync(new()
        {
            ["RAWORC_API_URL"] = api.Url + "/api/v0",
            ["HTTP_PROXY"] = $"http://127.0.0.1:{McpTestHost.FreePort()}", // nobody listens there
            ["NO_PROXY"] = "127.0.0.1,localhost",
        });
        var result = await client.CallToolAsync("get_version");

        Assert.False(result.IsError ?? false, McpTestHost.Text(result));
    }

    private static async Task<string> AcceptFirstLineAsync(TcpListener listener)
    {
        using var socket = await listener.AcceptSocketAsync();
        var buffer = new byte[1024];
        var received = new StringBuilder();
        while (!received.ToString().Contains("\r\n"))
        {
            int n = await socket.ReceiveAsync(buffer);
            if (n == 0) break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        await socket.SendAsync("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"u8.ToArray());
        return received.ToString().Split("\r\n")[0];
    }

    private static Task<McpClient> StartAsync(Dictionary<string, string?> env)
    {
        env["HOME"] = McpTestHost.EmptyHome();
        env["RAWORC_AUTH_TOKEN"] = "proxy-test-token";
        env["RAWORC_TIMEOUT"] = "5";
        env["PATH"] = Environment.GetEnvironmentVariable("PATH");
        return McpClient.CreateAsync(new StdioClientTransport(new StdioClientTransportOptions
        {
            Command = PublishedBinaryTests.Binary(),
            InheritEnvironmentVariables = false, // the runner's own proxy settings must not leak in
            EnvironmentVariables = env,
        }));
    }
}
