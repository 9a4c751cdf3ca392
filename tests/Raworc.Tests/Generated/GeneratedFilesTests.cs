using System.Runtime.CompilerServices;
using Raworc.Mcp;

namespace Raworc.Tests.Generated;

/// <summary>
/// The README's tables, server.json's environment list and the bundle manifest's form, tools and prompts are generated from the code; a committed copy that
/// differs fails here. scripts/generate-docs.sh (UPDATE_SNAPSHOTS=true) rewrites them.
/// </summary>
public sealed class GeneratedFilesTests
{
    [Fact]
    public void Readme_tables_are_what_the_code_generates() => AssertGenerated("README.md", DocsGenerator.Readme);

    [Fact]
    public void Server_json_lists_the_variables_the_code_reads() => AssertGenerated("packaging/server.json", DocsGenerator.ServerJson);

    [Fact]
    public void Bundle_manifest_holds_the_form_tools_and_prompts_the_code_generates() => AssertGenerated("packaging/mcpb/manifest.json", DocsGenerator.McpbManifest);

    [Fact]
    public void Bundle_form_asks_only_what_a_person_installing_it_decides()
    {
        // Chosen explicitly (EnvironmentVariable.Form): a variable added to the table stays out of the form unless it says so.
        var fields = EnvironmentVariables.All.Where(v => v.Form is not null).ToList();
        Assert.Equal(["RAWORC_API_URL", "RAWORC_AUTH_TOKEN", "RAWORC_USERNAME", "RAWORC_PASSWORD", "RAWORC_DEFAULT_SPACE", "RAWORC_READ_ONLY",
            "RAWORC_TOOLSETS", "RAWORC_ALLOW_DESTRUCTIVE"], fields.Select(v => v.Name));
        Assert.DoesNotContain(fields, v => v.HttpMode || v.Conventional);
        Assert.Equal(fields.Count, fields.Select(v => v.Form!.Key).Distinct().Count());
        Assert.Equal(["RAWORC_AUTH_TOKEN", "RAWORC_PASSWORD"], fields.Where(v => v.Secret).Select(v => v.Name));
        Assert.Contains("$$", fields.Single(v => v.Name == "RAWORC_PASSWORD").Form!.Description);
    }

    [Fact]
    public void Every_tool_set_has_tools_and_every_tool_a_listed_set()
    {
        var tools = DocsGenerator.AllTools();
        Assert.All(Mcp.Tools.ToolSet.All, set => Assert.Contains(tools, t => t.Toolset == set));
        Assert.All(tools, t => Assert.Contains(t.Toolset, Mcp.Tools.ToolSet.All));
        // Listing order follows the tool sets' order.
        Assert.Equal(Mcp.Tools.ToolSet.All, tools.Select(t => t.Toolset).Distinct());
    }

    internal static string RepositoryRoot([CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", ".."));

    private static void AssertGenerated(string relativePath, Func<string, string> generate)
    {
        string path = Path.Combine(RepositoryRoot(), relativePath);
        string committed = File.ReadAllText(path);
        string generated = generate(committed);
        if (Environment.GetEnvironmentVariable("UPDATE_SNAPSHOTS") is "true" or "1")
        {
            if (generated != committed) File.WriteAllText(path, generated);
            return;
        }
        Assert.True(generated == committed, $"{relativePath} differs from what the code generates: run scripts/generate-docs.sh and commit the result.");
    }
}
