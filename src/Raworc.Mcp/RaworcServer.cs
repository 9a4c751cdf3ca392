using System.Reflection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;
using Raworc.Mcp.Prompts;
using Raworc.Mcp.Resources;
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
    private readonly ToolResults _results;

    /// <param name="clock">What the waits and expiries are measured by; the system clock unless a test moves one by hand.</param>
    /// <param name="keys">
    /// Seal the state clients hand back on a later call; replicas behind one balancer need the same. Without them,
    /// a key made for this process (enough for stdio, where the process is the session).
    /// </param>
    /// <exception cref="FormatException">The configuration names an unknown tool set or tool.</exception>
    public RaworcServer(ServerConfiguration configuration, ILoggerFactory loggerFactory, HttpMessageHandler? handler = null, TimeProvider? clock = null,
        SealingKeys? keys = null)
    {
        Configuration = configuration;
        Client = new RaworcClient(configuration.Raworc.Options with { UserAgent = $"{Name}/{Version}" },
            loggerFactory.CreateLogger(Logging.ClientCategory), handler);
        _results = new ToolResults(loggerFactory.CreateLogger(Logging.ServerCategory));
        Waits = new Waits(clock ?? TimeProvider.System);
        var all = ToolCatalog.Create(new ToolContext(Client, configuration, _results, Waits, keys ?? SealingKeys.Generate()));
        var selection = ToolSelection.Apply(all, configuration);
        Tools = selection.Enabled;
        DisabledTools = selection.Disabled;
        _toolsByName = Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _disabledByName = DisabledTools.ToDictionary(t => t.Entry.Name, StringComparer.Ordinal);
        _toolList = new ListToolsResult { Tools = [.. Tools.Select(t => t.ProtocolTool)] };
        Resources = new RaworcResources(Client);
        Prompts = new RaworcPrompts(configuration.DefaultSpace);
        Completions = new Completions(Client, Prompts, Resources, configuration.DefaultSpace, loggerFactory.CreateLogger(Logging.ServerCategory));

        Options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = Name, Title = "Raworc", Version = Version },
            ServerInstructions = Instructions(configuration.DefaultSpace, RaworcResources.DescribeTemplates(Resources.Definitions)),
            Capabilities = new ServerCapabilities
            {
                Tools = new ToolsCapability { ListChanged = false },
                Resources = new ResourcesCapability { Subscribe = false, ListChanged = false },
                Prompts = new PromptsCapability { ListChanged = false },
                Completions = new CompletionsCapability(),
            },
            Filters = new McpServerFilters
            {
                Message = new McpMessageFilters
                {
                    IncomingFilters = [InvalidParamsFilter.Filter],
                },
            },
            Handlers = new McpServerHandlers
            {
                ListToolsHandler = (_, _) => ValueTask.FromResult(_toolList),
                CallToolHandler = CallToolAsync,
                ListResourceTemplatesHandler = Resources.ListTemplatesAsync,
                ListResourcesHandler = Resources.ListAsync,
                ReadResourceHandler = async (request, ct) => LargeTexts.Defer(await Resources.ReadAsync(request, ct).ConfigureAwait(false)),
                ListPromptsHandler = Prompts.ListAsync,
                GetPromptHandler = Prompts.GetAsync,
                CompleteHandler = Completions.CompleteAsync,
            },
        };
    }

    public RaworcClient Client { get; }

    /// <summary>What the host may limit and end about the wait tools.</summary>
    public Waits Waits { get; }

    /// <summary>Copies this server's identity, capabilities, filters and handlers into options built by the host (HTTP).</summary>
    public void ApplyTo(McpServerOptions options)
    {
        options.ServerInfo = Options.ServerInfo;
        options.ServerInstructions = Options.ServerInstructions;
        options.Capabilities = Options.Capabilities;
        // Filter lists of its own: the stateless HTTP host builds options for every request and its post-configuration
        // inserts a filter into them; shared lists would grow by one filter per request and race between requests.
        foreach (var filter in Options.Filters.Message.IncomingFilters) options.Filters.Message.IncomingFilters.Add(filter);
        options.Handlers = Options.Handlers;
    }

    public ServerConfiguration Configuration { get; }

    /// <summary>The tools offered, in listing order.</summary>
    public IReadOnlyList<CatalogEntry> Tools { get; }

    /// <summary>The tools the configuration leaves out, with the reason.</summary>
    public IReadOnlyList<DisabledTool> DisabledTools { get; }

    public McpServerOptions Options { get; }

    public RaworcResources Resources { get; }

    public RaworcPrompts Prompts { get; }

    public Completions Completions { get; }

    public void Dispose() => Client.Dispose();

    private async ValueTask<CallToolResult> CallToolAsync(RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        string name = request.Params?.Name ?? "";
        if (!_toolsByName.TryGetValue(name, out var entry))
        {
            // Hidden is not enough: a client may call a tool it was never offered.
            if (_disabledByName.TryGetValue(name, out var disabled))
                return _results.Error($"The tool {name} is disabled on this server: {disabled.Reason}.");
            throw new McpProtocolException($"Unknown tool: {DisplayText.Quote(name)}", McpErrorCode.InvalidParams);
        }
        var call = new ToolCall(request, ct);
        // A read that has to wait for memory says so, rather than look like a slow API.
        using var waiting = LargeResponseGate.OnWaiting(why => _ = call.Progress.ReportAsync(why));
        // A large API response is formatted, cut and collected inside the gate's scope, not only read; a wait's polls
        // are scopes of their own (each read and parsed), so that the gate is never held while it sleeps.
        using var largeResponses = entry.Definition.Waits ? null : LargeResponseGate.BeginScope();
        try
        {
            return LargeTexts.Defer(await ToolCatalog.InvokeAsync(entry, call, Client.Secrets, _results).ConfigureAwait(false));
        }
        finally
        {
            MemoryBudget.AfterCall(largeResponses?.TookGate == true);
        }
    }

    private static string Instructions(string defaultSpace, string resourceTemplates) =>
        "Tools for a Raworc control plane. Spaces hold agents, secrets, builds and sessions; a space argument left out " +
        $"means the default space, '{defaultSpace}'. The thing a tool acts on is named by `name` (account, role, space, " +
        "agent, secret; a role binding by its role's name); sessions and builds by session_id and build_id. To run an agent: " +
        "create_secret ANTHROPIC_API_KEY in the space, create_agent from a repository, create_build then wait_for_build " +
        "(it reports progress and returns the finished build), create_session then wait_for_session until idle, and " +
        "send_message with wait_for_reply to get the agent's answer (role agent). A closed session takes no messages until " +
        "restore_session. A wait that runs out of time answers still_waiting true with the current status and is simply " +
        "called again. Messages are oldest first to the second (within one second in any order); get_messages with latest gives the newest. " +
        $"Resources: {resourceTemplates}. whoami checks the credentials; health_check the connection.";
}
