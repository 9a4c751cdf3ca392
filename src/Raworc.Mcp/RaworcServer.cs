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
    private readonly Dictionary<string, DisabledTool> _disabledByName;
    private readonly ListToolsResult _toolList;

    /// <exception cref="FormatException">The configuration names an unknown tool set or tool.</exception>
    public RaworcServer(ServerConfiguration configuration, ILoggerFactory loggerFactory, HttpMessageHandler? handler = null)
    {
        Configuration = configuration;
        Client = new RaworcClient(configuration.Raworc.Options with { UserAgent = $"{Name}/{Version}" },
            loggerFactory.CreateLogger("raworc-client"), handler);
        var all = ToolCatalog.Create(new ToolContext(Client, configuration, new ToolResults(loggerFactory.CreateLogger("raworc-mcp"))));
        var selection = ToolSelection.Apply(all, configuration);
        Tools = selection.Enabled;
        DisabledTools = selection.Disabled;
        _toolsByName = Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _disabledByName = DisabledTools.ToDictionary(t => t.Entry.Name, StringComparer.Ordinal);
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

    public ServerConfiguration Configuration { get; }

    /// <summary>The tools offered, in listing order.</summary>
    public IReadOnlyList<CatalogEntry> Tools { get; }

    /// <summary>The tools the configuration leaves out, with the reason.</summary>
    public IReadOnlyList<DisabledTool> DisabledTools { get; }

    public McpServerOptions Options { get; }

    public void Dispose() => Client.Dispose();

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        string name = request.Params?.Name ?? "";
        if (!_toolsByName.TryGetValue(name, out var entry))
        {
            // Hidden is not enough: a client may call a tool it was never offered.
            if (_disabledByName.TryGetValue(name, out var disabled))
                return ToolResults.Error($"The tool {name} is disabled on this server: {disabled.Reason}.");
            throw new McpProtocolException($"Unknown tool: '{name}'", McpErrorCode.InvalidParams);
        }
        return await ToolCatalog.InvokeAsync(entry, new ToolCall(request, ct)).ConfigureAwait(false);
    }

    private static string Instructions(string defaultSpace) =>
        "Tools for a Raworc control plane. Spaces hold agents, secrets, builds and sessions; optional space arguments " +
        $"default to '{defaultSpace}'. To run an agent: create_secret ANTHROPIC_API_KEY in the space, create_agent from a " +
        "repository, create_build and poll get_latest_build until completed, then create_session (state init, then idle), " +
        "send_message, and poll get_messages for the reply with role agent. Messages are listed oldest first. " +
        "whoami checks the credentials; health_check the connection.";
}
