using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// What every tool set needs: the API client, the default space, one way to turn a call into a result, and what the
/// waits are paced, limited and ended by.
/// </summary>
internal sealed class ToolContext(RaworcClient client, ServerConfiguration configuration, ToolResults results, Waits waits)
{
    public RaworcClient Client { get; } = client;

    public ServerConfiguration Configuration { get; } = configuration;

    public string DefaultSpace => Configuration.DefaultSpace;

    public ToolResults Results { get; } = results;

    public Waits Waits { get; } = waits;
}
