namespace Raworc.Client;

/// <summary>A space image build. <see cref="Status"/> moves pending → building → completed or failed.</summary>
public sealed record Build(
    string BuildId, string Space, string Status, string? ImageTag,
    DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, List<string>? AgentsDeployed, string? Error);

/// <summary>The API reads only <c>force_rebuild</c>, but requires a JSON body.</summary>
public sealed record CreateBuildRequest(bool? ForceRebuild = null);

public sealed partial class RaworcClient
{
    public async Task<Build> CreateBuildAsync(string space, CreateBuildRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"spaces/{Segment(space, "space name")}/build", request, RaworcJsonContext.Default.CreateBuildRequest,
            RaworcJsonContext.Default.Build, ct).ConfigureAwait(false);

    public async Task<Build> GetLatestBuildAsync(string space, CancellationToken ct = default) =>
        await GetAsync($"spaces/{Segment(space, "space name")}/build/latest", RaworcJsonContext.Default.Build, ct).ConfigureAwait(false);

    public async Task<Build> GetBuildAsync(string space, string buildId, CancellationToken ct = default) =>
        await GetAsync($"spaces/{Segment(space, "space name")}/build/{Segment(buildId, "build id")}", RaworcJsonContext.Default.Build, ct).ConfigureAwait(false);
}
