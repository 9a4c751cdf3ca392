namespace Raworc.Client;

/// <summary>An agent of a space. <see cref="Status"/> is one of configured, building, running, stopped, error.</summary>
public sealed record Agent(
    string Name, string Space, string? Description, string? Purpose, string? SourceRepo, string? SourceBranch, string Status,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string? CreatedBy);

/// <param name="SourceBranch">The API uses <c>main</c> when omitted.</param>
public sealed record CreateAgentRequest(string Name, string SourceRepo, string? Description = null, string? Purpose = null, string? SourceBranch = null);

/// <summary>At least one field must be set; the API fails with a 500 otherwise.</summary>
public sealed record UpdateAgentRequest(string? Description = null, string? Purpose = null, string? SourceRepo = null, string? SourceBranch = null);

public sealed record UpdateAgentStatusRequest(string Status);

/// <summary>The agent's recent log lines as the API host sees them.</summary>
public sealed record AgentLogs(string AgentName, string Space, List<string> Stdout, List<string> Stderr, DateTimeOffset? Timestamp);

public sealed partial class RaworcClient
{
    /// <summary>Agent statuses the API stores.</summary>
    public static readonly IReadOnlyList<string> AgentStatuses = ["configured", "building", "running", "stopped", "error"];

    /// <summary>Values of the logs call's <c>log_type</c>.</summary>
    public static readonly IReadOnlyList<string> AgentLogTypes = ["all", "stdout", "stderr"];

    public async Task<List<Agent>> ListAgentsAsync(string space, CancellationToken ct = default) =>
        await GetAsync(AgentsPath(space), RaworcJsonContext.Default.ListAgent, ct).ConfigureAwait(false);

    /// <summary>Agents whose status is <c>running</c>.</summary>
    public async Task<List<Agent>> ListRunningAgentsAsync(string space, CancellationToken ct = default) =>
        await GetAsync($"{AgentsPath(space)}/running", RaworcJsonContext.Default.ListAgent, ct).ConfigureAwait(false);

    public async Task<Agent> CreateAgentAsync(string space, CreateAgentRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, AgentsPath(space), request, RaworcJsonContext.Default.CreateAgentRequest,
            RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    public async Task<Agent> GetAgentAsync(string space, string name, CancellationToken ct = default) =>
        await GetAsync(AgentPath(space, name), RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    public async Task<Agent> UpdateAgentAsync(string space, string name, UpdateAgentRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, AgentPath(space, name), request, RaworcJsonContext.Default.UpdateAgentRequest,
            RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    public async Task DeleteAgentAsync(string space, string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, AgentPath(space, name), ct).ConfigureAwait(false);

    public async Task<Agent> UpdateAgentStatusAsync(string space, string name, string status, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Patch, $"{AgentPath(space, name)}/status", new UpdateAgentStatusRequest(status),
            RaworcJsonContext.Default.UpdateAgentStatusRequest, RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    /// <summary>Marks the agent <c>building</c>; the API does nothing further with it.</summary>
    public async Task<Agent> DeployAgentAsync(string space, string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{AgentPath(space, name)}/deploy", RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    public async Task<Agent> StopAgentAsync(string space, string name, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{AgentPath(space, name)}/stop", RaworcJsonContext.Default.Agent, ct).ConfigureAwait(false);

    /// <param name="lines">Lines per stream; the API's default is 100.</param>
    /// <param name="logType"><c>all</c>, <c>stdout</c> or <c>stderr</c>; the API's default is all.</param>
    public async Task<AgentLogs> GetAgentLogsAsync(string space, string name, int? lines = null, string? logType = null, CancellationToken ct = default) =>
        await GetAsync(Query($"{AgentPath(space, name)}/logs", ("lines", lines?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("log_type", logType)),
            RaworcJsonContext.Default.AgentLogs, ct).ConfigureAwait(false);

    private static string AgentsPath(string space) => $"spaces/{Segment(space, "space name")}/agents";

    private static string AgentPath(string space, string name) => $"{AgentsPath(space)}/{Segment(name, "agent name")}";
}
