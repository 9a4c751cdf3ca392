using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using Xunit.Abstractions;
namespace Raworc.Tests;
public class ZzScratch(ITestOutputHelper output)
{
    [Fact]
    public async Task Probe()
    {
        await using var host = await McpTestHost.StartAsync();
        foreach (var v in new[] { "a/b", "%2F", "../x", "ünï", "a b", "a?b", "a#b", "a\\b" })
        {
            host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Space not found"}}""");
            var r = await host.CallAsync("get_space", System.Text.Json.JsonSerializer.Serialize(new { name = v }));
            output.WriteLine($"{v} -> {McpTestHost.RawPath(host.SingleRequest())} | {McpTestHost.Text(r)}");
        }
        host.Respond(200, "{}");
        var t = System.Diagnostics.Stopwatch.StartNew();
        var x = await host.CallAsync("get_space", """{"name":"  "}""");
        output.WriteLine($"{McpTestHost.Text(x)} {host.Requests.Count} {t.ElapsedMilliseconds}");
        output.WriteLine(host.Logs.All);
    }
}
