using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// A tools/call beyond the signed-in caller's scopes gets 403 <c>insufficient_scope</c> at the HTTP level, naming the
/// scope it needs, so that a client can ask the user for more (MCP step-up authorization). It runs after the request
/// body guard, so it reads only a body already bounded in size, depth and values; anything it cannot see is left to
/// <see cref="ScopeFilters"/>, which refuses the call as a tool error.
/// </summary>
internal sealed class ScopeCheck(SignInService signIn)
{
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (ScopeFilters.CurrentLevel is { } level && level < SignInScopes.Level(SignInScopes.Destroy)
            && await CalledToolAsync(context).ConfigureAwait(false) is { } tool
            && signIn.NeededLevels.TryGetValue(tool, out int needed) && needed > level)
        {
            await InsufficientScopeAsync(context, tool, needed).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    /// <summary>
    /// 403 <c>insufficient_scope</c> naming every scope the call needs, so that a client can ask the user for more
    /// (MCP step-up authorization). Only for a call this check can see; the scope filters refuse any other.
    /// </summary>
    private Task InsufficientScopeAsync(HttpContext context, string tool, int needed)
    {
        string scope = string.Join(' ', SignInScopes.Supported(signIn.Configuration).Take(needed));
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\", scope=\"{scope}\", resource_metadata=\"{signIn.ResourceMetadataUrl}\", error_description=\"{tool} needs {SignInScopes.Name(needed)}\"";
        return HttpResponses.WriteAsync(context, StatusCodes.Status403Forbidden, "insufficient_scope",
            $"the tool {tool} needs the scope {SignInScopes.Name(needed)}, which this sign-in did not grant; sign in again and allow it");
    }

    /// <summary>
    /// The tool a tools/call request names, read in place from the body the guard buffered; null for anything else or
    /// anything unreadable, which the MCP layer answers.
    /// </summary>
    private static Task<string?> CalledToolAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Body is not MemoryStream body || !body.TryGetBuffer(out var bytes))
            return Task.FromResult<string?>(null);
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(bytes.AsMemory());
            var root = json.RootElement;
            return Task.FromResult(root.ValueKind == System.Text.Json.JsonValueKind.Object
                && root.TryGetProperty("method", out var method) && method.ValueEquals(ModelContextProtocol.Protocol.RequestMethods.ToolsCall)
                && root.TryGetProperty("params", out var parameters) && parameters.ValueKind == System.Text.Json.JsonValueKind.Object
                && parameters.TryGetProperty("name", out var name) && name.ValueKind == System.Text.Json.JsonValueKind.String
                ? name.GetString() : null);
        }
        catch (System.Text.Json.JsonException)
        {
            return Task.FromResult<string?>(null);
        }
    }
}
