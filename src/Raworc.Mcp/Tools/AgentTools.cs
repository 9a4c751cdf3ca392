using System.Text.Json.Nodes;
using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Agents of a space: code from a repository that the space's build packs into the session image.</summary>
internal sealed class AgentTools(ToolContext context) : ToolProvider(context)
{
    /// <summary>GET, PUT and DELETE of spaces/{space}/agents/running reach the list of running agents, not an agent of that name.</summary>
    private static string? Running(ToolCall call, string? instead = null) =>
        string.Equals(call.String("name"), "running", StringComparison.Ordinal)
            ? "an agent named 'running' cannot be addressed (Raworc routes that name to the list of running agents)" + (instead is null ? "" : $"; {instead}")
            : null;

    public override ToolSet ToolSet => ToolSet.Agents;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_agents", "List agents", ToolEffect.Read,
                "List a space's agents: repository, branch, status.")
            .InSpace()
            .Handles(c => Results.Json(() => Api.ListAgentsAsync(Space(c), c.Cancellation)));

        yield return Tool("create_agent", "Create agent", ToolEffect.Create,
                "Add an agent from a Git repository to a space; create_build packs it into sessions.", openWorld: true)
            .Required("name", Text, null)
            .Required("source_repo", Text, "e.g. Raworc/raworc-agent-python-demo.")
            .InSpace()
            .Optional("description", Text, null)
            .Optional("purpose", Text, null)
            .Optional("source_branch", Text, "Default main.")
            .Refuses(c => Running(c, "pick another name"))
            .Handles(c => Results.Json(() => Api.CreateAgentAsync(Space(c), new CreateAgentRequest(c.String("name"), c.String("source_repo"),
                c.OptionalString("description"), c.OptionalString("purpose"), c.OptionalString("source_branch")), c.Cancellation)));

        yield return Tool("get_agent", "Get agent", ToolEffect.Read, "Get one agent of a space.")
            .Required("name", Text, null).Alias("agent_name")
            .InSpace()
            .Refuses(c => Running(c, "list_agents shows it; list_running_agents lists the agents that run"))
            .Handles(c => Results.Json(() => Api.GetAgentAsync(Space(c), c.String("name"), c.Cancellation)));

        yield return Tool("update_agent", "Update agent", ToolEffect.Update,
                "Change an agent's description, purpose, repository or branch; rebuild to apply code.")
            .Required("name", Text, null).Alias("agent_name")
            .InSpace()
            .Optional("description", Text, null)
            .Optional("purpose", Text, null)
            .Optional("source_repo", Text, null)
            .Optional("source_branch", Text, null)
            .Refuses(c => Running(c))
            .AtLeastOneOf("description", "purpose", "source_repo", "source_branch")
            .Handles(c => Results.Json(() => Api.UpdateAgentAsync(Space(c), c.String("name"), new UpdateAgentRequest(c.OptionalString("description"),
                c.OptionalString("purpose"), c.OptionalString("source_repo"), c.OptionalString("source_branch")), c.Cancellation)));

        yield return Tool("delete_agent", "Delete agent", ToolEffect.Delete, "Permanently remove an agent from a space.")
            .Required("name", Text, null).Alias("agent_name")
            .InSpace()
            .Refuses(c => Running(c))
            .Handles(c => Results.Confirm(() => Api.DeleteAgentAsync(Space(c), c.String("name"), c.Cancellation),
                $"Deleted agent '{c.String("name")}' from space '{Space(c)}'."));

        yield return Tool("update_agent_status", "Set agent status", ToolEffect.Update, "Overwrite an agent's status.")
            .Required("name", Text, null).Alias("agent_name")
            .Required("status", Text, null, RaworcClient.AgentStatuses)
            .InSpace()
            .Handles(c => Results.Json(() => Api.UpdateAgentStatusAsync(Space(c), c.String("name"), c.String("status"), c.Cancellation)));

        yield return Tool("deploy_agent", "Deploy agent", ToolEffect.Update,
                "Set an agent's status to building; only create_build puts code into sessions.")
            .Required("name", Text, null).Alias("agent_name")
            .InSpace()
            .Handles(c => Results.Json(() => Api.DeployAgentAsync(Space(c), c.String("name"), c.Cancellation)));

        yield return Tool("stop_agent", "Stop agent", ToolEffect.Update, "Stop an agent (status stopped).")
            .Required("name", Text, null).Alias("agent_name")
            .InSpace()
            .Handles(c => Results.Json(() => Api.StopAgentAsync(Space(c), c.String("name"), c.Cancellation)));

        yield return Tool("list_running_agents", "List running agents", ToolEffect.Read, "List a space's agents whose status is running.")
            .InSpace()
            .Handles(c => Results.Json(() => Api.ListRunningAgentsAsync(Space(c), c.Cancellation)));

        yield return Tool("get_agent_logs", "Get agent logs", ToolEffect.Read,
                "Get an agent's latest stdout/stderr lines from log files on the API host, found by agent name in any space; empty may just mean no file.")
            .Required("name", Text, null).Alias("agent_name")
            .Optional("limit", Integer, "Lines per stream (default 100).", minimum: 1, maximum: 10000)
            .Optional("log_type", Text, "Default all.", RaworcClient.AgentLogTypes)
            .Ignores("space") // the server reads the files by agent name only; the route still has a space
            .Ignores("follow") // the API cannot stream
            .Handles(c => Results.Json(async () => WithoutSpace(await Api.GetAgentLogsAsync(Space(c), c.String("name"), c.OptionalInt("limit"),
                c.OptionalString("log_type"), c.Cancellation).ConfigureAwait(false))));
    }

    /// <summary>
    /// The API names the space of the route it was called on, but reads the log files by agent name alone: a space in
    /// the answer would claim the lines belong to the agent of that space.
    /// </summary>
    private static JsonObject WithoutSpace(AgentLogs logs)
    {
        var answer = ToolJson.ToNode(logs)!.AsObject();
        answer.Remove("space");
        return answer;
    }
}
