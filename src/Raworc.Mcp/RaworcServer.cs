using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

/// <summary>Assembles the MCP server: its identity, instructions and tools, over one <see cref="RaworcClient"/>.</summary>
internal sealed class RaworcServer : IDisposable
{
    public const string Name = "raworc-mcp";

    public static readonly string Version = typeof(RaworcServer).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public RaworcServer(ServerConfiguration configuration, ILoggerFactory loggerFactory, HttpMessageHandler? handler = null)
    {
        Client = new RaworcClient(configuration.Raworc.Options with { UserAgent = $"{Name}/{Version}" },
            loggerFactory.CreateLogger("raworc-client"), handler);
        Tools = ToolCatalog.Create(new ToolContext(Client, configuration.DefaultSpace, new ToolResults(loggerFactory.CreateLogger("raworc-mcp"))));

        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var entry in Tools) tools.Add(entry.Tool);
        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = Name, Title = "Raworc", Version = Version },
            ServerInstructions = Instructions(configuration.DefaultSpace),
            ToolCollection = tools,
        };
    }

    public RaworcClient Client { get; }

    public IReadOnlyList<CatalogEntry> Tools { get; }

    public McpServerOptions Options { get; }

    public void Dispose() => Client.Dispose();

    private static string Instructions(string defaultSpace) =>
        "Tools for a Raworc control plane. Spaces hold agents, secrets, builds and sessions; optional space arguments " +
        $"default to '{defaultSpace}'. To run an agent: create_secret ANTHROPIC_API_KEY in the space, create_agent from a " +
        "repository, create_build and poll get_latest_build until completed, then create_session (state init, then idle), " +
        "send_message, and poll get_messages for the reply with role agent. Messages are listed oldest first. " +
        "whoami checks the credentials; health_check the connection.";
}
