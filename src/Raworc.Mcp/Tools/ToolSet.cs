using System.Text.Json;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>What every tool set needs: the API client, the default space, and one way to turn a call into a result.</summary>
internal sealed class ToolContext(RaworcClient client, string defaultSpace, ToolResults results)
{
    public RaworcClient Client { get; } = client;

    public string DefaultSpace { get; } = defaultSpace;

    public ToolResults Results { get; } = results;
}

/// <summary>Base of the per-area tool classes.</summary>
internal abstract class ToolSet(ToolContext context)
{
    protected RaworcClient Api => context.Client;

    protected ToolResults Results => context.Results;

    /// <summary>The given space, or the configured default (RAWORC_DEFAULT_SPACE) when omitted.</summary>
    protected string SpaceOrDefault(string? space) => string.IsNullOrWhiteSpace(space) ? context.DefaultSpace : space;

    /// <summary>A JSON object argument as the client's wire type.</summary>
    protected static JsonElement? AsJson(Dictionary<string, JsonElement>? value) =>
        value is null ? null : JsonSerializer.SerializeToElement(value, ToolJsonContext.Default.DictionaryStringJsonElement);

    protected const string SpaceArgument = "Space name. Defaults to the configured default space.";
    protected const string IgnoredSpaceArgument = "Accepted for compatibility and ignored: sessions are addressed by id alone.";
}
