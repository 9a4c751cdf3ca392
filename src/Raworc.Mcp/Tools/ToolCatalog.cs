using System.Text.Json;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// The registry of every tool, grouped in tool sets (one class per API area), in listing order. Declarations are
/// plain objects, so building the catalog takes well under a millisecond.
/// </summary>
internal static class ToolCatalog
{
    public static List<CatalogEntry> Create(ToolContext context)
    {
        ToolProvider[] providers =
        [
            new SystemTools(context), new ServiceAccountTools(context), new RbacTools(context), new SpaceTools(context),
            new SessionTools(context), new MessageTools(context), new AgentTools(context), new SecretTools(context), new BuildTools(context),
        ];
        return [.. providers.SelectMany(provider => provider.Define().Select(tool => new CatalogEntry(provider.ToolSet, tool, tool.ToProtocolTool())))];
    }

    /// <summary>Argument names by which tools page or narrow what they return; named in the note of a cut result.</summary>
    private static readonly string[] PagingArguments = ["limit", "offset", "latest"];

    /// <summary>
    /// Renames older argument names to the current ones, checks the arguments against the tool's schema, then runs it.
    /// Whatever the result says, <paramref name="secrets"/> and the call's own passwords and secret values are masked
    /// in it (an API may quote the request), and it is cut to the <see cref="ResultBudget"/>.
    /// </summary>
    public static async Task<CallToolResult> InvokeAsync(CatalogEntry entry, ToolCall call, SecretMask secrets, ToolResults results)
    {
        var (resolved, conflicts) = ResolveAliases(entry.Definition, call.Arguments);
        call = call.WithArguments(resolved);
        var result = conflicts.Count > 0
            ? results.InvalidArguments(entry.Name, conflicts)
            : await ValidateAndRunAsync(entry, call, results).ConfigureAwait(false);
        var sensitive = entry.Definition.Arguments.Where(a => a.Sensitive).Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        var callSecrets = call.Arguments.Where(a => sensitive.Contains(a.Key) && a.Value.ValueKind == JsonValueKind.String)
            .Select(a => a.Value.GetString()).ToList();
        var paging = entry.Definition.Arguments.Select(a => a.Name).Intersect(PagingArguments).ToList();
        string howToSeeMore = paging.Count > 0
            ? $"Ask for less with {string.Join(", ", paging)} to see the rest page by page."
            : "This tool cannot page; a narrower tool or resource may show the rest.";
        foreach (var block in result.Content.OfType<TextContentBlock>())
            block.Text = ResultBudget.Cut(secrets.Apply(block.Text, callSecrets), howToSeeMore);
        return result;
    }

    private static (Dictionary<string, JsonElement> Resolved, List<string> Conflicts) ResolveAliases(
        ToolDefinition definition, IEnumerable<KeyValuePair<string, JsonElement>> arguments)
    {
        var resolved = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var givenAs = new Dictionary<string, string>(StringComparer.Ordinal);
        var conflicts = new List<string>();
        foreach (var (name, given) in arguments)
        {
            string current = definition.Arguments.FirstOrDefault(a => a.Aliases.Contains(name))?.Name ?? name;
            var value = definition.Arguments.FirstOrDefault(a => a.Name == current && a.Type == ArgumentType.RoleRules) is { } rules
                ? RenameRuleFields(given, rules.MaxLength) : given;
            if (resolved.TryAdd(current, value)) givenAs[current] = name;
            else conflicts.Add($"'{(name == current ? givenAs[current] : name)}' is another name for '{current}'; give only '{current}'");
        }
        return (resolved, conflicts);
    }

    private static readonly (string Earlier, string Current)[] EarlierRuleFields = [("apiGroups", "api_groups"), ("resourceNames", "resource_names")];

    /// <summary>
    /// Rules written with the earlier camelCase field names (apiGroups, resourceNames) get the API's names. Runs before
    /// the schema check, so it builds nothing unless a rule uses an earlier name and the value is within the
    /// argument's length (a longer one is refused by the length check as it is).
    /// </summary>
    private static JsonElement RenameRuleFields(JsonElement rules, int maxLength)
    {
        if (rules.ValueKind != JsonValueKind.Array || System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(rules).Length > 3L * maxLength)
            return rules; // the schema or the length check reports it
        bool Renames(JsonElement rule) => rule.ValueKind == JsonValueKind.Object &&
            EarlierRuleFields.Any(f => rule.TryGetProperty(f.Earlier, out _) && !rule.TryGetProperty(f.Current, out _));
        if (!rules.EnumerateArray().Any(Renames)) return rules;

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var rule in rules.EnumerateArray())
            {
                if (!Renames(rule))
                {
                    rule.WriteTo(json);
                    continue;
                }
                json.WriteStartObject();
                foreach (var member in rule.EnumerateObject())
                {
                    string name = EarlierRuleFields.FirstOrDefault(f => f.Earlier == member.Name && !rule.TryGetProperty(f.Current, out _)).Current ?? member.Name;
                    json.WritePropertyName(name);
                    member.Value.WriteTo(json);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static Task<CallToolResult> ValidateAndRunAsync(CatalogEntry entry, ToolCall call, ToolResults results)
    {
        var arguments = call.Arguments.Where(a => !entry.Definition.IgnoredArguments.Contains(a.Key)).ToList();
        var problems = ArgumentValidator.Validate(entry.Definition.Arguments, arguments);
        if (problems.Count == 0) problems.AddRange(entry.Definition.Refusals.Select(check => check(call)).OfType<string>());
        if (problems.Count == 0 && entry.Definition.OneRequiredOf is { } oneOf && !oneOf.Any(call.Has))
            problems.Add($"give at least one of {string.Join(", ", oneOf)}");
        return problems.Count > 0
            ? Task.FromResult(results.InvalidArguments(entry.Name, problems))
            : entry.Definition.Handler(call);
    }
}
