using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Sessions: running agent containers of a space. Sessions are global and addressed by id.</summary>
internal sealed class SessionTools(ToolContext context) : ToolSet(context)
{
    private const string IdArgument = "Session id (a UUID).";

    [RaworcTool("list_sessions", "List sessions", ToolEffect.Read)]
    [Description("List the sessions of a space, newest first, with state (init, idle, busy, closed, errored).")]
    public Task<CallToolResult> ListSessions(
        [Description(SpaceArgument)] string? space = null,
        [Description("Only sessions in this state.")][AllowedValues("init", "idle", "busy", "closed", "errored")] string? state = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.ListSessionsAsync(SpaceOrDefault(space), state, ct));

    [RaworcTool("create_session", "Create session", ToolEffect.Create)]
    [Description("Start a session (an agent container) in a space. The space needs an ANTHROPIC_API_KEY secret and a completed build. Starts in state init, then idle.")]
    public Task<CallToolResult> CreateSession(
        [Description(SpaceArgument)] string? space = null,
        [Description("Free-form metadata object.")] Dictionary<string, JsonElement>? metadata = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateSessionAsync(new CreateSessionRequest(SpaceOrDefault(space), AsJson(metadata)), ct));

    [RaworcTool("get_session", "Get session", ToolEffect.Read)]
    [Description("Get one session: state, space, parent, timestamps, metadata.")]
    public Task<CallToolResult> GetSession(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.GetSessionAsync(session_id, ct));

    [RaworcTool("update_session", "Update session", ToolEffect.Update)]
    [Description("Replace a session's metadata.")]
    public Task<CallToolResult> UpdateSession(
        [Description(IdArgument)] string session_id,
        [Description("New metadata object; replaces the old one.")] Dictionary<string, JsonElement> metadata,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.UpdateSessionAsync(session_id, new UpdateSessionRequest(AsJson(metadata)!.Value), ct));

    [RaworcTool("update_session_state", "Set session state", ToolEffect.Update)]
    [Description("Overwrite a session's state without any transition check (an operator's repair tool). To stop or reopen a session use close_session or restore_session.")]
    public Task<CallToolResult> UpdateSessionState(
        [Description(IdArgument)] string session_id,
        [Description("The state to write.")][AllowedValues("init", "idle", "busy", "closed", "errored")] string state,
        CancellationToken ct) =>
        Results.Json(() => Api.UpdateSessionStateAsync(session_id, state, ct));

    [RaworcTool("close_session", "Close session", ToolEffect.Update)]
    [Description("Close a session: stops its container and keeps its files; restore_session reopens it. Sending a message also reopens it.")]
    public Task<CallToolResult> CloseSession([Description(IdArgument)] string session_id, CancellationToken ct) =>
        Results.Json(() => Api.CloseSessionAsync(session_id, ct));

    [RaworcTool("restore_session", "Restore session", ToolEffect.Update)]
    [Description("Reopen a closed session; it becomes idle.")]
    public Task<CallToolResult> RestoreSession([Description(IdArgument)] string session_id, CancellationToken ct) =>
        Results.Json(() => Api.RestoreSessionAsync(session_id, ct));

    [RaworcTool("remix_session", "Remix session", ToolEffect.Create)]
    [Description("Fork a session into a new one with a copy of its files, in the same space. Returns the new session.")]
    public Task<CallToolResult> RemixSession(
        [Description(IdArgument)] string session_id,
        [Description("Ignored: the new session always stays in the parent's space.")] string? space = null,
        [Description("Metadata for the new session; copied from the parent when omitted.")] Dictionary<string, JsonElement>? metadata = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.RemixSessionAsync(session_id, new RemixSessionRequest(AsJson(metadata)), ct));

    [RaworcTool("pause_session", "Pause session", ToolEffect.Update)]
    [Description("Pause a session. The API has no pause: this closes the session (container stopped, files kept); resume_session reopens it.")]
    public Task<CallToolResult> PauseSession(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CloseSessionAsync(session_id, ct));

    [RaworcTool("resume_session", "Resume session", ToolEffect.Update)]
    [Description("Resume a paused session. The API has no resume: this restores a closed session, which becomes idle.")]
    public Task<CallToolResult> ResumeSession(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.RestoreSessionAsync(session_id, ct));

    [RaworcTool("terminate_session", "Terminate session", ToolEffect.Delete)]
    [Description("Permanently delete a session with its container, files and messages.")]
    public Task<CallToolResult> TerminateSession(
        [Description(IdArgument)] string session_id,
        [Description(IgnoredSpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Confirm(() => Api.DeleteSessionAsync(session_id, ct), $"Terminated session '{session_id}'.");
}
