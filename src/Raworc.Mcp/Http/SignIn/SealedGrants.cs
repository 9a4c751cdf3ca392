using System.Text.Json;
using System.Text.Json.Serialization;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>A registered client, carried sealed in its own <c>client_id</c>: nothing is stored.</summary>
internal sealed record RegisteredClient(string? Name, string[] RedirectUris, long IssuedAt);

/// <summary>An authorization request checked by GET /authorize, carried sealed in the sign-in form.</summary>
internal sealed record PendingAuthorization(string ClientId, string RedirectUri, string? State, string Challenge, string Scope, long Expires);

/// <summary>The sign-in form's CSRF token: bound to one pending request and to the browser that loaded the page.</summary>
internal sealed record FormToken(string RequestDigest, string BrowserDigest, long Expires);

/// <summary>What a code, an access token or a refresh token carries: the Raworc token and what it may be used for.</summary>
/// <param name="ClientId">The client it was issued to (its sealed client id's digest).</param>
/// <param name="RedirectUri">Codes only: the redirect it was sent to.</param>
/// <param name="Challenge">Codes only: the PKCE S256 challenge.</param>
/// <param name="RaworcExpires">When the Raworc token inside expires (Unix seconds): nothing outlives it.</param>
/// <param name="Expires">When this code or token expires (Unix seconds).</param>
internal sealed record Grant(string ClientId, string? RedirectUri, string? Challenge, string Scope, string Audience, string Raworc, long RaworcExpires, long Expires);

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegisteredClient))]
[JsonSerializable(typeof(PendingAuthorization))]
[JsonSerializable(typeof(FormToken))]
[JsonSerializable(typeof(Grant))]
internal sealed partial class SignInJsonContext : JsonSerializerContext;

/// <summary>
/// The kinds of sealed text sign-in hands out, each sealed for its own purpose so that one never opens as another
/// (an access token presented as a refresh token, a client id as a code).
/// </summary>
internal sealed class SealedGrants(SealingKeys keys)
{
    public const string ClientPurpose = "oauth-client";
    public const string RequestPurpose = "oauth-request";
    public const string FormPurpose = "oauth-form";
    public const string CodePurpose = "oauth-code";
    public const string AccessPurpose = "oauth-access";
    public const string RefreshPurpose = "oauth-refresh";

    public string SealClient(RegisteredClient client) => Seal(ClientPurpose, client, SignInJsonContext.Default.RegisteredClient);

    public RegisteredClient? OpenClient(string? text) => Open(ClientPurpose, text, SignInJsonContext.Default.RegisteredClient);

    public string SealRequest(PendingAuthorization request) => Seal(RequestPurpose, request, SignInJsonContext.Default.PendingAuthorization);

    public PendingAuthorization? OpenRequest(string? text) => Open(RequestPurpose, text, SignInJsonContext.Default.PendingAuthorization);

    public string SealForm(FormToken token) => Seal(FormPurpose, token, SignInJsonContext.Default.FormToken);

    public FormToken? OpenForm(string? text) => Open(FormPurpose, text, SignInJsonContext.Default.FormToken);

    public string SealGrant(string purpose, Grant grant) => Seal(purpose, grant, SignInJsonContext.Default.Grant);

    public Grant? OpenGrant(string purpose, string? text) => Open(purpose, text, SignInJsonContext.Default.Grant);

    private string Seal<T>(string purpose, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        keys.Seal(purpose, JsonSerializer.SerializeToUtf8Bytes(value, type));

    private T? Open<T>(string purpose, string? text, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (!keys.TryOpen(purpose, text, out var payload)) return null;
        try
        {
            return JsonSerializer.Deserialize(payload, type);
        }
        catch (JsonException)
        {
            return null; // sealed by us, so only a format from another version of this server gets here
        }
    }

    /// <summary>A short digest of sealed text or a secret, to bind or remember it without keeping it.</summary>
    public static string Digest(string text) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), 0, 16);
}
