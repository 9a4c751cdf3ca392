using System.ComponentModel;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>Reachability, version and identity.</summary>
internal sealed class SystemTools(ToolContext context) : ToolSet(context)
{
    [RaworcTool("health_check", "Check API health", ToolEffect.Read)]
    [Description("Check that the Raworc API is reachable and healthy. Needs no credentials.")]
    public Task<CallToolResult> HealthCheck(CancellationToken ct) =>
        Results.Confirm(() => Api.CheckHealthAsync(ct), $"The Raworc API at {Api.ApiUrl} is healthy.");

    [RaworcTool("get_version", "Get API version", ToolEffect.Read)]
    [Description("Get the Raworc server version and API version. Needs no credentials.")]
    public Task<CallToolResult> GetVersion(CancellationToken ct) =>
        Results.Json(() => Api.GetVersionAsync(ct));

    [RaworcTool("whoami", "Who am I", ToolEffect.Read)]
    [Description("Show the principal the configured credentials belong to (user and type). Use it to check that authentication works.")]
    public Task<CallToolResult> WhoAmI(CancellationToken ct) =>
        Results.Json(() => Api.GetCurrentPrincipalAsync(ct));
}
