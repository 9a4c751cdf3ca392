namespace Raworc.Mcp.Tools;

/// <summary>What a tool does to the control plane; decides its MCP annotations (see <see cref="ToolCatalog"/>).</summary>
internal enum ToolEffect
{
    /// <summary>Reads only: readOnly, idempotent, not destructive.</summary>
    Read,

    /// <summary>Creates something or triggers work; calling twice does it twice.</summary>
    Create,

    /// <summary>Changes something in place; calling twice has no further effect.</summary>
    Update,

    /// <summary>Destroys data that cannot be recovered: destructive, idempotent.</summary>
    Delete,
}

/// <summary>Marks a public method of a tool set as an MCP tool. The method's <c>[Description]</c> is the tool's.</summary>
/// <param name="name">The tool name the model calls (snake_case, stable).</param>
/// <param name="title">A short human title for client UIs.</param>
/// <param name="effect">What calling it does; drives readOnly/destructive/idempotent hints.</param>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RaworcToolAttribute(string name, string title, ToolEffect effect) : Attribute
{
    public string Name { get; } = name;

    public string Title { get; } = title;

    public ToolEffect Effect { get; } = effect;

    /// <summary>True when the call reaches beyond the Raworc control plane (source repositories, an agent acting on the world).</summary>
    public bool OpenWorld { get; init; }
}
