namespace Raworc.Client;

/// <summary>A space secret. <see cref="EncryptedValue"/> (the plaintext, despite its wire name) is present only when
/// values were asked for.</summary>
public sealed record Secret(
    string Space, string KeyName, string? Description,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string? CreatedBy, string? EncryptedValue = null);

public sealed record CreateSecretRequest(string KeyName, string Value, string? Description = null);

/// <summary>At least one field must be set; the API answers 404 otherwise.</summary>
public sealed record UpdateSecretRequest(string? Value = null, string? Description = null);

public sealed partial class RaworcClient
{
    public async Task<List<Secret>> ListSecretsAsync(string space, bool showValues = false, CancellationToken ct = default) =>
        await GetAsync(Query($"spaces/{Segment(space, "space name")}/secrets", ("show_values", showValues ? "true" : null)),
            RaworcJsonContext.Default.ListSecret, ct).ConfigureAwait(false);

    public async Task<Secret> CreateSecretAsync(string space, CreateSecretRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"spaces/{Segment(space, "space name")}/secrets", request,
            RaworcJsonContext.Default.CreateSecretRequest, RaworcJsonContext.Default.Secret, ct).ConfigureAwait(false);

    public async Task<Secret> GetSecretAsync(string space, string key, bool showValues = false, CancellationToken ct = default) =>
        await GetAsync(Query($"spaces/{Segment(space, "space name")}/secrets/{Segment(key, "secret key")}", ("show_values", showValues ? "true" : null)),
            RaworcJsonContext.Default.Secret, ct).ConfigureAwait(false);

    public async Task<Secret> UpdateSecretAsync(string space, string key, UpdateSecretRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, $"spaces/{Segment(space, "space name")}/secrets/{Segment(key, "secret key")}", request,
            RaworcJsonContext.Default.UpdateSecretRequest, RaworcJsonContext.Default.Secret, ct).ConfigureAwait(false);

    public async Task DeleteSecretAsync(string space, string key, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"spaces/{Segment(space, "space name")}/secrets/{Segment(key, "secret key")}", ct).ConfigureAwait(false);
}
