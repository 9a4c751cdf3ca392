namespace Raworc.Mcp.Tools;

/// <summary>The JSON shape of one argument.</summary>
internal enum ArgumentType
{
    /// <summary>A JSON string.</summary>
    Text,

    /// <summary>A JSON number without fraction, within a 32-bit int.</summary>
    Integer,

    /// <summary>true or false.</summary>
    Flag,

    /// <summary>A free-form JSON object (metadata, settings).</summary>
    AnyObject,

    /// <summary>An array of RBAC rules: api_groups, resources, verbs, resource_names.</summary>
    RoleRules,
}
