using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// The small bodies sign-in takes (a form, a registration): read whole up to a few KB, then parsed without reflection.
/// A longer body is refused before it is parsed.
/// </summary>
internal static class RequestBody
{
    /// <summary>Far above any real form or registration (a handful of redirect URIs), far below anything costly.</summary>
    public const int MaxBytes = 8 * 1024;

    /// <summary>The body as UTF-8 text, or null when it is longer than <see cref="MaxBytes"/>.</summary>
    public static async Task<string?> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes) return null;
        var buffer = new byte[MaxBytes + 1];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
            if (read == 0) break;
            length += read;
        }
        return length > MaxBytes ? null : Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>
    /// An application/x-www-form-urlencoded body's fields, or why it cannot be read. A field given twice is refused
    /// (RFC 6749 §3.1: parameters must not repeat), so that no two readers can disagree on its value.
    /// </summary>
    public static async Task<(Dictionary<string, string>? Fields, string? Problem)> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType || context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
            return (null, "the body must be application/x-www-form-urlencoded");
        string? body = await ReadAsync(context).ConfigureAwait(false);
        if (body is null) return (null, $"the body is longer than {MaxBytes} bytes");
        return Fields(QueryHelpers.ParseNullableQuery(body));
    }

    /// <summary>The query string's parameters, with the same rule as a form's.</summary>
    public static (Dictionary<string, string>? Fields, string? Problem) Query(HttpContext context) =>
        context.Request.QueryString.Value is { Length: > MaxBytes }
            ? (null, $"the query is longer than {MaxBytes} characters")
            : Fields(QueryHelpers.ParseNullableQuery(context.Request.QueryString.Value));

    private static (Dictionary<string, string>? Fields, string? Problem) Fields(Dictionary<string, StringValues>? parsed)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in parsed ?? [])
        {
            if (values.Count > 1) return (null, $"the parameter '{SignInScopes.Printable(name)}' is given more than once");
            fields[name] = values[0] ?? "";
        }
        return (fields, null);
    }
}
