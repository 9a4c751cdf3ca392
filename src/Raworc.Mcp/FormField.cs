namespace Raworc.Mcp;

/// <summary>
/// The field of the Claude Desktop bundle's settings form that sets a variable (packaging/mcpb/manifest.json's
/// <c>user_config</c> is generated from these). Its kind, default and whether it is masked follow the variable.
/// </summary>
/// <param name="Key">The field's key in the manifest: <c>${user_config.Key}</c> is what Claude Desktop substitutes.</param>
/// <param name="Title">The label the user sees, in plain words.</param>
/// <param name="Description">The help text under it, in plain words.</param>
internal sealed record FormField(string Key, string Title, string Description);
