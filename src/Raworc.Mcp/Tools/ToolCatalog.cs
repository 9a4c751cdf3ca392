using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>One tool with the tool set it belongs to and how it is listed.</summary>
internal sealed record CatalogEntry(string Toolset, ToolDefinition Definition, Tool ProtocolTool)
{
    public string Name => Definition.Name;
}

/// <summary>
/// The registry of every tool, grouped in tool sets (one class per API area), in listing order. Declarations are
/// plain objects, so building the catalog takes well under a millisecond.
/// </summary>
internal static class ToolCatalog
{
    /// <summary>Tool set names, in listing order (each is the <see cref="ToolSet.Name"/> of one class below).</summary>
    public static readonly IReadOnlyList<string> Toolsets =
        ["system", "accounts", "rbac", "spaces", "sessions", "messages", "agents", "secrets", "builds"];

    public static List<CatalogEntry> Create(ToolContext context)
    {
        ToolSet[] toolsets =
        [
            new SystemTools(context), new ServiceAccountTools(context), new RbacTools(context), new SpaceTools(context),
            new SessionTools(context), new MessageTools(context), new AgentTools(context), new SecretTools(context), new BuildTools(context),
        ];
        return [.. toolsets.SelectMany(set => set.Define().Select(tool => new CatalogEntry(set.Name, tool, tool.ToProtocolTool())))];
    }

    /// <summary>Argument names by which tools page or narrow what they return; named in the note of a cut result.</summary>
    private static readonly string[] PagingArguments = ["limit", "offset", "latest"];

    /// <summary>
    /// Checks the arguments against the tool's schema, then runs it. Whatever the result says, <paramref name="secrets"/>
    /// and the call's own passwords and secret values are masked in it (an API may quote the request), and it is cut
    /// to the <see cref="ResultBudget"/>.
    /// </summary>
    public static async Task<CallToolResult> InvokeAsync(CatalogEntry entry, ToolCall call, SecretMask secrets)
    {
        var result = await ValidateAndRunAsync(entry, call).ConfigureAwait(false);
        var given = call.Request.Params?.Arguments;
        var callSecrets = entry.Definition.Arguments
            .Where(a => a.Sensitive && given?.TryGetValue(a.Name, out var v) == true && v.ValueKind == System.Text.Json.JsonValueKind.String)
            .Select(a => given![a.Name].GetString()).ToList();
        var paging = entry.Definition.Arguments.Select(a => a.Name).Intersect(PagingArguments).ToList();
        string howToSeeMore = paging.Count > 0
            ? $"Ask for less with {string.Join(", ", paging)} to see the rest page by page."
            : "This tool cannot page; a narrower tool or resource may show the rest.";
        foreach (var block in result.Content.OfType<TextContentBlock>())
            block.Text = ResultBudget.Cut(secrets.Apply(block.Text, callSecrets), howToSeeMore);
        return result;
    }

    private static Task<CallToolResult> ValidateAndRunAsync(CatalogEntry entry, ToolCall call)
    {
        var arguments = call.Request.Params?.Arguments?.Where(a => !entry.Definition.IgnoredArguments.Contains(a.Key)).ToList();
        var problems = ArgumentValidator.Validate(entry.ProtocolTool.InputSchema, arguments);
        problems.AddRange(ArgumentValidator.CheckLengths(entry.Definition.Arguments, arguments));
        return problems.Count > 0
            ? Task.FromResult(ToolResults.InvalidArguments(entry.Name, problems))
            : entry.Definition.Handler(call);
    }
}
