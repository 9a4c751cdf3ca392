namespace Raworc.Client;

public sealed record VersionInfo(string Version, string? Api);

public sealed record LoginRequest(string User, string Pass);

public sealed record LoginResponse(string Token, string? TokenType, DateTimeOffset? ExpiresAt);

/// <summary>The authenticated principal (<c>GET /auth/me</c>).</summary>
public sealed record Principal(string User, string? Namespace, string? Type);

public sealed partial class RaworcClient
{
    /// <summary><c>GET /health</c>: succeeds when the API answers 2xx (the body is empty). Needs no token.</summary>
    public async Task CheckHealthAsync(CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Get, "health", ct, authenticated: false).ConfigureAwait(false);

    /// <summary><c>GET /version</c>. Needs no token.</summary>
    public async Task<VersionInfo> GetVersionAsync(CancellationToken ct = default) =>
        await GetAsync("version", RaworcJsonContext.Default.VersionInfo, ct, authenticated: false).ConfigureAwait(false);

    /// <summary><c>POST /auth/login</c>: exchanges a service account's name and password for a 24-hour token.
    /// The client does not start using the returned token; configure it with <see cref="RaworcClientOptions"/>.</summary>
    public async Task<LoginResponse> LoginAsync(string user, string password, CancellationToken ct = default) =>
        await LoginCoreAsync(user, password, ct).ConfigureAwait(false);

    private Task<LoginResponse> LoginCoreAsync(string user, string password, CancellationToken ct) =>
        SendAsync(HttpMethod.Post, "auth/login", new LoginRequest(user, password), RaworcJsonContext.Default.LoginRequest,
            RaworcJsonContext.Default.LoginResponse, ct, authenticated: false);

    /// <summary><c>GET /auth/me</c>: who the configured credentials belong to.</summary>
    public async Task<Principal> GetCurrentPrincipalAsync(CancellationToken ct = default) =>
        await GetAsync("auth/me", RaworcJsonContext.Default.Principal, ct).ConfigureAwait(false);
}
