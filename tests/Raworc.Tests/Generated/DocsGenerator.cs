using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Raworc.Mcp;
using Raworc.Mcp.Tools;

namespace Raworc.Tests.Generated;

/// <summary>
/// Writes what the README, packaging/server.json and the Claude Desktop bundle's manifest say about the tools, the tool sets and the environment
/// variables, from the code that defines them, so there is one place to change each. The README keeps the
/// generated tables between <c>&lt;!-- BEGIN GENERATED: name --&gt;</c> and <c>&lt;!-- END GENERATED: name --&gt;</c>.
/// </summary>
internal static class DocsGenerator
{
    /// <summary>Every tool, whatever the modes, in listing order.</summary>
    public static IReadOnlyList<CatalogEntry> AllTools()
    {
        var configuration = ServerConfiguration.Load(name => name == ServerConfiguration.AllowDestructiveVariable ? "true" : null, McpTestHost.EmptyHome());
        using var server = new RaworcServer(configuration, NullLoggerFactory.Instance);
        return server.Tools;
    }

    /// <summary>The README with every generated block rewritten.</summary>
    public static string Readme(string readme)
    {
        readme = ReplaceBlock(readme, "toolsets", ToolSetTable());
        readme = ReplaceBlock(readme, "tools", ToolTable(AllTools()));
        readme = ReplaceBlock(readme, "environment", VariableTable(EnvironmentVariables.All.Where(v => !v.HttpMode)));
        readme = ReplaceBlock(readme, "bundle-form", BundleFormTable(EnvironmentVariables.All.Where(v => v.Form is not null)));
        return ReplaceBlock(readme, "http-settings", HttpSettingsTable(EnvironmentVariables.All.Where(v => v.HttpMode)));
    }

    /// <summary>server.json with the npm package's environment variables rewritten; everything else as it was.</summary>
    public static string ServerJson(string serverJson)
    {
        var root = JsonNode.Parse(serverJson)!.AsObject();
        var npm = root["packages"]!.AsArray().Single(p => (string?)p!["registryType"] == "npm")!.AsObject();
        npm["environmentVariables"] = new JsonArray([.. EnvironmentVariables.All.Where(v => !v.HttpMode && !v.Conventional).Select(RegistryEntry)]);
        return root.ToJsonString(JsonFileOptions) + "\n";
    }

    /// <summary>The layout of JSON.stringify(value, null, 2), which scripts/render-packaging.sh writes back.</summary>
    private static readonly JsonSerializerOptions JsonFileOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The Claude Desktop bundle's manifest with its settings form (<c>user_config</c>), the environment the form
    /// fills, the tools and the prompts rewritten; everything else as it was.
    /// </summary>
    public static string McpbManifest(string manifest)
    {
        var root = JsonNode.Parse(manifest)!.AsObject();
        var fields = EnvironmentVariables.All.Where(v => v.Form is not null).ToList();
        root["server"]!["mcp_config"]!["env"] = new JsonObject(fields.Select(v =>
            KeyValuePair.Create(v.Name, (JsonNode?)$"${{user_config.{v.Form!.Key}}}")));
        root["tools"] = new JsonArray([.. AllTools().Select(t => new JsonObject
        {
            ["name"] = t.Name,
            ["description"] = t.Definition.Description + (t.Definition.Effect == ToolEffect.Delete ? " Off unless the settings allow destructive tools." : ""),
        })]);
        root["prompts"] = new JsonArray([.. new Mcp.Prompts.RaworcPrompts("default").All.Select(p => new JsonObject
        {
            ["name"] = p.Listing.Name,
            ["description"] = p.Listing.Description,
            ["arguments"] = new JsonArray([.. (p.Listing.Arguments ?? []).Select(a => (JsonNode?)a.Name)]),
            // The manifest's own placeholder syntax, so the listed text is the one the server sends.
            ["text"] = p.Render((p.Listing.Arguments ?? []).ToDictionary(a => a.Name, a => $"${{arguments.{a.Name}}}")),
        })]);
        root["user_config"] = new JsonObject(fields.Select(v => KeyValuePair.Create(v.Form!.Key, (JsonNode?)FormEntry(v))));
        return root.ToJsonString(JsonFileOptions) + "\n";
    }

    private static JsonObject FormEntry(EnvironmentVariable v)
    {
        var entry = new JsonObject
        {
            ["type"] = v.Format.ToString().ToLowerInvariant(),
            ["title"] = v.Form!.Title,
            ["description"] = v.Form.Description,
            ["required"] = false,
        };
        // A default that depends on more than the variable (the CLI's login file) is left to the server: an empty
        // field arrives unset, and the server decides as it does without the bundle.
        if (v.Default is not null && v.DefaultSource is null)
        {
            entry["default"] = v.Format switch
            {
                VariableFormat.Boolean => bool.Parse(v.Default),
                VariableFormat.Number => double.Parse(v.Default, System.Globalization.CultureInfo.InvariantCulture),
                _ => v.Default,
            };
        }
        if (v.Secret) entry["sensitive"] = true;
        return entry;
    }

    private static JsonNode RegistryEntry(EnvironmentVariable v)
    {
        var entry = new JsonObject
        {
            ["name"] = v.Name,
            ["description"] = v.Meaning + (v.Flag is null ? "" : $" Same as {v.Flag}."),
            ["format"] = v.Format.ToString().ToLowerInvariant(),
        };
        if (v.Default is not null) entry["default"] = v.Default;
        if (v.Choices is not null) entry["choices"] = new JsonArray([.. v.Choices.Select(c => (JsonNode?)c)]);
        entry["isRequired"] = false;
        entry["isSecret"] = v.Secret;
        return entry;
    }

    private static string ToolSetTable() => Table(["Tool set", "Tools", "What it holds"],
        ToolSet.All.Select(set => new[] { $"`{set.Name}`", AllTools().Count(t => t.Toolset == set).ToString(System.Globalization.CultureInfo.InvariantCulture), set.Description }));

    private static string ToolTable(IReadOnlyList<CatalogEntry> tools) => Table(["Area", "Tool", "Kind", "What it does"],
        tools.Select(t => new[] { t.Toolset.Name, $"`{t.Name}`", Kind(t.Definition.Effect), t.Definition.Description }));

    private static string Kind(ToolEffect effect) => effect switch
    {
        ToolEffect.Read => "read",
        ToolEffect.Delete => "**destructive** (off by default)",
        _ => "write",
    };

    private static string VariableTable(IEnumerable<EnvironmentVariable> variables) => Table(["Variable", "Meaning", "Default"],
        variables.Select(v => new[]
        {
            string.Join(", ", v.Names.Select(n => $"`{n}`")),
            v.Meaning + (v.Flag is null ? "" : $" Same as `{v.Flag}`."),
            DefaultCell(v),
        }));

    private static string BundleFormTable(IEnumerable<EnvironmentVariable> variables) => Table(["Field", "What to give", "Sets", "Left empty"],
        variables.Select(v => new[]
        {
            $"**{v.Form!.Title}**" + (v.Secret ? " (kept encrypted)" : ""),
            v.Form.Description,
            $"`{v.Name}`",
            v.Format == VariableFormat.Boolean ? (v.Default == "true" ? "on" : "off") : DefaultCell(v),
        }));

    private static string HttpSettingsTable(IEnumerable<EnvironmentVariable> variables) => Table(["HTTP flag (variable)", "Meaning", "Default"],
        variables.Select(v => new[] { v.Flag is null ? $"(`{v.Name}` only)" : $"`{v.Flag}` (`{v.Name}`)", v.Meaning, DefaultCell(v) }));

    private static string DefaultCell(EnvironmentVariable v) =>
        v.DefaultSource ?? (v.Default is null ? "none" : $"`{v.Default}`");

    private static string Table(string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        text.Append("| ").AppendJoin(" | ", header).Append(" |\n");
        text.Append('|').AppendJoin('|', header.Select(_ => "---")).Append("|\n");
        foreach (var row in rows) text.Append("| ").AppendJoin(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))).Append(" |\n");
        return text.ToString();
    }

    private static string ReplaceBlock(string text, string name, string content)
    {
        string begin = $"<!-- BEGIN GENERATED: {name} (scripts/generate-docs.sh) -->\n", end = $"<!-- END GENERATED: {name} -->";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        int stop = text.IndexOf(end, StringComparison.Ordinal);
        if (start < 0 || stop < start) throw new InvalidOperationException($"README.md has no generated block '{name}': add {begin.Trim()} and {end}");
        return text[..(start + begin.Length)] + content + text[stop..];
    }
}
