using Raworc.Mcp.Tools;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// What an access token lets its holder do, as three nested scopes: <c>raworc:read</c> (tools that only read),
/// <c>raworc:write</c> (also the tools that create and change) and <c>raworc:destroy</c> (also the destructive ones,
/// where the server offers them at all). Each includes the ones before it, so a token is one level.
/// </summary>
internal static class SignInScopes
{
    public const string Read = "raworc:read";
    public const string Write = "raworc:write";
    public const string Destroy = "raworc:destroy";

    private const string Prefix = "raworc:";

    /// <summary>The scopes this server grants: destroy only when destructive tools are offered.</summary>
    public static IReadOnlyList<string> Supported(ServerConfiguration configuration) =>
        configuration.AllowDestructive && !configuration.ReadOnly ? [Read, Write, Destroy] : [Read, Write];

    /// <summary>What a request without <c>scope</c> gets: everything the server allows.</summary>
    public static string Default(ServerConfiguration configuration) => string.Join(' ', Supported(configuration));

    /// <summary>The level a scope string grants: the highest raworc scope in it (0 for none).</summary>
    public static int Level(string scope)
    {
        int level = 0;
        foreach (string item in scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            level = Math.Max(level, item switch { Read => 1, Write => 2, Destroy => 3, _ => 0 });
        return level;
    }

    /// <summary>The scope a level is named by in a challenge or an error.</summary>
    public static string Name(int level) => level switch { >= 3 => Destroy, 2 => Write, _ => Read };

    /// <summary>The level a tool needs: its effect decides.</summary>
    public static int Needed(ToolEffect effect) => effect switch
    {
        ToolEffect.Read => 1,
        ToolEffect.Delete => 3,
        _ => 2,
    };

    /// <summary>
    /// The scope granted for a requested one, normalised (the supported raworc scopes asked for, in order), or why it
    /// cannot be granted. Other vocabularies' scopes (openid, offline_access, a client's own) are not ours to refuse:
    /// they are left out of the grant, which is what the token response's <c>scope</c> reports.
    /// </summary>
    public static string? Grant(string? requested, ServerConfiguration configuration, out string granted)
    {
        var supported = Supported(configuration);
        granted = Default(configuration);
        if (string.IsNullOrWhiteSpace(requested)) return null;
        var asked = requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (string item in asked.Where(s => s.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            if (item == Destroy && !supported.Contains(Destroy))
                return $"{Destroy} is not available: this server does not offer destructive tools";
            if (!supported.Contains(item))
                return $"unknown scope '{Printable(item)}'; this server knows {string.Join(", ", supported)}";
        }
        var ours = supported.Where(asked.Contains).ToList();
        if (ours.Count > 0) granted = string.Join(' ', ours);
        return null;
    }

    /// <summary>Narrows <paramref name="granted"/> to a level (the read-only box on the sign-in page).</summary>
    public static string Narrow(string granted, int level) =>
        string.Join(' ', granted.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => Level(s) <= level).DefaultIfEmpty(Name(level)));

    /// <summary>What a level allows, in words, for the sign-in page.</summary>
    public static string Describe(int level) => level switch
    {
        >= 3 => "read, create, change and permanently delete everything your Raworc account can",
        2 => "read, create and change everything your Raworc account can (nothing destructive)",
        _ => "read everything your Raworc account can, and change nothing",
    };

    internal static string Printable(string value) =>
        new([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
}
