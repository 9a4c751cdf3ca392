using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace Raworc.Tests;

/// <summary>
/// What the model sees of every tool (name, title, description, input schema, annotations) is committed as one file
/// per tool under Snapshots/tools/, and the names each mode combination offers as one list per mode under
/// Snapshots/modes/, so a change to one tool is a one-file diff. scripts/generate-docs.sh rewrites them.
/// </summary>
public sealed class ToolSnapshotTests
{
    /// <summary>Each mode combination a user can configure, with the production defaults underneath.</summary>
    public static TheoryData<string, string, string, string, string> Modes => new()
    {
        // snapshot, RAWORC_READ_ONLY, RAWORC_ALLOW_DESTRUCTIVE, RAWORC_TOOLSETS, RAWORC_TOOLS
        { "default", "", "", "", "" },
        { "read-only", "true", "", "", "" },
        { "allow-destructive", "", "true", "", "" },
        { "read-only+allow-destructive", "true", "true", "", "" },
        { "toolsets-sessions-messages", "", "", "sessions,messages", "" },
        { "tools-whoami-list_spaces-delete_space", "", "", "", "whoami,list_spaces,delete_space" },
        { "toolsets-secrets+tools-whoami", "", "", "secrets", "whoami" },
    };

    private static async Task<List<Tool>> ListAsync(string readOnly, string allowDestructive, string toolsets, string tools)
    {
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["RAWORC_READ_ONLY"] = readOnly,
            ["RAWORC_ALLOW_DESTRUCTIVE"] = allowDestructive,
            ["RAWORC_ALLOW_SECRET_VALUES"] = "",
            ["RAWORC_TOOLSETS"] = toolsets,
            ["RAWORC_TOOLS"] = tools,
        });
        return [.. (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool)];
    }

    private static string Json(Tool tool) => JsonSerializer.Serialize(tool, Snapshot.Pretty) + "\n";

    [Fact]
    public async Task Every_tool_matches_its_snapshot_and_every_snapshot_a_tool()
    {
        var tools = await ListAsync("", "true", "", "");
        foreach (var tool in tools) Snapshot.Assert($"tools/{tool.Name}.json", Json(tool));

        var folder = Snapshot.PathOf("tools");
        var unexpected = Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).Except(tools.Select(t => t.Name)).ToList();
        if (Snapshot.Updating)
            foreach (var name in unexpected) File.Delete(Path.Combine(folder, name + ".json"));
        else
            Assert.True(unexpected.Count == 0, $"Snapshots of tools that do not exist: {string.Join(", ", unexpected)}. Run scripts/generate-docs.sh.");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Each_mode_lists_the_committed_tools_exactly_as_snapshotted(string name, string readOnly, string allowDestructive, string toolsets, string tools)
    {
        var listed = await ListAsync(readOnly, allowDestructive, toolsets, tools);

        Snapshot.Assert($"modes/{name}.txt", string.Concat(listed.Select(t => t.Name + "\n")));
        // A mode chooses tools; it never changes one.
        foreach (var tool in listed)
        {
            string path = Snapshot.PathOf($"tools/{tool.Name}.json");
            if (File.Exists(path)) Assert.Equal(File.ReadAllText(path), Json(tool));
        }
    }

    [Fact]
    public async Task Every_tool_is_described_and_annotated()
    {
        await using var host = await McpTestHost.StartAsync();
        foreach (var tool in (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool))
        {
            Assert.Matches("^[a-z][a-z_]{2,40}$", tool.Name);
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
            Assert.InRange(tool.Description!.Length, 20, 200);
            var a = tool.Annotations!;
            Assert.False(string.IsNullOrWhiteSpace(a.Title), tool.Name);
            Assert.NotNull(a.ReadOnlyHint);
            Assert.NotNull(a.DestructiveHint);
            Assert.NotNull(a.IdempotentHint);
            Assert.NotNull(a.OpenWorldHint);
            bool destructive = tool.Name.StartsWith("delete_", StringComparison.Ordinal) || tool.Name is "clear_messages" or "terminate_session";
            Assert.Equal(destructive, a.DestructiveHint);
            if (a.ReadOnlyHint == true)
                Assert.Matches("^(get_|list_|wait_for_|health_check|whoami)", tool.Name);

            var schema = tool.InputSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
                Assert.True(property.Value.TryGetProperty("description", out var d) && d.GetString()!.Length > 3,
                    $"{tool.Name}.{property.Name} has no description");
            foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
                Assert.False(schema.TryGetProperty(combinator, out _), $"{tool.Name} uses a top-level {combinator}");
        }
    }
}
