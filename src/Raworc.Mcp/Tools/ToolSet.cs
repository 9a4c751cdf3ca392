using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>What every tool set needs: the API client, the default space, and one way to turn a call into a result.</summary>
internal sealed class ToolContext(RaworcClient client, ServerConfiguration configuration, ToolResults results)
{
    public RaworcClient Client { get; } = client;

    public ServerConfiguration Configuration { get; } = configuration;

    public string DefaultSpace => Configuration.DefaultSpace;

    public ToolResults Results { get; } = results;
}

/// <summary>Base of the per-area tool classes: each declares its tools in <see cref="Define"/>.</summary>
internal abstract class ToolSet(ToolContext context)
{
    /// <summary>The tool set's name, as used to select tool sets.</summary>
    public abstract string Name { get; }

    public abstract IEnumerable<ToolDefinition> Define();

    protected RaworcClient Api => context.Client;

    protected ToolResults Results => context.Results;

    protected ServerConfiguration Configuration => context.Configuration;

    /// <param name="openWorld">True when the call reaches beyond the Raworc control plane (source repositories, an agent acting on the world).</param>
    protected static ToolDefinition Tool(string name, string title, ToolEffect effect, string description, bool openWorld = false) =>
        new(name, title, effect, description) { OpenWorld = openWorld };

    /// <summary>The call's <c>space</c> argument, or the configured default (RAWORC_DEFAULT_SPACE) when omitted.</summary>
    protected string Space(ToolCall call) => call.OptionalString("space") is { Length: > 0 } space && !string.IsNullOrWhiteSpace(space) ? space : context.DefaultSpace;

    /// <summary>The default-space rule itself is in the server instructions, said once.</summary>
    protected const string SpaceArgument = "Omit for the default.";

    /// <summary>
    /// Raworc 0.3.0 looks up a service account, role or role binding whose name parses as a UUID by its id, which is
    /// always empty: such a name is created but never found again.
    /// </summary>
    protected static string? UuidName(ToolCall call, string argument, string kind, string? instead = null)
    {
        string name = call.String(argument);
        string candidate = name.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) ? name[9..] : name;
        return Guid.TryParse(candidate, out _)
            ? $"the {kind} name '{name}' is a UUID, and Raworc looks such names up as ids, so it cannot be addressed" +
              (instead is null ? "; pick another name" : $"; {instead}")
            : null;
    }
}
