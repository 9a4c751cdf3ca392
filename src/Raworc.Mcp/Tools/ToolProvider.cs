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

    protected Waits Waits => context.Waits;

    /// <summary>The handler of a wait tool: it runs only while the host admits one more wait of the caller.</summary>
    /// <param name="waits">Whether this call waits (send_message only with wait_for_reply); every call when omitted.</param>
    protected ToolHandler Waiting(ToolHandler handler, Func<ToolCall, bool>? waits = null) => call =>
        waits?.Invoke(call) == false ? handler(call) : context.Waits.RunAsync(() => handler(call), Results.Error);

    /// <param name="openWorld">True when the call reaches beyond the Raworc control plane (source repositories, an agent acting on the world).</param>
    protected static ToolDefinition Tool(string name, string title, ToolEffect effect, string description, bool openWorld = false) =>
        new(name, title, effect, description) { OpenWorld = openWorld };

    /// <summary>The call's <c>space</c> argument, or the configured default (RAWORC_DEFAULT_SPACE) when omitted.</summary>
    protected string Space(ToolCall call) => call.OptionalString("space") is { Length: > 0 } space && !string.IsNullOrWhiteSpace(space) ? space : context.DefaultSpace;

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
