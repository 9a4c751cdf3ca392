using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests.Tools;

/// <summary>health_check and get_version: the two tools that need no credentials.</summary>
public sealed class SystemToolsTests
{
    [Fact]
    public async Task Health_check_needs_no_token_and_confirms()
    {
        await using var host = await StartAsync();
        host.Respond(200);

        var result = await host.CallAsync("health_check");

        var request = host.SingleRequest().RequestMessage;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/v0/health", request.Path);
        Assert.False(request.Headers!.ContainsKey("Authorization"));
        Assert.Equal($$"""{"success":true,"message":"The Raworc API at {{host.ApiUrl}} is healthy."}""", Text(result));
    }

    [Fact]
    public async Task Get_version_needs_no_token()
    {
        await using var host = await StartAsync();
        host.Respond(200, """{"version":"0.3.0","api":"v0"}""");

        var result = await host.CallAsync("get_version");

        var request = host.SingleRequest().RequestMessage;
        Assert.Equal("GET", request.Method);
        Assert.Equal("/api/v0/version", request.Path);
        Assert.False(request.Headers!.ContainsKey("Authorization"));
        Assert.Equal("""{"version":"0.3.0","api":"v0"}""", Text(result));
    }
}
