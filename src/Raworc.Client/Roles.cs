namespace Raworc.Client;

/// <summary>One permission rule of a role. <see cref="ResourceNames"/> is omitted by the API when unset.</summary>
public sealed record RoleRule(List<string> ApiGroups, List<string> Resources, List<string> Verbs, List<string>? ResourceNames = null);

/// <summary>An RBAC role, keyed by name. The API has no update route for roles.</summary>
public sealed record Role(string Name, List<RoleRule> Rules, string? Description, DateTimeOffset? CreatedAt);

public sealed record CreateRoleRequest(string Name, List<RoleRule> Rules, string? Description = null);

/// <summary>Binds a role to a principal, globally (<see cref="Space"/> null) or in one space.</summary>
public sealed record RoleBinding(string RoleName, string Principal, string PrincipalType, string? Space, DateTimeOffset? CreatedAt);

/// <param name="PrincipalType"><c>ServiceAccount</c> or <c>Subject</c>.</param>
public sealed record CreateRoleBindingRequest(string RoleName, string Principal, string PrincipalType, string? Space = null);

public sealed partial class RaworcClient
{
    public async Task<List<Role>> ListRolesAsync(CancellationToken ct = default) =>
        await GetAsync("roles", RaworcJsonContext.Default.ListRole, ct).ConfigureAwait(false);

    public async Task<Role> CreateRoleAsync(CreateRoleRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, "roles", request, RaworcJsonContext.Default.CreateRoleRequest, RaworcJsonContext.Default.Role, ct).ConfigureAwait(false);

    public async Task<Role> GetRoleAsync(string name, CancellationToken ct = default) =>
        await GetAsync($"roles/{Segment(name, "role name")}", RaworcJsonContext.Default.Role, ct).ConfigureAwait(false);

    public async Task DeleteRoleAsync(string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"roles/{Segment(name, "role name")}", ct).ConfigureAwait(false);

    public async Task<List<RoleBinding>> ListRoleBindingsAsync(CancellationToken ct = default) =>
        await GetAsync("role-bindings", RaworcJsonContext.Default.ListRoleBinding, ct).ConfigureAwait(false);

    public async Task<RoleBinding> CreateRoleBindingAsync(CreateRoleBindingRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, "role-bindings", request, RaworcJsonContext.Default.CreateRoleBindingRequest,
            RaworcJsonContext.Default.RoleBinding, ct).ConfigureAwait(false);

    /// <summary>The first global binding of the role (the API keys bindings by role name).</summary>
    public async Task<RoleBinding> GetRoleBindingAsync(string roleName, CancellationToken ct = default) =>
        await GetAsync($"role-bindings/{Segment(roleName, "role binding name")}", RaworcJsonContext.Default.RoleBinding, ct).ConfigureAwait(false);

    /// <summary>Deletes every global binding of the role.</summary>
    public async Task DeleteRoleBindingAsync(string roleName, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"role-bindings/{Segment(roleName, "role binding name")}", ct).ConfigureAwait(false);
}
