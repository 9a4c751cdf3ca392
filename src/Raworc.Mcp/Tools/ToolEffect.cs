namespace Raworc.Mcp.Tools;

/// <summary>What a tool does to the control plane; decides its MCP annotations.</summary>
internal enum ToolEffect
{
    /// <summary>Reads only: readOnly (destructive and idempotent mean nothing then).</summary>
    Read,

    /// <summary>Creates something or triggers work; calling twice does it twice.</summary>
    Create,

    /// <summary>Changes something in place; calling twice has no further effect.</summary>
    Update,

    /// <summary>Destroys data that cannot be recovered: destructive, idempotent.</summary>
    Delete,
}
