using ModelContextProtocol.Protocol;
using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Sessions: running agent containers of a space. Sessions are global and addressed by id.</summary>
internal sealed class SessionTools(ToolContext context) : ToolProvider(context)
{
    public override ToolSet ToolSet => ToolSet.Sessions;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_sessions", "List sessions", ToolEffect.Read,
                "List a space's sessions with their state, newest first.")
            .InSpace()
            .Optional("state", Text, null, RaworcClient.SessionStates)
            .Handles(c => Results.Json(() => Api.ListSessionsAsync(Space(c), c.OptionalString("state"), c.Cancellation)));

        yield return Tool("create_session", "Create session", ToolEffect.Create,
                "Start a session (agent container); its space needs an ANTHROPIC_API_KEY secret and a build.")
            .InSpace()
            .Optional("metadata", AnyObject, null)
            .Handles(c => Results.Json(() => Api.CreateSessionAsync(new CreateSessionRequest(Space(c), c.OptionalObject("metadata")), c.Cancellation)));

        yield return Tool("get_session", "Get session", ToolEffect.Read, "Get one session by id.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.GetSessionAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("update_session", "Update session", ToolEffect.Update, "Replace a session's metadata.")
            .Required("session_id", Text, null)
            .Required("metadata", AnyObject, "Replaces the old.")
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.UpdateSessionAsync(c.String("session_id"),
                new UpdateSessionRequest(c.OptionalObject("metadata")!.Value), c.Cancellation)));

        yield return Tool("update_session_state", "Set session state", ToolEffect.Update,
                "Overwrite a session's state unchecked, for repairs only.")
            .Required("session_id", Text, null)
            .Required("state", Text, null, RaworcClient.SessionStates)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.UpdateSessionStateAsync(c.String("session_id"), c.String("state"), c.Cancellation)));

        yield return Tool("close_session", "Close session", ToolEffect.Update,
                "Close a session: container stopped, files kept; restore_session reopens it.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.CloseSessionAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("restore_session", "Restore session", ToolEffect.Update, "Reopen a closed session; it becomes idle.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.RestoreSessionAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("remix_session", "Remix session", ToolEffect.Create,
                "Fork a session, files included, into a new one in the same space.")
            .Required("session_id", Text, null)
            .Ignores("space") // the new session always stays in the parent's space
            .Optional("metadata", AnyObject, "Default: the parent's.")
            .Handles(c => Results.Json(() => Api.RemixSessionAsync(c.String("session_id"),
                new RemixSessionRequest(c.OptionalObject("metadata")), c.Cancellation)));

        yield return Tool("pause_session", "Pause session", ToolEffect.Update,
                "Close a session (the API has no pause; files kept); resume_session reopens it.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.CloseSessionAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("resume_session", "Resume session", ToolEffect.Update,
                "Restore a closed session (the API has no resume).")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Json(() => Api.RestoreSessionAsync(c.String("session_id"), c.Cancellation)));

        yield return Tool("terminate_session", "Terminate session", ToolEffect.Delete,
                "Delete a session: marked deleted and no longer listed, container and files destroyed; its messages stay in the database.")
            .Required("session_id", Text, null)
            .Ignores("space")
            .Handles(c => Results.Confirm(() => Api.DeleteSessionAsync(c.String("session_id"), c.Cancellation),
                $"Terminated session '{c.String("session_id")}'."));

        yield return Tool("wait_for_session", "Wait for session", ToolEffect.Read,
                "Wait, with progress, for a session to reach a state (default idle); returns it.")
            .Required("session_id", Text, null)
            .Optional("state", Text, "Default idle.", WaitStates)
            .Optional("timeout_seconds", Integer, Polling.TimeoutArgument, minimum: 1, maximum: Polling.MaxTimeoutSeconds)
            .Ignores("space")
            .Handles(Waiting(WaitForSessionAsync));
    }

    /// <summary>States worth waiting for: init is only ever left, errored is reported whenever it is reached.</summary>
    private static readonly IReadOnlyList<string> WaitStates = ["idle", "busy", "closed"];

    private Task<CallToolResult> WaitForSessionAsync(ToolCall c)
    {
        string id = c.String("session_id");
        string target = c.OptionalString("state") ?? "idle";
        var progress = c.Progress;
        string? lastState = null;
        return Results.Json(async () =>
        {
            var outcome = await Polling.RunAsync(
                ct => Api.GetSessionAsync(id, ct),
                async session =>
                {
                    if (session.State != lastState)
                    {
                        lastState = session.State;
                        await progress.ReportAsync($"Session {id}: {session.State}" + (session.State == target ? "" : $" (waiting for {target})")).ConfigureAwait(false);
                    }
                    return session.State == target || session.State == "errored";
                },
                Configuration.PollInterval, Polling.Timeout(c), Waits, c.Cancellation).ConfigureAwait(false);

            var last = outcome.Last;
            if (last.State == target) return ToolJson.ToNode(last)!;
            bool errored = last.State == "errored";
            string note = errored
                ? $"Session {id} is errored and will not become {target}. get_messages shows what happened; remix_session forks it into a new session."
                : Polling.EndedEarly(outcome) + $"Session {id} is still {last.State} after {Polling.Seconds(outcome.Elapsed)}, not yet {target}. " +
                  $"To keep waiting, call wait_for_session again with session_id '{id}'" + (target == "idle" ? "." : $" and state '{target}'.");
            return Polling.NotFinished(!errored, last.State, note, ("session", ToolJson.ToNode(last)));
        });
    }
}
