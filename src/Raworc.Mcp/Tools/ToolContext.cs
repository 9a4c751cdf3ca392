using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// What every tool set needs: the API client, the default space, one way to turn a call into a result, what the
/// waits are paced, limited and ended by, and the keys that seal what a client carries for us between calls.
/// </summary>
internal sealed class ToolContext(RaworcClient client, ServerConfiguration configuration, ToolResults results, Waits waits, SealingKeys keys)
{
    public RaworcClient Client { get; } = client;

    public ServerConfiguration Configuration { get; } = configuration;

    public string DefaultSpace => Configuration.DefaultSpace;

    public ToolResults Results { get; } = results;

    public Waits Waits { get; } = waits;

    /// <summary>Seal state a client hands back on a later call (a consent question's); every replica of a fleet holds the same.</summary>
    public SealingKeys Keys { get; } = keys;
}
