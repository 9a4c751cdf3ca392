using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Roles and role bindings. Both are keyed by role name; the API has no way to update a role.</summary>
internal sealed class RbacTools(ToolContext context) : ToolSet(context)
{
    [RaworcTool("list_roles", "List roles", ToolEffect.Read)]
    [Description("List all RBAC roles with their rules (api_groups, resources, verbs).")]
    public Task<CallToolResult> ListRoles(CancellationToken ct) =>
        Results.Json(() => Api.ListRolesAsync(ct));

    [RaworcTool("create_role", "Create role", ToolEffect.Create)]
    [Description("Create a role from permission rules; bind it to an account with create_role_binding. Roles cannot be edited later.")]
    public Task<CallToolResult> CreateRole(
        [Description("Role name.")] string id,
        [Description("Permission rules; \"*\" matches everything, e.g. {\"api_groups\":[\"api\"],\"resources\":[\"sessions\"],\"verbs\":[\"get\",\"list\"]}.")] List<RoleRule> rules,
        [Description("What the role is for.")] string? description = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateRoleAsync(new CreateRoleRequest(id, rules, description), ct));

    [RaworcTool("get_role", "Get role", ToolEffect.Read)]
    [Description("Get one role and its rules by name.")]
    public Task<CallToolResult> GetRole([Description("Role name.")] string id, CancellationToken ct) =>
        Results.Json(() => Api.GetRoleAsync(id, ct));

    [RaworcTool("delete_role", "Delete role", ToolEffect.Delete)]
    [Description("Permanently delete a role together with every binding of it.")]
    public Task<CallToolResult> DeleteRole([Description("Role name.")] string id, CancellationToken ct) =>
        Results.Confirm(() => Api.DeleteRoleAsync(id, ct), $"Deleted role '{id}' and its bindings.");

    [RaworcTool("list_role_bindings", "List role bindings", ToolEffect.Read)]
    [Description("List all role bindings: which principal has which role, globally or in one space.")]
    public Task<CallToolResult> ListRoleBindings(CancellationToken ct) =>
        Results.Json(() => Api.ListRoleBindingsAsync(ct));

    [RaworcTool("create_role_binding", "Create role binding", ToolEffect.Create)]
    [Description("Grant a role to a service account or subject, globally or in one space.")]
    public Task<CallToolResult> CreateRoleBinding(
        [Description("Principal to grant the role to (a service account name or subject).")] string subject,
        [Description("Name of an existing role.")] string role_ref,
        [Description("Limit the binding to this space; omit for a global binding.")] string? space = null,
        [Description("Kind of principal; default ServiceAccount.")][AllowedValues("ServiceAccount", "Subject")] string? principal_type = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateRoleBindingAsync(new CreateRoleBindingRequest(role_ref, subject, principal_type ?? "ServiceAccount", space), ct));

    [RaworcTool("get_role_binding", "Get role binding", ToolEffect.Read)]
    [Description("Get the global binding of a role (bindings are addressed by role name).")]
    public Task<CallToolResult> GetRoleBinding([Description("Role name of the binding.")] string id, CancellationToken ct) =>
        Results.Json(() => Api.GetRoleBindingAsync(id, ct));

    [RaworcTool("delete_role_binding", "Delete role binding", ToolEffect.Delete)]
    [Description("Delete every global binding of a role (bindings are addressed by role name).")]
    public Task<CallToolResult> DeleteRoleBinding([Description("Role name of the bindings.")] string id, CancellationToken ct) =>
        Results.Confirm(() => Api.DeleteRoleBindingAsync(id, ct), $"Deleted the global bindings of role '{id}'.");
}
