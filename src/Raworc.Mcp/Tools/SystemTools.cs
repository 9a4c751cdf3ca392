namespace Raworc.Mcp.Tools;

/// <summary>Reachability, version and identity.</summary>
internal sealed class SystemTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "system";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("health_check", "Check API health", ToolEffect.Read,
                "Check that the Raworc API is reachable.")
            .Handles(c => Results.Confirm(() => Api.CheckHealthAsync(c.Cancellation), $"The Raworc API at {Api.ApiUrl} is healthy."));

        yield return Tool("get_version", "Get API version", ToolEffect.Read,
                "Get the Raworc server and API version.")
            .Handles(c => Results.Json(() => Api.GetVersionAsync(c.Cancellation)));

        yield return Tool("whoami", "Who am I", ToolEffect.Read,
                "Show whom the credentials belong to.")
            .Handles(c => Results.Json(() => Api.GetCurrentPrincipalAsync(c.Cancellation)));
    }
}
