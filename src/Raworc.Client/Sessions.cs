using System.Text.Json;

namespace Raworc.Client;

/// <summary>A session: an agent container of a space. <see cref="State"/> is one of init, idle, busy, closed, errored.</summary>
public sealed record Session(
    string Id, string Space, string? CreatedBy, string State, string? ContainerId, string? PersistentVolumeId,
    string? ParentSessionId, DateTimeOffset? CreatedAt, DateTimeOffset? LastActivityAt, JsonElement? Metadata);

/// <param name="Space">The API uses <c>default</c> when omitted (an explicit null is rejected, so it is never sent).</param>
public sealed record CreateSessionRequest(string? Space = null, JsonElement? Metadata = null);

/// <summary>Replaces the session's metadata.</summary>
public sealed record UpdateSessionRequest(JsonElement Metadata);

public sealed record UpdateSessionStateRequest(string State);

/// <summary>What <c>PUT /sessions/{id}/state</c> answers.</summary>
public sealed record SessionStateChange(bool Success, string State);

/// <param name="Metadata">Copied from the parent when omitted.</param>
public sealed record RemixSessionRequest(JsonElement? Metadata = null);

public sealed partial class RaworcClient
{
    /// <summary>Session states a client may set (<c>deleted</c> is reserved for <see cref="DeleteSessionAsync"/>).</summary>
    public static readonly IReadOnlyList<string> SessionStates = ["init", "idle", "busy", "closed", "errored"];

    /// <param name="space">Only sessions of this space; all spaces when null.</param>
    /// <param name="state">Only sessions in this state.</param>
    public async Task<List<Session>> ListSessionsAsync(string? space = null, string? state = null, CancellationToken ct = default) =>
        await GetAsync(Query("sessions", ("space", space), ("state", state)), RaworcJsonContext.Default.ListSession, ct).ConfigureAwait(false);

    /// <summary>Starts a session. The space needs an <c>ANTHROPIC_API_KEY</c> secret and a completed build.</summary>
    public async Task<Session> CreateSessionAsync(CreateSessionRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, "sessions", request, RaworcJsonContext.Default.CreateSessionRequest, RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    public async Task<Session> GetSessionAsync(string id, CancellationToken ct = default) =>
        await GetAsync(SessionPath(id), RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    public async Task<Session> UpdateSessionAsync(string id, UpdateSessionRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, SessionPath(id), request, RaworcJsonContext.Default.UpdateSessionRequest,
            RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    /// <summary>Writes the state as given; the API does not check transitions.</summary>
    public async Task<SessionStateChange> UpdateSessionStateAsync(string id, string state, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Put, $"{SessionPath(id)}/state", new UpdateSessionStateRequest(state),
            RaworcJsonContext.Default.UpdateSessionStateRequest, RaworcJsonContext.Default.SessionStateChange, ct).ConfigureAwait(false);

    /// <summary>Stops the container and keeps its volume; the session becomes <c>closed</c>.</summary>
    public async Task<Session> CloseSessionAsync(string id, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{SessionPath(id)}/close", RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    /// <summary>Restarts a <c>closed</c> session; it becomes <c>idle</c>.</summary>
    public async Task<Session> RestoreSessionAsync(string id, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{SessionPath(id)}/restore", RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    /// <summary>Forks a session into a new one in the same space, copying its volume.</summary>
    public async Task<Session> RemixSessionAsync(string id, RemixSessionRequest request, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Post, $"{SessionPath(id)}/remix", request, RaworcJsonContext.Default.RemixSessionRequest,
            RaworcJsonContext.Default.Session, ct).ConfigureAwait(false);

    /// <summary>Deletes the session with its container and volume.</summary>
    public async Task DeleteSessionAsync(string id, CancellationToken ct = default) =>
        await SendAsync(HttpMethod.Delete, SessionPath(id), ct).ConfigureAwait(false);

    private static string SessionPath(string id) => $"sessions/{Segment(id, "session id")}";
}
