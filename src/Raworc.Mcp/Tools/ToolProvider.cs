using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Base of the per-area tool classes: each declares the tools of one <see cref="ToolSet"/> in <see cref="Define"/>.</summary>
internal abstract class ToolProvider(ToolContext context)
{
    public abstract ToolSet ToolSet { get; }

    public abstract IEnumerable<ToolDefinition> Define();

    protected RaworcClient Api => context.Client;

    protected ToolResults Results => context.Results;

    protected ServerConfiguration Configuration => context.Configuration;

    protected TimeProvider Clock => context.Clock;

    /// <param name="openWorld">True when the call reaches beyond the Raworc control plane (source repositories, an agent acting on the world).</param>
    protected static ToolDefinition Tool(string name, string title, ToolEffect effect, string description, bool openWorld = false) =>
        new(name, title, effect, description) { OpenWorld = openWorld };

    /// <summary>The call's <c>space</c> argument, or the configured default (RAWORC_DEFAULT_SPACE) when omitted.</summary>
    protected string Space(ToolCall call) => call.OptionalString("space") is { Length: > 0 } space && !string.IsNullOrWhiteSpace(space) ? space : context.DefaultSpace;

    protected const string SpaceArgument = "Space name; omit for the default space.";
    protected const string SessionIdArgument = "Session id (a UUID).";
}
