using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Roles and role bindings. Both are keyed by role name; the API has no way to update a role.</summary>
internal sealed class RbacTools(ToolContext context) : ToolSet(context)
{
    public override string Name => "rbac";

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_roles", "List roles", ToolEffect.Read, "List all roles with their rules.")
            .Handles(c => Results.Json(() => Api.ListRolesAsync(c.Cancellation)));

        yield return Tool("create_role", "Create role", ToolEffect.Create,
                "Create a role (not editable later); grant it with create_role_binding.")
            .Required("name", Text, null).Alias("id")
            .Required("rules", RoleRules, "\"*\" matches all; the API group is \"api\".")
            .Optional("description", Text, null)
            .Refuses(c => UuidName(c, "name", "role"))
            .Handles(c => Results.Json(() => Api.CreateRoleAsync(
                new CreateRoleRequest(c.String("name"), c.RoleRules("rules"), c.OptionalString("description")), c.Cancellation)));

        yield return Tool("get_role", "Get role", ToolEffect.Read, "Get one role and its rules by name.")
            .Required("name", Text, null).Alias("id")
            .Refuses(c => UuidName(c, "name", "role", "list_roles shows it"))
            .Handles(c => Results.Json(() => Api.GetRoleAsync(c.String("name"), c.Cancellation)));

        yield return Tool("delete_role", "Delete role", ToolEffect.Delete, "Permanently delete a role together with every binding of it.")
            .Required("name", Text, null).Alias("id")
            .Refuses(c => UuidName(c, "name", "role"))
            .Handles(c => Results.Confirm(() => Api.DeleteRoleAsync(c.String("name"), c.Cancellation), $"Deleted role '{c.String("name")}' and its bindings."));

        yield return Tool("list_role_bindings", "List role bindings", ToolEffect.Read,
                "List role bindings: who has which role, and where.")
            .Handles(c => Results.Json(() => Api.ListRoleBindingsAsync(c.Cancellation)));

        yield return Tool("create_role_binding", "Create role binding", ToolEffect.Create,
                "Grant a role to an account or subject, globally or in one space.")
            .Required("role", Text, null).Alias("role_ref")
            .Required("principal", Text, null).Alias("subject")
            .Optional("space", Text, "Omit for a global binding.")
            .Optional("principal_type", Text, "Default ServiceAccount.", ["ServiceAccount", "Subject"])
            .Refuses(c => UuidName(c, "role", "role"))
            .Handles(c => Results.Json(() => Api.CreateRoleBindingAsync(new CreateRoleBindingRequest(
                c.String("role"), c.String("principal"), c.OptionalString("principal_type") ?? "ServiceAccount", c.OptionalString("space")), c.Cancellation)));

        yield return Tool("get_role_binding", "Get role binding", ToolEffect.Read,
                "Get a role's global binding (bindings go by role name).")
            .Required("name", Text, "Role name.").Alias("id")
            .Refuses(c => UuidName(c, "name", "role", "list_role_bindings shows its bindings"))
            .Handles(c => Results.Json(() => Api.GetRoleBindingAsync(c.String("name"), c.Cancellation)));

        yield return Tool("delete_role_binding", "Delete role binding", ToolEffect.Delete,
                "Delete every global binding of a role; bindings are addressed by role name.")
            .Required("name", Text, "Role name.").Alias("id")
            .Refuses(c => UuidName(c, "name", "role"))
            .Handles(c => Results.Confirm(() => Api.DeleteRoleBindingAsync(c.String("name"), c.Cancellation),
                $"Deleted the global bindings of role '{c.String("name")}'."));
    }
}
