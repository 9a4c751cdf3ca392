using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Raworc.Tests;

/// <summary>
/// What the model sees of every tool (name, title, description, input schema, annotations) is committed under
/// Snapshots/, so any change to it is a reviewed diff. Set UPDATE_SNAPSHOTS=true to rewrite the files.
/// </summary>
public sealed class ToolSnapshotTests
{
    // The wire format of the SDK (nulls omitted), indented for reviewable diffs.
    internal static readonly JsonSerializerOptions Pretty = new(ModelContextProtocol.McpJsonUtilities.DefaultOptions)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

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

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Tools_list_matches_the_committed_snapshot(string name, string readOnly, string allowDestructive, string toolsets, string tools)
    {
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["RAWORC_READ_ONLY"] = readOnly,
            ["RAWORC_ALLOW_DESTRUCTIVE"] = allowDestructive,
            ["RAWORC_ALLOW_SECRET_VALUES"] = "",
            ["RAWORC_TOOLSETS"] = toolsets,
            ["RAWORC_TOOLS"] = tools,
        });
        var listed = await host.Client.ListToolsAsync();
        var actual = new JsonArray(listed.Select(t => JsonSerializer.SerializeToNode(t.ProtocolTool, Pretty)).ToArray());

        AssertSnapshot($"tools-list.{name}.json", actual.ToJsonString(Pretty) + "\n");
    }

    [Fact]
    public async Task The_default_tools_list_stays_within_18_000_characters()
    {
        // What a model pays in every conversation: the tools/list result as the benchmark measures it (compact JSON).
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_ALLOW_DESTRUCTIVE"] = "" });
        var tools = (await host.Client.ListToolsAsync()).Select(t => JsonSerializer.SerializeToNode(t.ProtocolTool, Pretty)).ToArray();
        string compact = new JsonObject { ["tools"] = new JsonArray(tools) }.ToJsonString(new JsonSerializerOptions(Pretty) { WriteIndented = false });

        Assert.Equal(49, tools.Length);
        Assert.InRange(compact.Length, 1, 18_000);
    }

    [Fact]
    public async Task Every_tool_is_described_and_titled()
    {
        await using var host = await McpTestHost.StartAsync();
        foreach (var tool in (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool))
        {
            Assert.Matches("^[a-z][a-z_]{2,40}$", tool.Name);
            Assert.False(string.IsNullOrWhiteSpace(tool.Description), tool.Name);
            Assert.InRange(tool.Description!.Length, 20, 200);
            Assert.False(string.IsNullOrWhiteSpace(tool.Annotations?.Title), tool.Name);

            var schema = tool.InputSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            // An argument whose name says it all goes without a description; one that has a description says something.
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
                Assert.True(!property.Value.TryGetProperty("description", out var d) || d.GetString()!.Length > 3,
                    $"{tool.Name}.{property.Name} has an empty description");
            foreach (var combinator in new[] { "anyOf", "oneOf", "allOf" })
                Assert.False(schema.TryGetProperty(combinator, out _), $"{tool.Name} uses a top-level {combinator}");
        }
    }

    /// <summary>What each tool does, judged from the tool itself rather than from the server's own declarations.</summary>
    private static (bool Reads, bool Destroys, bool Repeats, bool ReachesOut) Effect(string tool) => (
        Reads: tool.StartsWith("list_", StringComparison.Ordinal) || tool.StartsWith("get_", StringComparison.Ordinal) ||
               tool.StartsWith("wait_for_", StringComparison.Ordinal) || tool is "health_check" or "whoami",
        Destroys: tool.StartsWith("delete_", StringComparison.Ordinal) || tool is "clear_messages" or "terminate_session",
        // Calling it twice makes two things (or sends twice); everything else that writes lands in the same state.
        Repeats: tool.StartsWith("create_", StringComparison.Ordinal) || tool is "send_message" or "remix_session",
        // The agent's repository, the build fetching it, or the agent acting on a message.
        ReachesOut: tool is "create_agent" or "create_build" or "send_message");

    [Fact]
    public async Task Every_hint_is_sent_only_when_it_differs_from_the_default_and_its_effective_value_matches_the_tool()
    {
        await using var host = await McpTestHost.StartAsync();
        var tools = (await host.Client.ListToolsAsync()).Select(t => t.ProtocolTool).ToList();
        Assert.Equal(57, tools.Count);
        foreach (var tool in tools)
        {
            var a = tool.Annotations!;
            var (reads, destroys, repeats, reachesOut) = Effect(tool.Name);

            // The MCP defaults: readOnly false, destructive true, idempotent false, openWorld true.
            Assert.True(a.ReadOnlyHint is null or true, $"{tool.Name}: readOnlyHint false is the default");
            Assert.True(a.DestructiveHint is null or false, $"{tool.Name}: destructiveHint true is the default");
            Assert.True(a.IdempotentHint is null or true, $"{tool.Name}: idempotentHint false is the default");
            Assert.True(a.OpenWorldHint is null or false, $"{tool.Name}: openWorldHint true is the default");

            bool readOnly = a.ReadOnlyHint ?? false;
            Assert.Equal(reads, readOnly);
            if (readOnly)
            {
                // destructive and idempotent mean nothing for a tool that only reads.
                Assert.Null(a.DestructiveHint);
                Assert.Null(a.IdempotentHint);
            }
            else
            {
                Assert.Equal(destroys, a.DestructiveHint ?? true);
                Assert.Equal(!repeats, a.IdempotentHint ?? false);
            }
            Assert.Equal(reachesOut, a.OpenWorldHint ?? true);
        }
    }

    internal static void AssertSnapshot(string name, string actual, [CallerFilePath] string testFile = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(testFile)!, "Snapshots", name);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") is "true" or "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"{path} is missing: run the tests once with UPDATE_SNAPSHOTS=true and commit it.");
        string expected = File.ReadAllText(path);
        if (expected != actual)
        {
            string diffFile = path + ".actual";
            File.WriteAllText(diffFile, actual);
            Assert.Fail($"What the model sees changed. Review `diff {path} {diffFile}`; if intended, rerun with UPDATE_SNAPSHOTS=true and commit the snapshot.");
        }
    }
}
