using System.Text.Json;
using System.Text.Json.Serialization;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

internal sealed record ManifestTool(string Name, string? Title, string Description, string Toolset, bool ReadOnly, bool Destructive);

internal sealed record ManifestDisabledTool(string Name, string Reason);

/// <summary>What <c>raworc-mcp --manifest</c> prints: enough for a registry or an installer to list the server.</summary>
internal sealed record Manifest(
    string Name, string Version, string Description, string Transport, string Command, IReadOnlyList<string> Args,
    IReadOnlyList<string> Env, string Modes, IReadOnlyList<ManifestTool> Tools, IReadOnlyList<ManifestDisabledTool> DisabledTools)
{
    public static Manifest Create(RaworcServer server) => new(
        RaworcServer.Name,
        RaworcServer.Version,
        "MCP server for the Raworc control plane: spaces, agents, secrets, builds, sessions, messages, service accounts and RBAC.",
        server.Configuration.Transport == TransportKind.Http ? "streamable-http" : "stdio",
        RaworcServer.Name,
        server.Configuration.Transport == TransportKind.Http ? ["http"] : [],
        EnvironmentVariables.All.SelectMany(v => v.Names).ToList(),
        ToolSelection.DescribeModes(server.Configuration),
        server.Tools.Select(t => new ManifestTool(t.Name, t.Definition.Title, t.Definition.Description, t.Toolset.Name,
            t.Definition.Effect == ToolEffect.Read, t.Definition.Effect == ToolEffect.Delete)).ToList(),
        server.DisabledTools.Select(d => new ManifestDisabledTool(d.Entry.Name, d.Reason)).ToList());

    public string ToJson() => JsonSerializer.Serialize(this, ManifestJsonContext.Default.Manifest);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(Manifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
