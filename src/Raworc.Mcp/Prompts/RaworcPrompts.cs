using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Raworc.Mcp.Prompts;

/// <summary>One prompt: its listing and how its text is made from the arguments (all strings).</summary>
internal sealed record PromptDefinition(Prompt Listing, Func<IReadOnlyDictionary<string, string>, string> Render);

/// <summary>
/// MCP prompts: multi-step workflows over the tools, each naming the exact tools to call, in order, and what to look
/// for. Declared explicitly (no attribute scanning); arguments are strings, required ones are checked here.
/// </summary>
internal sealed class RaworcPrompts(string defaultSpace)
{
    private static PromptArgument Arg(string name, string description, bool required) =>
        new() { Name = name, Description = description, Required = required };

    /// <summary>The prompts, in listing order.</summary>
    public IReadOnlyList<PromptDefinition> All { get; } =
    [
        new(new Prompt
        {
            Name = "diagnose_agent",
            Title = "Diagnose an agent",
            Description = "Find out why an agent of a space is not working: its status, logs, the space's build, secrets and failing sessions.",
            Arguments = [Arg("space", "The agent's space.", true), Arg("agent", "The agent's name.", true)],
        }, a => $"""
            Diagnose the Raworc agent '{a["agent"]}' in space '{a["space"]}'. Only read until the diagnosis is done; change nothing without asking me.

            1. get_agent (name "{a["agent"]}", space "{a["space"]}"): note status (configured, building, running, stopped, error), source_repo, source_branch and updated_at. If it is not found, call list_agents for the space and stop: report the names that exist.
            2. get_agent_logs (name "{a["agent"]}", limit 200): look for errors, stack traces, failed installs or missing environment variables, mostly in stderr.
            3. get_latest_build (space "{a["space"]}"): is the status completed? If failed, quote its error. Check that the agent is in agents_deployed and that the build started after the agent's updated_at; otherwise the sessions run an older image without the agent's latest code.
            4. list_secrets (space "{a["space"]}", without show_values): an ANTHROPIC_API_KEY secret must exist, and any key the logs say is missing.
            5. list_sessions (space "{a["space"]}", state "errored"): for the newest errored session, get_messages (session_id, latest 10) and look for the last agent or system message.

            Then report: the most likely cause, the evidence (quote the log lines or errors), and the fix as exact tool calls (for example update_agent, then create_build and wait_for_build with its build_id). Ask before running any of them.
            """),

        new(new Prompt
        {
            Name = "deploy_agent_from_repo",
            Title = "Deploy an agent from a repository",
            Description = "Add (or update) an agent from a Git repository, build the space, start a session and check that the agent answers.",
            Arguments =
            [
                Arg("space", "The space to deploy into.", true),
                Arg("name", "The agent's name, unique in the space.", true),
                Arg("repo", "Source repository, e.g. Raworc/raworc-agent-python-demo.", true),
                Arg("branch", "Branch to build (default main).", false),
            ],
        }, a =>
        {
            string branch = a.TryGetValue("branch", out var b) && !string.IsNullOrWhiteSpace(b) ? b : "main";
            return $"""
                Deploy the agent '{a["name"]}' from the repository {a["repo"]} (branch {branch}) into the Raworc space '{a["space"]}', step by step. Stop at the first failure and tell me what failed and why.

                1. get_space (name "{a["space"]}"). If it does not exist, ask me whether to create it, then create_space.
                2. list_secrets (space "{a["space"]}", without show_values). If there is no ANTHROPIC_API_KEY, ask me for the key (never invent one) and store it with create_secret (name "ANTHROPIC_API_KEY").
                3. get_agent (name "{a["name"]}", space "{a["space"]}"). If it exists, update_agent with source_repo "{a["repo"]}" and source_branch "{branch}"; otherwise create_agent (name "{a["name"]}", source_repo "{a["repo"]}", source_branch "{branch}", space "{a["space"]}").
                4. create_build (space "{a["space"]}"), then wait_for_build with its build_id. If the result says it is still running, call wait_for_build again with the same build_id. If the build failed, quote its error and stop.
                5. create_session (space "{a["space"]}"), then wait_for_session (session_id, state "idle").
                6. send_message (session_id, content "Hello! In two sentences: who are you and what can you do?", wait_for_reply true) as a smoke test.

                Report the build_id and its image_tag, the session_id, and the agent's reply. Leave the session open and say that close_session stops it.
                """;
        }),

        new(new Prompt
        {
            Name = "fleet_status",
            Title = "Fleet status of a space",
            Description = "Summarize a space: agents and their status, the latest build, sessions by state, and what needs attention.",
            Arguments = [Arg("space", $"The space (default: the configured default space, '{defaultSpace}').", false)],
        }, a =>
        {
            string space = a.TryGetValue("space", out var s) && !string.IsNullOrWhiteSpace(s) ? s : defaultSpace;
            return $"""
                Give me the status of the Raworc space '{space}'. Only read; change nothing.

                1. get_space (name "{space}"): description and whether it is active.
                2. list_agents (space "{space}"): each agent's status, source_repo and source_branch.
                3. get_latest_build (space "{space}"): status, image_tag, completed_at, agents_deployed, error. "No builds found" means sessions cannot start yet.
                4. list_sessions (space "{space}"): count the sessions per state (init, idle, busy, closed, errored) and note the newest last_activity_at.
                5. For each agent with status error, get_agent_logs (name, limit 50); for up to three errored sessions, get_messages (session_id, latest 5).

                Answer with a short table of agents, one line on the build, the session counts, and a list of what needs attention (errored sessions, agents in error, agents added or changed after the latest build, a failed build), each with the tool call that would fix or inspect it.
                """;
        }),

        new(new Prompt
        {
            Name = "summarize_session",
            Title = "Summarize a session",
            Description = "Summarize a session's conversation with its agent: the goal, what was done, the outcome and open questions.",
            Arguments = [Arg("session_id", "The session id (a UUID).", true)],
        }, a => $"""
            Summarize the Raworc session {a["session_id"]}. Only read; change nothing.

            1. get_session (session_id "{a["session_id"]}"): state, space, created_at, last_activity_at, parent_session_id (a remix) and metadata.
            2. get_message_count (session_id "{a["session_id"]}"). Then read the conversation: the resource raworc://sessions/{a["session_id"]}/transcript if you can read resources, else get_messages (session_id "{a["session_id"]}", latest 200; for more than 200 messages page with limit and offset). Messages are oldest first to the second (within one second in any order); role user is the person, agent the session's agent, system the platform.
            3. If the state is busy, the agent is still working: say so; wait_for_session (session_id "{a["session_id"]}", state "idle") waits for it to finish.

            Write: the user's goal, what the agent did (files, commands, results), the outcome, and open questions or next steps. Quote the agent sparingly, and mention errors verbatim.
            """),
    ];

    public ValueTask<ListPromptsResult> ListAsync(RequestContext<ListPromptsRequestParams> request, CancellationToken ct) =>
        ValueTask.FromResult(new ListPromptsResult { Prompts = [.. All.Select(p => p.Listing)] });

    public ValueTask<GetPromptResult> GetAsync(RequestContext<GetPromptRequestParams> request, CancellationToken ct) =>
        ValueTask.FromResult(Get(request.Params?.Name ?? "", request.Params?.Arguments));

    /// <exception cref="McpProtocolException">Unknown prompt, or a required argument is missing (invalid params).</exception>
    public GetPromptResult Get(string name, IDictionary<string, JsonElement>? arguments)
    {
        var prompt = All.FirstOrDefault(p => p.Listing.Name == name)
            ?? throw new McpProtocolException($"Unknown prompt: {DisplayText.Quote(name)}. Prompts: {string.Join(", ", All.Select(p => p.Listing.Name))}.", McpErrorCode.InvalidParams);

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            string? text = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            };
            if (!string.IsNullOrWhiteSpace(text)) values[key] = text.Trim();
        }

        // The same limit as a tool's text arguments: a prompt's text repeats its arguments several times.
        var tooLong = values.Where(v => v.Value.Length > Tools.ToolArgument.MaxTextLength).Select(v => v.Key).ToList();
        if (tooLong.Count > 0)
            throw new McpProtocolException(
                $"Prompt '{name}': {string.Join("; ", tooLong.Select(k => $"argument '{k}' is {values[k].Length:N0} characters long"))}; the limit is {Tools.ToolArgument.MaxTextLength:N0}.",
                McpErrorCode.InvalidParams);

        var declared = prompt.Listing.Arguments ?? [];
        var missing = declared.Where(a => a.Required == true && !values.ContainsKey(a.Name)).Select(a => a.Name).ToList();
        if (missing.Count > 0)
            throw new McpProtocolException(
                $"Prompt '{name}' needs the argument{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))}.",
                McpErrorCode.InvalidParams);
        var unknown = values.Keys.Where(k => declared.All(a => a.Name != k)).ToList();
        if (unknown.Count > 0)
            throw new McpProtocolException(
                $"Prompt '{name}' has no argument {string.Join(", ", unknown.Select(DisplayText.Quote))}; its arguments are {string.Join(", ", declared.Select(a => a.Name))}.",
                McpErrorCode.InvalidParams);

        return new GetPromptResult
        {
            Description = prompt.Listing.Description,
            Messages = [new PromptMessage { Role = Role.User, Content = new TextContentBlock { Text = prompt.Render(values) } }],
        };
    }
}
