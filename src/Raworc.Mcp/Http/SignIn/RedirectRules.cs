namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// Which redirect URIs a client may register, and when a requested one matches a registered one: exactly, except
/// that a loopback http redirect matches whatever its port (RFC 8252 §7.3: native clients listen on a port the
/// system gives them at each sign-in).
/// </summary>
internal static class RedirectRules
{
    public const int MaxLength = 2000;

    /// <summary>Why <paramref name="text"/> cannot be registered, or null: https, loopback http, or an allowed private-use scheme.</summary>
    public static string? Problem(string text, IReadOnlySet<string> privateSchemes)
    {
        if (text.Length > MaxLength) return $"a redirect URI is longer than {MaxLength} characters";
        // The scheme must be written: on Unix, .NET reads a bare "/path" as a file URI.
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !text.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase)
            || text.Any(char.IsControl) || text.Contains(' '))
            return $"'{SignInScopes.Printable(text)}' is not an absolute URI";
        if (uri.Fragment.Length > 0 || text.Contains('#')) return $"'{SignInScopes.Printable(text)}' has a fragment, which a redirect URI must not have";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return $"'{SignInScopes.Printable(text)}' carries user information";
        if (uri.Scheme == Uri.UriSchemeHttps) return null;
        if (uri.Scheme == Uri.UriSchemeHttp)
            return HttpSettings.IsLoopbackHost(uri) ? null
                : $"'{SignInScopes.Printable(text)}' is http on a host that is not this machine; use https, or http on localhost, 127.0.0.1 or [::1]";
        return privateSchemes.Contains(uri.Scheme) ? null
            : $"the scheme '{SignInScopes.Printable(uri.Scheme)}' is not allowed for redirects here (https, loopback http{(privateSchemes.Count > 0 ? ", " + string.Join(", ", privateSchemes) : "")})";
    }

    /// <summary>True when <paramref name="requested"/> is one of <paramref name="registered"/>, a loopback port aside.</summary>
    public static bool Matches(IEnumerable<string> registered, string requested) =>
        registered.Any(r => r == requested || SameLoopbackRedirect(r, requested));

    private static bool SameLoopbackRedirect(string registered, string requested) =>
        Uri.TryCreate(registered, UriKind.Absolute, out var a) && Uri.TryCreate(requested, UriKind.Absolute, out var b)
        && a.Scheme == Uri.UriSchemeHttp && b.Scheme == Uri.UriSchemeHttp && HttpSettings.IsLoopbackHost(a) && HttpSettings.IsLoopbackHost(b)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.PathAndQuery == b.PathAndQuery && string.IsNullOrEmpty(b.UserInfo) && b.Fragment.Length == 0;

    /// <summary>Where the user is sent back, as the sign-in page names it: scheme and host.</summary>
    public static string Destination(string redirect, out bool onThisComputer)
    {
        var uri = new Uri(redirect);
        onThisComputer = uri.Scheme != Uri.UriSchemeHttps;
        return uri.Scheme == Uri.UriSchemeHttps ? uri.IdnHost : $"{uri.Scheme}://{uri.Host}";
    }

    /// <summary>The CSP source that lets the form's redirect reach the client: its origin, or its scheme for a private-use one.</summary>
    public static string FormActionSource(string redirect)
    {
        var uri = new Uri(redirect);
        return uri.Scheme is "http" or "https" ? HttpSettings.OriginOf(uri) : uri.Scheme + ":";
    }

    /// <summary><paramref name="redirect"/> with the response parameters added to its query.</summary>
    public static string With(string redirect, params (string Name, string? Value)[] parameters)
    {
        var query = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        return redirect + (redirect.Contains('?') ? "&" : "?") + query;
    }
}
