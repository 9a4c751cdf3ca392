using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// Dynamic client registration (RFC 7591) with no store: the <c>client_id</c> handed back is the registration itself
/// (its redirect URIs and name), sealed. Only public clients (<c>token_endpoint_auth_method</c> none, PKCE) are
/// registered; a client asking for a secret is registered as public, which the response states.
/// </summary>
internal sealed class ClientRegistrationEndpoint(SignInService signIn)
{
    public const int MaxRedirectUris = 10;
    public const int MaxNameLength = 200;

    public async Task RegisterAsync(HttpContext context)
    {
        string? body = await RequestBody.ReadAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            await Fail(context, $"the registration is longer than {RequestBody.MaxBytes} bytes").ConfigureAwait(false);
            return;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            await Fail(context, "the body is not JSON; send the client's metadata as a JSON object (RFC 7591)").ConfigureAwait(false);
            return;
        }
        using (document)
        {
            var (client, problem, error) = Read(document.RootElement);
            if (client is null)
            {
                await Fail(context, problem!, error).ConfigureAwait(false);
                return;
            }
            string clientId = signIn.Grants.SealClient(client);
            await SignInService.WriteJsonAsync(context, StatusCodes.Status201Created, json =>
            {
                json.WriteString("client_id", clientId);
                json.WriteNumber("client_id_issued_at", client.IssuedAt);
                if (client.Name is not null) json.WriteString("client_name", client.Name);
                json.WriteStartArray("redirect_uris");
                foreach (string uri in client.RedirectUris) json.WriteStringValue(uri);
                json.WriteEndArray();
                json.WriteStartArray("grant_types");
                json.WriteStringValue("authorization_code");
                json.WriteStringValue("refresh_token");
                json.WriteEndArray();
                json.WriteStartArray("response_types");
                json.WriteStringValue("code");
                json.WriteEndArray();
                json.WriteString("token_endpoint_auth_method", "none");
            }).ConfigureAwait(false);
        }
    }

    private (RegisteredClient? Client, string? Problem, string Error) Read(JsonElement root)
    {
        const string metadata = "invalid_client_metadata", redirect = "invalid_redirect_uri";
        if (root.ValueKind != JsonValueKind.Object) return (null, "the registration must be a JSON object", metadata);
        if (!root.TryGetProperty("redirect_uris", out var uris) || uris.ValueKind != JsonValueKind.Array || uris.GetArrayLength() == 0)
            return (null, "redirect_uris must be a non-empty array of URIs", redirect);
        if (uris.GetArrayLength() > MaxRedirectUris) return (null, $"at most {MaxRedirectUris} redirect_uris may be registered", redirect);
        var list = new List<string>();
        foreach (var uri in uris.EnumerateArray())
        {
            if (uri.ValueKind != JsonValueKind.String) return (null, "redirect_uris must hold strings", redirect);
            string text = uri.GetString()!;
            if (RedirectRules.Problem(text, signIn.Settings.RedirectSchemes) is { } problem) return (null, problem, redirect);
            if (!list.Contains(text)) list.Add(text);
        }
        string? name = null;
        if (root.TryGetProperty("client_name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
        {
            if (nameElement.ValueKind != JsonValueKind.String) return (null, "client_name must be a string", metadata);
            name = new string([.. nameElement.GetString()!.Where(c => !char.IsControl(c))]).Trim();
            if (name.Length > MaxNameLength) return (null, $"client_name is longer than {MaxNameLength} characters", metadata);
            if (name.Length == 0) name = null;
        }
        if (Strings(root, "grant_types") is { } grants && grants.Except(["authorization_code", "refresh_token"]).FirstOrDefault() is { } grant)
            return (null, $"the grant type '{SignInScopes.Printable(grant)}' is not supported (authorization_code, refresh_token)", metadata);
        if (Strings(root, "response_types") is { } types && types.Except(["code"]).FirstOrDefault() is { } type)
            return (null, $"the response type '{SignInScopes.Printable(type)}' is not supported (code)", metadata);
        return (new RegisteredClient(name, [.. list], signIn.Now), null, metadata);
    }

    private static string[]? Strings(JsonElement root, string property) =>
        root.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array
            ? [.. value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : "(not a string)")]
            : null;

    private static Task Fail(HttpContext context, string description, string error = "invalid_client_metadata") =>
        SignInService.WriteErrorAsync(context, StatusCodes.Status400BadRequest, error, description);
}
