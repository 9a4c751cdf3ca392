using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// A signed-in caller's scopes narrow what that caller sees in tools/list and may call, on top of the server-wide
/// modes: MCP request filters the HTTP host adds, so the server core knows nothing of scopes. A call beyond them is
/// a tool error naming the missing scope (the bearer check refuses it earlier, with 403, when it can see it).
/// </summary>
internal sealed class ScopeFilters(SignInService signIn)
{
    private sealed record Caller(int Level, string Scope);

    private static readonly AsyncLocal<Caller?> Current = new();

    /// <summary>Until disposed, the current request's caller holds <paramref name="scope"/>.</summary>
    public static IDisposable Grant(int level, string scope)
    {
        var previous = Current.Value;
        Current.Value = new Caller(level, scope);
        return new Restore(previous);
    }

    /// <summary>The tool's needed scope when the current caller lacks it; null when allowed (or no scopes apply).</summary>
    public string? Missing(string tool) =>
        Current.Value is { } caller && signIn.NeededLevels.TryGetValue(tool, out int needed) && needed > caller.Level
            ? SignInScopes.Name(needed) : null;

    public void AddTo(McpServerOptions options)
    {
        options.Filters.Request.ListToolsFilters.Add(next => async (request, ct) =>
        {
            var result = await next(request, ct).ConfigureAwait(false);
            if (Current.Value is null) return result;
            return new ListToolsResult { Tools = [.. result.Tools.Where(t => Missing(t.Name) is null)], NextCursor = result.NextCursor };
        });
        options.Filters.Request.CallToolFilters.Add(next => (request, ct) =>
            Missing(request.Params?.Name ?? "") is { } scope
                ? ValueTask.FromResult(new CallToolResult
                {
                    IsError = true,
                    Content = [new TextContentBlock { Text = $"The tool {request.Params!.Name} needs the scope {scope}, which this sign-in did not grant ({Current.Value!.Scope}). Sign in again and allow it." }],
                })
                : next(request, ct));
    }

    private sealed class Restore(Caller? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
