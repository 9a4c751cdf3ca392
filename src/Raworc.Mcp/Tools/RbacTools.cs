using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Roles and role bindings. Both are keyed by role name; the API has no way to update a role.</summary>
internal sealed class RbacTools(ToolContext context) : ToolProvider(context)
{
    public override ToolSet ToolSet => ToolSet.Rbac;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_roles", "List roles", ToolEffect.Read, "List all RBAC roles with their rules (api_groups, resources, verbs).")
            .Handles(c => Results.Json(() => Api.ListRolesAsync(c.Cancellation)));

        yield return Tool("create_role", "Create role", ToolEffect.Create,
                "Create a role from permission rules; bind it to an account with create_role_binding. Roles cannot be edited later.")
            .Required("id", Text, "Role name.")
            .Required("rules", RoleRules, "Permission rules; \"*\" matches everything, e.g. {\"api_groups\":[\"api\"],\"resources\":[\"sessions\"],\"verbs\":[\"get\",\"list\"]}.")
            .Optional("description", Text, "What the role is for.")
            .Handles(c => Results.Json(() => Api.CreateRoleAsync(
                new CreateRoleRequest(c.String("id"), c.RoleRules("rules"), c.OptionalString("description")), c.Cancellation)));

        yield return Tool("get_role", "Get role", ToolEffect.Read, "Get one role and its rules by name.")
            .Required("id", Text, "Role name.")
            .Handles(c => Results.Json(() => Api.GetRoleAsync(c.String("id"), c.Cancellation)));

        yield return Tool("delete_role", "Delete role", ToolEffect.Delete, "Permanently delete a role together with every binding of it.")
            .Required("id", Text, "Role name.")
            .Handles(c => Results.Confirm(() => Api.DeleteRoleAsync(c.String("id"), c.Cancellation), $"Deleted role '{c.String("id")}' and its bindings."));

        yield return Tool("list_role_bindings", "List role bindings", ToolEffect.Read,
                "List all role bindings: which principal has which role, globally or in one space.")
            .Handles(c => Results.Json(() => Api.ListRoleBindingsAsync(c.Cancellation)));

        yield return Tool("create_role_binding", "Create role binding", ToolEffect.Create,
                "Grant a role to a service account or subject, globally or in one space.")
            .Required("subject", Text, "Principal to grant the role to (a service account name or subject).")
            .Required("role_ref", Text, "Name of an existing role.")
            .Optional("space", Text, "Limit the binding to this space; omit for a global binding.")
            .Optional("principal_type", Text, "Kind of principal; default ServiceAccount.", ["ServiceAccount", "Subject"])
            .Handles(c => Results.Json(() => Api.CreateRoleBindingAsync(new CreateRoleBindingRequest(
                c.String("role_ref"), c.String("subject"), c.OptionalString("principal_type") ?? "ServiceAccount", c.OptionalString("space")), c.Cancellation)));

        yield return Tool("get_role_binding", "Get role binding", ToolEffect.Read,
                "Get the global binding of a role (bindings are addressed by role name).")
            .Required("id", Text, "Role name of the binding.")
            .Handles(c => Results.Json(() => Api.GetRoleBindingAsync(c.String("id"), c.Cancellation)));

        yield return Tool("delete_role_binding", "Delete role binding", ToolEffect.Delete,
                "Delete every global binding of a role (bindings are addressed by role name).")
            .Required("id", Text, "Role name of the bindings.")
            .Handles(c => Results.Confirm(() => Api.DeleteRoleBindingAsync(c.String("id"), c.Cancellation),
                $"Deleted the global bindings of role '{c.String("id")}'."));
    }
}
