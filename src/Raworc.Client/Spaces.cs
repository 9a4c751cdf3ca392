using System.Text.Json;

namespace Raworc.Client;

public sealed record Space(
    string Name, string? Description, JsonElement? Settings, bool Active,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string? CreatedBy);

/// <param name="Name">Letters, digits, '_', '.' and '-' only.</param>
public sealed record CreateSpaceRequest(string Name, string? Description = null, JsonElement? Settings = null);

/// <summary>Every field is optional; the API answers 404 when none is given.</summary>
public sealed record UpdateSpaceRequest(string? Description = null, JsonElement? Settings = null, bool? Active = null);

public sealed partial class RaworcClient
{
    public async Task<List<Space>> ListSpacesAsync(CancellationToken ct = default) =>
        await GetAsync("spaces", RaworcJsonContext.Default.ListSpace, ct).ConfigureAwait(false);

    public async Task<Space> CreateSpaceAsync(CreateSpaceRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, "spaces", request, RaworcJsonContext.Default.CreateSpaceRequest, RaworcJsonContext.Default.Space, ct).ConfigureAwait(false);

    public async Task<Space> GetSpaceAsync(string name, CancellationToken ct = default) =>
        await GetAsync($"spaces/{Segment(name, "space name")}", RaworcJsonContext.Default.Space, ct).ConfigureAwait(false);

    public async Task<Space> UpdateSpaceAsync(string name, UpdateSpaceRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, $"spaces/{Segment(name, "space name")}", request, RaworcJsonContext.Default.UpdateSpaceRequest,
            RaworcJsonContext.Default.Space, ct).ConfigureAwait(false);

    public async Task DeleteSpaceAsync(string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, $"spaces/{Segment(name, "space name")}", ct).ConfigureAwait(false);
}
