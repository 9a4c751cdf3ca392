using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using ModelContextProtocol.Protocol;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Agents of a space: code from a repository that the space's build packs into the session image.</summary>
internal sealed class AgentTools(ToolContext context) : ToolSet(context)
{
    private const string NameArgument = "Agent name.";

    [RaworcTool("list_agents", "List agents", ToolEffect.Read)]
    [Description("List the agents of a space with source repository, branch and status (configured, building, running, stopped, error).")]
    public Task<CallToolResult> ListAgents([Description(SpaceArgument)] string? space = null, CancellationToken ct = default) =>
        Results.Json(() => Api.ListAgentsAsync(SpaceOrDefault(space), ct));

    [RaworcTool("create_agent", "Create agent", ToolEffect.Create, OpenWorld = true)]
    [Description("Add an agent to a space from a Git repository. It is packed into sessions at the space's next build (create_build).")]
    public Task<CallToolResult> CreateAgent(
        [Description("Agent name, unique in the space.")] string name,
        [Description("Source repository, e.g. Raworc/raworc-agent-python-demo.")] string source_repo,
        [Description(SpaceArgument)] string? space = null,
        [Description("Short description.")] string? description = null,
        [Description("What the agent is for, in a few words.")] string? purpose = null,
        [Description("Branch to build (default main).")] string? source_branch = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.CreateAgentAsync(SpaceOrDefault(space), new CreateAgentRequest(name, source_repo, description, purpose, source_branch), ct));

    [RaworcTool("get_agent", "Get agent", ToolEffect.Read)]
    [Description("Get one agent of a space.")]
    public Task<CallToolResult> GetAgent(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.GetAgentAsync(SpaceOrDefault(space), agent_name, ct));

    [RaworcTool("update_agent", "Update agent", ToolEffect.Update)]
    [Description("Change an agent's description, purpose, repository or branch. Give at least one field; rebuild the space to apply code changes.")]
    public Task<CallToolResult> UpdateAgent(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        [Description("New description.")] string? description = null,
        [Description("New purpose.")] string? purpose = null,
        [Description("New source repository.")] string? source_repo = null,
        [Description("New branch.")] string? source_branch = null,
        CancellationToken ct = default)
    {
        if (description is null && purpose is null && source_repo is null && source_branch is null)
            return Task.FromResult(ToolResults.InvalidArguments("update_agent", ["give at least one of description, purpose, source_repo, source_branch"]));
        return Results.Json(() => Api.UpdateAgentAsync(SpaceOrDefault(space), agent_name,
            new UpdateAgentRequest(description, purpose, source_repo, source_branch), ct));
    }

    [RaworcTool("delete_agent", "Delete agent", ToolEffect.Delete)]
    [Description("Permanently remove an agent from a space.")]
    public Task<CallToolResult> DeleteAgent(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Confirm(() => Api.DeleteAgentAsync(SpaceOrDefault(space), agent_name, ct), $"Deleted agent '{agent_name}' from space '{SpaceOrDefault(space)}'.");

    [RaworcTool("update_agent_status", "Set agent status", ToolEffect.Update)]
    [Description("Overwrite an agent's status.")]
    public Task<CallToolResult> UpdateAgentStatus(
        [Description(NameArgument)] string agent_name,
        [Description("The status to write.")][AllowedValues("configured", "building", "running", "stopped", "error")] string status,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.UpdateAgentStatusAsync(SpaceOrDefault(space), agent_name, status, ct));

    [RaworcTool("deploy_agent", "Deploy agent", ToolEffect.Update)]
    [Description("Mark an agent for deployment (status building). Agents reach sessions through the space build: use create_build.")]
    public Task<CallToolResult> DeployAgent(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.DeployAgentAsync(SpaceOrDefault(space), agent_name, ct));

    [RaworcTool("stop_agent", "Stop agent", ToolEffect.Update)]
    [Description("Stop an agent (status stopped).")]
    public Task<CallToolResult> StopAgent(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.StopAgentAsync(SpaceOrDefault(space), agent_name, ct));

    [RaworcTool("list_running_agents", "List running agents", ToolEffect.Read)]
    [Description("List the agents of a space whose status is running.")]
    public Task<CallToolResult> ListRunningAgents([Description(SpaceArgument)] string? space = null, CancellationToken ct = default) =>
        Results.Json(() => Api.ListRunningAgentsAsync(SpaceOrDefault(space), ct));

    [RaworcTool("get_agent_logs", "Get agent logs", ToolEffect.Read)]
    [Description("Get an agent's latest stdout and stderr lines, as a snapshot.")]
    public Task<CallToolResult> GetAgentLogs(
        [Description(NameArgument)] string agent_name,
        [Description(SpaceArgument)] string? space = null,
        [Description("Lines per stream (default 100).")][Range(1, 10000)] int? limit = null,
        [Description("Which stream: all (default), stdout or stderr.")][AllowedValues("all", "stdout", "stderr")] string? log_type = null,
        [Description("Ignored: the API cannot stream; call again for newer lines.")] bool? follow = null,
        CancellationToken ct = default) =>
        Results.Json(() => Api.GetAgentLogsAsync(SpaceOrDefault(space), agent_name, limit, log_type, ct));
}
