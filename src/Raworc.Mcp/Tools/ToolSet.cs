namespace Raworc.Mcp.Tools;

/// <summary>
/// A group of tools that <c>--toolsets</c> selects by name; the description is what <c>--help</c> and the README
/// show. One <see cref="ToolProvider"/> class declares the tools of each.
/// </summary>
internal sealed record ToolSet(string Name, string Description)
{
    public static readonly ToolSet System = new("system", "API health and version, and whom the credentials belong to.");
    public static readonly ToolSet Accounts = new("accounts", "Service accounts: the identities that log in to Raworc.");
    public static readonly ToolSet Rbac = new("rbac", "Roles and role bindings: who may do what, globally or in one space.");
    public static readonly ToolSet Spaces = new("spaces", "Spaces: the projects that hold agents, secrets, builds and sessions.");
    public static readonly ToolSet Sessions = new("sessions", "Sessions: running agent containers, their state, and waiting for one.");
    public static readonly ToolSet Messages = new("messages", "A session's conversation with its agent, and waiting for the reply.");
    public static readonly ToolSet Agents = new("agents", "A space's agents: Git repositories packed into its sessions, their status and logs.");
    public static readonly ToolSet Secrets = new("secrets", "A space's secrets; values only with the user's consent.");
    public static readonly ToolSet Builds = new("builds", "Space builds: the image that packs a space's agents, and waiting for one.");

    /// <summary>Every tool set, in listing order.</summary>
    public static readonly IReadOnlyList<ToolSet> All = [System, Accounts, Rbac, Spaces, Sessions, Messages, Agents, Secrets, Builds];

    /// <summary>The set named <paramref name="name"/>, or null.</summary>
    public static ToolSet? Find(string name) => All.FirstOrDefault(set => set.Name == name);
}
