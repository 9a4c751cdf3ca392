using System.Text.Json;

namespace Raworc.Client;

/// <summary>A service account, keyed by its name (<see cref="User"/>).</summary>
public sealed record ServiceAccount(
    string User, string? Space, string? Description, bool Active,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, DateTimeOffset? LastLoginAt);

public sealed record CreateServiceAccountRequest(string User, string Pass, string? Space = null, string? Description = null);

/// <summary>Every field is optional; the API answers 404 when none is given.</summary>
public sealed record UpdateServiceAccountRequest(string? Space = null, string? Description = null, bool? Active = null);

public sealed record UpdatePasswordRequest(string CurrentPassword, string NewPassword);

public sealed partial class RaworcClient
{
    public async Task<List<ServiceAccount>> ListServiceAccountsAsync(CancellationToken ct = default) =>
        await GetAsync("service-accounts", RaworcJsonContext.Default.ListServiceAccount, ct).ConfigureAwait(false);

    public async Task<ServiceAccount> CreateServiceAccountAsync(CreateServiceAccountRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, "service-accounts", request, RaworcJsonContext.Default.CreateServiceAccountRequest,
            RaworcJsonContext.Default.ServiceAccount, ct).ConfigureAwait(false);

    public async Task<ServiceAccount> GetServiceAccountAsync(string name, CancellationToken ct = default) =>
        await GetAsync($"service-accounts/{Segment(name, "service account name")}", RaworcJsonContext.Default.ServiceAccount, ct).ConfigureAwait(false);

    public async Task<ServiceAccount> UpdateServiceAccountAsync(string name, UpdateServiceAccountRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, $"service-accounts/{Segment(name, "service account name")}", request,
            RaworcJsonContext.Default.UpdateServiceAccountRequest, RaworcJsonContext.Default.ServiceAccount, ct).ConfigureAwait(false);

    public async Task DeleteServiceAccountAsync(string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"service-accounts/{Segment(name, "service account name")}", ct).ConfigureAwait(false);

    /// <exception cref="RaworcApiException">With <see cref="RaworcApiException.Codes.WrongCurrentPassword"/> when the current password is wrong.</exception>
    public async Task UpdateServiceAccountPasswordAsync(string name, UpdatePasswordRequest request, CancellationToken ct = default) =>
        await ExecuteAsync(HttpMethod.Put, $"service-accounts/{Segment(name, "service account name")}/password",
            JsonSerializer.SerializeToUtf8Bytes(request, RaworcJsonContext.Default.UpdatePasswordRequest), true, static _ => true, ct,
            checksPassword: true).ConfigureAwait(false);
}
