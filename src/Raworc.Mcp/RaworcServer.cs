using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
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

    private readonly Dictionary<string, CatalogEntry> _toolsByName;
    private readonly ListToolsResult _toolList;

    public RaworcServer(ServerConfiguration configuration, ILoggerFactory loggerFactory, HttpMessageHandler? handler = null)
    {
        Client = new RaworcClient(configuration.Raworc.Options with { UserAgent = $"{Name}/{Version}" },
            loggerFactory.CreateLogger("raworc-client"), handler);
        Tools = ToolCatalog.Create(new ToolContext(Client, configuration.DefaultSpace, new ToolResults(loggerFactory.CreateLogger("raworc-mcp"))));
        _toolsByName = Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _toolList = new ListToolsResult { Tools = [.. Tools.Select(t => t.ProtocolTool)] };

        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = Name, Title = "Raworc", Version = Version },
            ServerInstructions = Instructions(configuration.DefaultSpace),
            Capabilities = new ServerCapabilities { Tools = new ToolsCapability { ListChanged = false } },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(_toolList),
                CallToolHandler = CallToolAsync,
            },
        };
    }

    public RaworcClient Client { get; }

    /// <summary>Every tool, in listing order.</summary>
    public IReadOnlyList<CatalogEntry> Tools { get; }

    public McpServerOptions Options { get; }

    public void Dispose() => Client.Dispose();

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        string name = request.Params?.Name ?? "";
        if (!_toolsByName.TryGetValue(name, out var entry))
            throw new McpProtocolException($"Unknown tool: '{name}'", McpErrorCode.InvalidParams);
        return await ToolCatalog.InvokeAsync(entry, new ToolCall(request, ct)).ConfigureAwait(false);
    }

    private static string Instructions(string defaultSpace) =>
        "Tools for a Raworc control plane. Spaces hold agents, secrets, builds and sessions; optional space arguments " +
        $"default to '{defaultSpace}'. To run an agent: create_secret ANTHROPIC_API_KEY in the space, create_agent from a " +
        "repository, create_build and poll get_latest_build until completed, then create_session (state init, then idle), " +
        "send_message, and poll get_messages for the reply with role agent. Messages are listed oldest first. " +
        "whoami checks the credentials; health_check the connection.";
}
