using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.Primitives;
using Raworc.Client;

namespace Raworc.Mcp.Http;

/// <summary>
/// The Raworc token of a request's <c>Authorization</c> header, parsed once: the scheme in any case, any spacing, and
/// the token checked for being one a Raworc server could have issued. Raworc tokens are HS256 JWTs (three base64url
/// segments whose first two are JSON objects) with an <c>exp</c> claim; the signature cannot be checked here (only
/// Raworc knows its secret), but anything else is refused before the body is read, and never reaches the API.
/// </summary>
internal sealed class BearerToken
{
    /// <summary>Longest token accepted: Raworc's are about 250 characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>How far past its <c>exp</c> Raworc still accepts a token (the JWT library's default leeway).</summary>
    public static readonly TimeSpan ExpiryLeeway = TimeSpan.FromSeconds(60);

    private BearerToken(string value, DateTimeOffset? expires)
    {
        Value = value;
        Expires = expires;
        Key = RaworcClient.TokenKey(value);
    }

    /// <summary>The token itself: sent to Raworc, never logged.</summary>
    public string Value { get; }

    /// <summary>A digest of the token (never the token): what limits and caches key on.</summary>
    public string Key { get; }

    /// <summary>The token's <c>exp</c> claim, when it has one.</summary>
    public DateTimeOffset? Expires { get; }

    /// <summary>Parses the header; on failure, says why with an RFC 6750 error code (null when no header was sent).</summary>
    public static BearerToken? Parse(StringValues header, DateTimeOffset now, out (string? Error, string Message) problem)
    {
        if (Word(header, out problem) is not { } token) return null;
        if (ShapeProblem(token, out var expires) is { } shape)
        {
            problem = ("invalid_token", $"the bearer token cannot be a Raworc token: {shape}; send the token from 'raworc auth' or POST /api/v0/auth/login");
            return null;
        }
        if (expires is { } expiry && expiry + ExpiryLeeway < now)
        {
            problem = ("invalid_token", $"the bearer token expired at {expiry.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC; log in again for a fresh one (Raworc tokens last 24 hours)");
            return null;
        }
        return new BearerToken(token, expires);
    }

    /// <summary>
    /// The bearer token of the header as a word that can be sent on (any scheme case, any spacing), whatever kind of
    /// token it is; on failure, says why with an RFC 6750 error code (null when no header was sent).
    /// </summary>
    public static string? Word(StringValues header, out (string? Error, string Message) problem)
    {
        problem = default;
        if (header.Count == 0)
        {
            problem = (null, "this server needs your Raworc token: send 'Authorization: Bearer <token>' with every request (a token from 'raworc auth' or POST /api/v0/auth/login)");
            return null;
        }
        if (header.Count > 1)
        {
            problem = ("invalid_request", "send exactly one Authorization header");
            return null;
        }
        string value = (header[0] ?? "").Trim();
        int space = value.IndexOfAny([' ', '\t']);
        if (space <= 0 || !value.AsSpan(0, space).Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            problem = ("invalid_request", "the Authorization header must use the Bearer scheme: 'Authorization: Bearer <token>'");
            return null;
        }
        string token = value[(space + 1)..].Trim();
        if (RaworcClient.TokenProblem(token) is { } unsendable)
        {
            problem = ("invalid_request", $"the bearer token must be one word of printable ASCII characters; it {unsendable}");
            return null;
        }
        return token;
    }

    /// <summary>Why <paramref name="token"/> is not a JWT (three base64url segments, the first two JSON objects), or null.</summary>
    internal static string? ShapeProblem(string token, out DateTimeOffset? expires)
    {
        expires = null;
        if (token.Length > MaxLength) return $"it is {token.Length:N0} characters long, over the {MaxLength:N0} a token can be";
        string[] segments = token.Split('.');
        if (segments.Length != 3) return $"a Raworc token is a JWT of three dot-separated parts, and this has {segments.Length}";
        for (int i = 0; i < 3; i++)
        {
            if (segments[i].Length == 0) return $"part {i + 1} of 3 is empty";
            if (!segments[i].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
                return $"part {i + 1} of 3 is not base64url";
        }
        if (!IsJsonObject(segments[0], out _)) return "its header (part 1) is not a JSON object";
        if (!IsJsonObject(segments[1], out var payload)) return "its claims (part 2) are not a JSON object";
        expires = payload;
        return null;
    }

    /// <summary>Whether the base64url segment decodes to a JSON object; its numeric <c>exp</c>, if any.</summary>
    private static bool IsJsonObject(string segment, out DateTimeOffset? expires)
    {
        expires = null;
        byte[] bytes = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(segment.Length));
        try
        {
            if (!Base64Url.TryDecodeFromChars(segment, bytes, out int length)) return false;
            var reader = new Utf8JsonReader(bytes.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isExp = reader.ValueTextEquals("exp"u8);
                reader.Read();
                if (isExp && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long seconds)
                    && seconds is > 0 and < 253402300800) // before the year 10000
                    expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
                reader.Skip();
            }
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
