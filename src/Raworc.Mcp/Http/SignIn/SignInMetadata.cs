using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// Discovery: protected-resource metadata (RFC 9728) for /mcp, at its path-inserted address and at the root for
/// clients that probe there, and authorization-server metadata (RFC 8414), also at the OpenID Connect address that
/// clients probe. Every address comes from the public URL, never from Host or forwarded headers.
/// </summary>
internal sealed class SignInMetadata(SignInService signIn)
{
    public Task ProtectedResourceAsync(HttpContext context) => SignInService.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
    {
        json.WriteString("resource", signIn.Resource);
        WriteArray(json, "authorization_servers", [signIn.Issuer]);
        WriteArray(json, "scopes_supported", SignInScopes.Supported(signIn.Configuration));
        WriteArray(json, "bearer_methods_supported", ["header"]);
        json.WriteString("resource_name", "Raworc");
    });

    public Task AuthorizationServerAsync(HttpContext context) => SignInService.WriteJsonAsync(context, StatusCodes.Status200OK, json =>
    {
        json.WriteString("issuer", signIn.Issuer);
        json.WriteString("authorization_endpoint", signIn.Issuer + SignInService.AuthorizePath);
        json.WriteString("token_endpoint", signIn.Issuer + SignInService.TokenPath);
        json.WriteString("registration_endpoint", signIn.Issuer + SignInService.RegisterPath);
        WriteArray(json, "response_types_supported", ["code"]);
        WriteArray(json, "response_modes_supported", ["query"]);
        WriteArray(json, "grant_types_supported", ["authorization_code", "refresh_token"]);
        WriteArray(json, "code_challenge_methods_supported", ["S256"]);
        WriteArray(json, "token_endpoint_auth_methods_supported", ["none"]);
        WriteArray(json, "scopes_supported", SignInScopes.Supported(signIn.Configuration));
        json.WriteBoolean("authorization_response_iss_parameter_supported", true);
    });

    private static void WriteArray(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (string value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }
}
