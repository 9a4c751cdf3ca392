namespace Raworc.Mcp.Tools;

/// <summary>
/// Which tools the configuration offers. Read-only wins over everything; destructive tools need
/// <c>--allow-destructive</c> even when named in <c>--tools</c>.
/// </summary>
internal sealed record ToolSelection(IReadOnlyList<CatalogEntry> Enabled, IReadOnlyList<DisabledTool> Disabled)
{
    /// <exception cref="FormatException">An unknown tool set or tool name.</exception>
    public static ToolSelection Apply(IReadOnlyList<CatalogEntry> all, ServerConfiguration configuration)
    {
        if (configuration.Toolsets?.FirstOrDefault(t => ToolSet.Find(t) is null) is { } unknownSet)
            throw new FormatException($"unknown tool set '{unknownSet}' in --toolsets/{ServerConfiguration.ToolsetsVariable}; known: all, {string.Join(", ", ToolSet.All.Select(s => s.Name))}");
        if (configuration.Tools?.FirstOrDefault(t => all.All(e => e.Name != t)) is { } unknownTool)
            throw new FormatException($"unknown tool '{unknownTool}' in --tools/{ServerConfiguration.ToolsVariable}; 'raworc-mcp --manifest --allow-destructive' lists them all");

        var enabled = new List<CatalogEntry>();
        var disabled = new List<DisabledTool>();
        foreach (var entry in all)
        {
            if (WhyDisabled(entry, configuration) is { } reason) disabled.Add(new DisabledTool(entry, reason));
            else enabled.Add(entry);
        }
        return new ToolSelection(enabled, disabled);
    }

    private static string? WhyDisabled(CatalogEntry entry, ServerConfiguration c)
    {
        bool chosen = (c.Toolsets, c.Tools) switch
        {
            (null, null) => true,
            (null, var tools) => tools.Contains(entry.Name),
            (var sets, var tools) => sets.Contains(entry.Toolset.Name) || tools?.Contains(entry.Name) == true,
        };
        if (!chosen)
            return $"not selected: its tool set '{entry.Toolset.Name}' is not in --toolsets and the tool is not in --tools";
        if (c.ReadOnly && entry.Definition.Effect != ToolEffect.Read)
            return $"read-only mode (--read-only / {ServerConfiguration.ReadOnlyVariable}) offers only tools that change nothing";
        if (!c.AllowDestructive && entry.Definition.Effect == ToolEffect.Delete)
            return $"it destroys data; the user can enable such tools with --allow-destructive ({ServerConfiguration.AllowDestructiveVariable}=true)";
        return null;
    }

    /// <summary>One line on the active modes, for the start-up log and the manifest.</summary>
    public static string DescribeModes(ServerConfiguration c) => string.Join("; ",
        $"read-only {(c.ReadOnly ? "on" : "off")}",
        $"destructive tools {(c.AllowDestructive ? "allowed" : "hidden (--allow-destructive)")}",
        $"secret values {(c.AllowSecretValues ? "allowed" : "only with the user's consent (--allow-secret-values)")}",
        $"tool sets {(c.Toolsets is null ? "all" : string.Join(",", c.Toolsets.Order()))}" + (c.Tools is null ? "" : $"; tools {string.Join(",", c.Tools.Order())}"));
}
