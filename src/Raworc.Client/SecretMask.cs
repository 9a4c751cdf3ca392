using System.Text.Encodings.Web;
using System.Text.Json;

namespace Raworc.Client;

/// <summary>
/// The credentials a client knows (its token, its password, tokens it obtained by logging in, and whatever else a
/// caller adds, such as a per-request token) and the one way to keep them out of a text: every occurrence, raw,
/// JSON-escaped or URL-escaped, becomes <see cref="Mask"/>. Thread-safe; secrets are only ever added.
/// </summary>
public sealed class SecretMask
{
    public const string Mask = "[redacted]";

    /// <summary>Shorter values are not masked: they would mangle ordinary words and protect nothing.</summary>
    public const int MinLength = 3;

    private readonly object _lock = new();
    private string[] _forms = [];

    public SecretMask(params string?[] secrets)
    {
        foreach (var secret in secrets) Add(secret);
    }

    /// <summary>Adds a secret (ignored when null or shorter than <see cref="MinLength"/>).</summary>
    public void Add(string? secret)
    {
        if (secret is null || secret.Length < MinLength) return;
        lock (_lock)
        {
            if (_forms.Contains(secret, StringComparer.Ordinal)) return;
            _forms = [.. _forms.Concat(Forms(secret)).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length)];
        }
    }

    private Func<string?>? _contextual;

    /// <summary>
    /// A secret that depends on the context, read at every <see cref="Apply"/>: the token of the request being served,
    /// which is masked while that request runs and never kept (a shared server sees many).
    /// </summary>
    public void AddContextual(Func<string?> current) => _contextual = current;

    /// <summary>The text with every known secret, and every one of <paramref name="more"/>, replaced by <see cref="Mask"/>.</summary>
    public string Apply(string text, IEnumerable<string?>? more = null)
    {
        if (_contextual?.Invoke() is { Length: >= MinLength } current) more = more is null ? [current] : more.Append(current);
        var forms = _forms;
        if (more is not null)
        {
            var extra = more.Where(s => s is { Length: >= MinLength }).SelectMany(s => Forms(s!)).ToList();
            if (extra.Count > 0) forms = [.. forms.Concat(extra).Distinct(StringComparer.Ordinal).OrderByDescending(f => f.Length)];
        }
        foreach (var form in forms)
            if (text.Contains(form, StringComparison.Ordinal))
                text = text.Replace(form, Mask, StringComparison.Ordinal);
        return text;
    }

    /// <summary>How an API or a log may quote a value: as is, inside a JSON string (strict or relaxed escaping), or in a URL.</summary>
    private static IEnumerable<string> Forms(string secret) =>
    [
        secret,
        JsonEncodedText.Encode(secret).ToString(),
        JsonEncodedText.Encode(secret, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
        Uri.EscapeDataString(secret),
    ];
}
