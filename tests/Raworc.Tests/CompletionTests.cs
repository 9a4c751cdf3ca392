using ModelContextProtocol.Protocol;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>completion/complete through MCP against WireMock: what is offered, filtering, context, caching, limits.</summary>
public sealed class CompletionTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";

    private static string Spaces(params string[] names) =>
        "[" + string.Join(',', names.Select(n => $$"""{"name":"{{n}}","active":true,"created_at":"{{T0}}","updated_at":"{{T0}}"}""")) + "]";

    private static Task<CompleteResult> CompleteAsync(McpTestHost host, Reference reference, string argument, string value,
        Dictionary<string, string>? context = null) =>
        host.Client.CompleteAsync(new CompleteRequestParams
        {
            Ref = reference,
            Argument = new Argument { Name = argument, Value = value },
            Context = context is null ? null : new CompleteContext { Arguments = context },
        }).AsTask();

    [Fact]
    public async Task Space_names_are_completed_by_prefix_for_prompts_and_templates()
    {
        await using var host = await StartAsync();
        host.Respond(200, Spaces("staging", "Stage-2", "production", "default"));

        var prompt = await CompleteAsync(host, new PromptReference { Name = "fleet_status" }, "space", "st");
        var template = await CompleteAsync(host, new ResourceTemplateReference { Uri = "raworc://spaces/{space}/builds/latest" }, "space", "");

        Assert.Equal(["staging", "Stage-2"], prompt.Completion.Values);
        Assert.Equal(2, prompt.Completion.Total);
        Assert.False(prompt.Completion.HasMore);
        Assert.Equal(["staging", "Stage-2", "production", "default"], template.Completion.Values);
        // The second completion came from the cache.
        Assert.Equal("/api/v0/spaces", host.SingleRequest().RequestMessage.Path);
    }

    [Fact]
    public async Task Agent_names_come_from_the_space_in_the_context()
    {
        await using var host = await StartAsync();
        host.Respond(200, """[{"name":"analyzer","space":"staging","source_repo":"o/r","status":"running"},{"name":"writer","space":"staging","source_repo":"o/w","status":"configured"}]""");

        var result = await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "agent", "a",
            new Dictionary<string, string> { ["space"] = "team a" });

        Assert.Equal(["analyzer"], result.Completion.Values);
        Assert.Equal("/api/v0/spaces/team%20a/agents", RawPath(host.SingleRequest()));
    }

    [Fact]
    public async Task Agent_names_default_to_the_default_space()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_DEFAULT_SPACE"] = "team-b" });
        host.Respond(200, "[]");

        var result = await CompleteAsync(host, new ResourceTemplateReference { Uri = "raworc://spaces/{space}/agents/{agent}" }, "agent", "");

        Assert.Empty(result.Completion.Values);
        Assert.Equal("/api/v0/spaces/team-b/agents", host.SingleRequest().RequestMessage.Path);
    }

    [Fact]
    public async Task Session_ids_are_completed()
    {
        await using var host = await StartAsync();
        host.Respond(200, $$"""[{"id":"{{SessionId}}","space":"default","state":"idle"},{"id":"0aa1","space":"default","state":"closed"}]""");

        var result = await CompleteAsync(host, new ResourceTemplateReference { Uri = "raworc://sessions/{session_id}/transcript" }, "session_id", "6F3C");

        Assert.Equal([SessionId], result.Completion.Values);
        Assert.Equal("/api/v0/sessions", new Uri(host.SingleRequest().RequestMessage.AbsoluteUrl).PathAndQuery);
    }

    [Fact]
    public async Task At_most_100_values_with_the_total()
    {
        await using var host = await StartAsync();
        host.Respond(200, Spaces([.. Enumerable.Range(0, 150).Select(i => $"space-{i:000}")]));

        var result = await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "space", "space-");

        Assert.Equal(100, result.Completion.Values.Count);
        Assert.Equal(150, result.Completion.Total);
        Assert.True(result.Completion.HasMore);
    }

    [Fact]
    public async Task A_value_longer_than_a_name_is_never_suggested()
    {
        await using var host = await StartAsync();
        host.Respond(200, Spaces("s-short", "s-" + new string('x', 100_000)));

        var result = await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "space", "s-");

        Assert.Equal(["s-short"], result.Completion.Values);
    }

    [Theory]
    [InlineData("prompt", "deploy_agent_from_repo", "repo")]
    [InlineData("prompt", "no_such_prompt", "space")]
    [InlineData("prompt", "summarize_session", "space")]
    [InlineData("resource", "raworc://unknown/{space}", "space")]
    [InlineData("resource", "raworc://sessions/{session_id}", "space")]
    public async Task Nothing_is_offered_for_other_arguments_or_references(string kind, string name, string argument)
    {
        await using var host = await StartAsync();
        host.Respond(200, Spaces("staging"));
        Reference reference = kind == "prompt" ? new PromptReference { Name = name } : new ResourceTemplateReference { Uri = name };

        var result = await CompleteAsync(host, reference, argument, "");

        Assert.Empty(result.Completion.Values);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task A_failing_api_gives_no_values_not_an_error()
    {
        await using var host = await StartAsync();
        host.Respond(401, "");

        var result = await CompleteAsync(host, new PromptReference { Name = "fleet_status" }, "space", "");

        Assert.Empty(result.Completion.Values);
        // A failure is not cached: the next keystroke asks again.
        host.Respond(200, Spaces("staging"));
        Assert.Equal(["staging"], (await CompleteAsync(host, new PromptReference { Name = "fleet_status" }, "space", "")).Completion.Values);
    }

    [Fact]
    public async Task A_space_that_cannot_be_a_space_name_is_never_sent_nor_kept()
    {
        await using var host = await StartAsync();
        host.Respond(200, "[]");

        var tooLong = await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "agent", "",
            new Dictionary<string, string> { ["space"] = new string('s', 3_500_000) });
        var dots = await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "agent", "",
            new Dictionary<string, string> { ["space"] = ".." });

        Assert.Empty(tooLong.Completion.Values);
        Assert.Empty(dots.Completion.Values);
        Assert.Empty(host.Requests);
        Assert.Equal(0, host.Raworc.Completions.CachedCount);
    }

    [Fact]
    public async Task A_value_longer_than_any_name_gets_no_suggestions_and_reaches_no_API()
    {
        await using var host = await StartAsync();
        host.Respond(200, Spaces("staging"));

        var result = await CompleteAsync(host, new PromptReference { Name = "fleet_status" }, "space", new string('s', 1025));

        Assert.Empty(result.Completion.Values);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Failures_are_not_kept_and_the_cache_is_bounded_in_entries()
    {
        await using var host = await StartAsync();
        host.Respond(500, "");
        for (int i = 0; i < 5; i++)
            await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "agent", "", new Dictionary<string, string> { ["space"] = $"failing-{i}" });
        Assert.Equal(0, host.Raworc.Completions.CachedCount);

        host.Respond(200, "[]");
        int calls = Raworc.Mcp.Completions.MaxCacheEntries + 20;
        for (int i = 0; i < calls; i++)
            await CompleteAsync(host, new PromptReference { Name = "diagnose_agent" }, "agent", "", new Dictionary<string, string> { ["space"] = $"space-{i}" });
        Assert.Equal(Raworc.Mcp.Completions.MaxCacheEntries, host.Raworc.Completions.CachedCount);
    }
}
