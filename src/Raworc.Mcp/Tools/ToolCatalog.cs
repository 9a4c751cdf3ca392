using ModelContextProtocol.Protocol;

namespace Raworc.Mcp.Tools;

/// <summary>One tool with the tool set it belongs to and how it is listed.</summary>
internal sealed record CatalogEntry(ToolSet Toolset, ToolDefinition Definition, Tool ProtocolTool)
{
    public string Name => Definition.Name;
}

/// <summary>
/// The registry of every tool, grouped in tool sets (one class per API area), in listing order. Declarations are
/// plain objects, so building the catalog takes well under a millisecond.
/// </summary>
internal static class ToolCatalog
{
    public static List<CatalogEntry> Create(ToolContext context)
    {
        ToolProvider[] providers =
        [
            new SystemTools(context), new ServiceAccountTools(context), new RbacTools(context), new SpaceTools(context),
            new SessionTools(context), new MessageTools(context), new AgentTools(context), new SecretTools(context), new BuildTools(context),
        ];
        return [.. providers.SelectMany(provider => provider.Define().Select(tool => new CatalogEntry(provider.ToolSet, tool, tool.ToProtocolTool())))];
    }

    /// <summary>Checks the arguments against the tool's schema, then runs it.</summary>
    public static async Task<CallToolResult> InvokeAsync(CatalogEntry entry, ToolCall call)
    {
        var result = await ValidateAndRunAsync(entry, call).ConfigureAwait(false);
        return result.IsError == true ? Redact(result, entry.Definition, call) : result;
    }

    /// <summary>An API error text may quote the request: a password or secret value given in this call is masked.</summary>
    private static CallToolResult Redact(CallToolResult result, ToolDefinition definition, ToolCall call)
    {
        var secrets = definition.Arguments.Where(a => a.Sensitive).Select(a => call.OptionalString(a.Name))
            .Where(v => v is { Length: >= 3 }).Cast<string>().ToList();
        if (secrets.Count == 0) return result;
        foreach (var block in result.Content.OfType<TextContentBlock>())
            foreach (var secret in secrets)
                block.Text = block.Text.Replace(secret, "[redacted]", StringComparison.Ordinal);
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
