using Raworc.Client;
using static Raworc.Mcp.Tools.ArgumentType;

namespace Raworc.Mcp.Tools;

/// <summary>Agents of a space: code from a repository that the space's build packs into the session image.</summary>
internal sealed class AgentTools(ToolContext context) : ToolProvider(context)
{
    private const string NameArgument = "Agent name.";

    public override ToolSet ToolSet => ToolSet.Agents;

    public override IEnumerable<ToolDefinition> Define()
    {
        yield return Tool("list_agents", "List agents", ToolEffect.Read,
                "List a space's agents: repository, branch, status (configured, building, running, stopped, error).")
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.ListAgentsAsync(Space(c), c.Cancellation)));

        yield return Tool("create_agent", "Create agent", ToolEffect.Create,
                "Add an agent to a space from a Git repository. It is packed into sessions at the space's next build (create_build).", openWorld: true)
            .Required("name", Text, "Agent name, unique in the space.")
            .Required("source_repo", Text, "Source repository, e.g. Raworc/raworc-agent-python-demo.")
            .Optional("space", Text, SpaceArgument)
            .Optional("description", Text, "Short description.")
            .Optional("purpose", Text, "What the agent is for, in a few words.")
            .Optional("source_branch", Text, "Branch to build (default main).")
            .Handles(c => Results.Json(() => Api.CreateAgentAsync(Space(c), new CreateAgentRequest(c.String("name"), c.String("source_repo"),
                c.OptionalString("description"), c.OptionalString("purpose"), c.OptionalString("source_branch")), c.Cancellation)));

        yield return Tool("get_agent", "Get agent", ToolEffect.Read, "Get one agent of a space.")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.GetAgentAsync(Space(c), c.String("agent_name"), c.Cancellation)));

        yield return Tool("update_agent", "Update agent", ToolEffect.Update,
                "Change an agent's description, purpose, repository or branch (give at least one); rebuild the space to apply code.")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Optional("description", Text, "New description.")
            .Optional("purpose", Text, "New purpose.")
            .Optional("source_repo", Text, "New source repository.")
            .Optional("source_branch", Text, "New branch.")
            .Handles(c =>
            {
                var request = new UpdateAgentRequest(c.OptionalString("description"), c.OptionalString("purpose"),
                    c.OptionalString("source_repo"), c.OptionalString("source_branch"));
                return request is { Description: null, Purpose: null, SourceRepo: null, SourceBranch: null }
                    ? Task.FromResult(ToolResults.InvalidArguments("update_agent", ["give at least one of description, purpose, source_repo, source_branch"]))
                    : Results.Json(() => Api.UpdateAgentAsync(Space(c), c.String("agent_name"), request, c.Cancellation));
            });

        yield return Tool("delete_agent", "Delete agent", ToolEffect.Delete, "Permanently remove an agent from a space.")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Confirm(() => Api.DeleteAgentAsync(Space(c), c.String("agent_name"), c.Cancellation),
                $"Deleted agent '{c.String("agent_name")}' from space '{Space(c)}'."));

        yield return Tool("update_agent_status", "Set agent status", ToolEffect.Update, "Overwrite an agent's status.")
            .Required("agent_name", Text, NameArgument)
            .Required("status", Text, "The status to write.", RaworcClient.AgentStatuses)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.UpdateAgentStatusAsync(Space(c), c.String("agent_name"), c.String("status"), c.Cancellation)));

        yield return Tool("deploy_agent", "Deploy agent", ToolEffect.Update,
                "Mark an agent for deployment (status building). Agents reach sessions through the space build (create_build).")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.DeployAgentAsync(Space(c), c.String("agent_name"), c.Cancellation)));

        yield return Tool("stop_agent", "Stop agent", ToolEffect.Update, "Stop an agent (status stopped).")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.StopAgentAsync(Space(c), c.String("agent_name"), c.Cancellation)));

        yield return Tool("list_running_agents", "List running agents", ToolEffect.Read, "List the agents of a space whose status is running.")
            .Optional("space", Text, SpaceArgument)
            .Handles(c => Results.Json(() => Api.ListRunningAgentsAsync(Space(c), c.Cancellation)));

        yield return Tool("get_agent_logs", "Get agent logs", ToolEffect.Read, "Get an agent's latest stdout and stderr lines, as a snapshot.")
            .Required("agent_name", Text, NameArgument)
            .Optional("space", Text, SpaceArgument)
            .Optional("limit", Integer, "Lines per stream (default 100).", minimum: 1, maximum: 10000)
            .Optional("log_type", Text, "Which stream: all (default), stdout or stderr.", RaworcClient.AgentLogTypes)
            .Ignores("follow") // the API cannot stream
            .Handles(c => Results.Json(() => Api.GetAgentLogsAsync(Space(c), c.String("agent_name"), c.OptionalInt("limit"),
                c.OptionalString("log_type"), c.Cancellation)));
    }
}
