using System.Text.Json.Nodes;

namespace Raworc.EndToEnd.Tests;

/// <summary>Service accounts and RBAC, as an administrator would set them up for a bot.</summary>
public sealed class AccessTests
{
    [Fact]
    public async Task Service_account_with_a_role_binding_then_removed()
    {
        await using var standIn = await E2e.StartStandInAsync();
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl);

        // The account.
        var account = await mcp.CallAsync("create_service_account", new { user = "ci-bot", pass = "first-pass", description = "CI pipeline" });
        Assert.Equal("ci-bot", account.Str("user"));
        Assert.True(account!["active"]!.GetValue<bool>());
        Assert.Contains("ci-bot", (await mcp.CallAsync("list_service_accounts")).Names("user"));
        var duplicate = await mcp.ErrorAsync("create_service_account", new { user = "ci-bot", pass = "x" });
        Assert.Contains("HTTP 409", duplicate);

        var updated = await mcp.CallAsync("update_service_account", new { id = "ci-bot", description = "CI pipeline (nightly)", active = true });
        Assert.Equal("CI pipeline (nightly)", updated.Str("description"));
        Assert.Equal("CI pipeline (nightly)", (await mcp.CallAsync("get_service_account", new { id = "ci-bot" })).Str("description"));

        var wrongPassword = await mcp.ErrorAsync("update_service_account_password",
            new { id = "ci-bot", current_password = "not-it", new_password = "second-pass" });
        Assert.Contains("HTTP 401", wrongPassword);
        await mcp.CallAsync("update_service_account_password", new { id = "ci-bot", current_password = "first-pass", new_password = "second-pass" });

        // The new password works: a second server logs in as the bot.
        await using (var asBot = await E2e.StartBinaryAsync(standIn.BaseUrl,
            new Dictionary<string, string> { ["RAWORC_USERNAME"] = "ci-bot", ["RAWORC_PASSWORD"] = "second-pass" }))
        {
            Assert.Equal("ci-bot", (await asBot.CallAsync("whoami")).Str("user"));
        }

        // A role with rules, bound to the account globally.
        var role = await mcp.CallAsync("create_role", new
        {
            id = "session-reader",
            description = "Read sessions",
            rules = new[] { new { api_groups = new[] { "api" }, resources = new[] { "sessions", "session_messages" }, verbs = new[] { "get", "list" } } },
        });
        Assert.Equal("session-reader", role.Str("name"));
        var rule = role!["rules"]![0]!;
        Assert.Equal(["api"], rule["api_groups"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["get", "list"], rule["verbs"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Read sessions", (await mcp.CallAsync("get_role", new { id = "session-reader" })).Str("description"));
        Assert.Contains("session-reader", (await mcp.CallAsync("list_roles")).Names());

        var binding = await mcp.CallAsync("create_role_binding", new { subject = "ci-bot", role_ref = "session-reader", principal_type = "ServiceAccount" });
        Assert.Equal("session-reader", binding.Str("role_name"));
        Assert.Equal("ci-bot", binding.Str("principal"));
        Assert.Null(binding!["space"]);
        var fetched = await mcp.CallAsync("get_role_binding", new { id = "session-reader" });
        Assert.Equal("ci-bot", fetched.Str("principal"));
        Assert.Contains((await mcp.CallAsync("list_role_bindings")).Items(),
            b => b.Str("role_name") == "session-reader" && b.Str("principal") == "ci-bot");

        var unknownRole = await mcp.ErrorAsync("create_role_binding", new { subject = "ci-bot", role_ref = "no-such-role" });
        Assert.Contains("list_roles", unknownRole);

        // Remove it all again.
        await mcp.CallAsync("delete_role_binding", new { id = "session-reader" });
        Assert.Contains("HTTP 404", await mcp.ErrorAsync("get_role_binding", new { id = "session-reader" }));
        Assert.DoesNotContain((await mcp.CallAsync("list_role_bindings")).Items(), b => b.Str("role_name") == "session-reader");
        await mcp.CallAsync("delete_role", new { id = "session-reader" });
        var roleGone = await mcp.ErrorAsync("get_role", new { id = "session-reader" });
        Assert.Contains("HTTP 404", roleGone);
        Assert.Contains("list_roles", roleGone);
        Assert.DoesNotContain("session-reader", (await mcp.CallAsync("list_roles")).Names());

        await mcp.CallAsync("delete_service_account", new { id = "ci-bot" });
        var accountGone = await mcp.ErrorAsync("get_service_account", new { id = "ci-bot" });
        Assert.Contains("HTTP 404", accountGone);
        Assert.Contains("list_service_accounts", accountGone);
        Assert.DoesNotContain("ci-bot", (await mcp.CallAsync("list_service_accounts")).Names("user"));
    }
}
