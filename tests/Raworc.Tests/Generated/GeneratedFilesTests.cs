using System.Runtime.CompilerServices;

namespace Raworc.Tests.Generated;

/// <summary>
/// The README's tables and server.json's environment list are generated from the code; a committed copy that
/// differs fails here. scripts/generate-docs.sh (UPDATE_SNAPSHOTS=true) rewrites them.
/// </summary>
public sealed class GeneratedFilesTests
{
    [Fact]
    public void Readme_tables_are_what_the_code_generates() => AssertGenerated("README.md", DocsGenerator.Readme);

    [Fact]
    public void Server_json_lists_the_variables_the_code_reads() => AssertGenerated("packaging/server.json", DocsGenerator.ServerJson);

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
