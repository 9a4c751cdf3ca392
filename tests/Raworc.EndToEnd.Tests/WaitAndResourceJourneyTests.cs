using System.Collections.Concurrent;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Raworc.EndToEnd.Tests;

/// <summary>
/// The wait tools, resources, prompts and completions through the published binary against the stand-in, whose
/// builds, sessions and replies move on by themselves: no polling in the test, the server waits.
/// </summary>
public sealed class WaitAndResourceJourneyTests
{
    [Fact]
    public async Task Build_session_and_reply_are_awaited_by_the_server_and_readable_as_resources()
    {
        await using var standIn = await E2e.StartStandInAsync(delayMs: 150);
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl);
        const string space = "e2e-wait";
        var progress = new ConcurrentQueue<ProgressNotificationValue>();
        await using var registration = mcp.Client.RegisterNotificationHandler(NotificationMethods.ProgressNotification, (n, _) =>
        {
            progress.Enqueue(JsonSerializer.Deserialize<ProgressNotificationParams>(n.Params, McpJsonUtilities.DefaultOptions)!.Progress);
            return default;
        });

        await mcp.CallAsync("create_space", new { name = space });
        await mcp.CallAsync("create_secret", new { space, key_name = "ANTHROPIC_API_KEY", value = "sk-ant-e2e" });
        await mcp.CallAsync("create_agent", new { space, name = "helper", source_repo = "Raworc/raworc-agent-python-demo" });

        // The build: pending → building → completed, awaited in one call with progress.
        var build = await mcp.CallAsync("create_build", new { space });
        var built = await CallWithProgressAsync(mcp, "wait_for_build", new { space, build_id = build.Str("build_id") });
        Assert.Equal("completed", built.Str("status"));
        Assert.Equal(build.Str("build_id"), built.Str("build_id"));
        // Notifications are handled on their own task: the last may come in just after the result.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!progress.Any(p => p.Message!.EndsWith(": completed", StringComparison.Ordinal)) && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(20);
        Assert.Contains(progress, p => p.Message!.EndsWith(": completed", StringComparison.Ordinal));
        Assert.Equal(progress.Select(p => p.Progress).Order(), progress.Select(p => p.Progress));

        // The session: init → idle.
        var session = await mcp.CallAsync("create_session", new { space });
        string id = session.Str("id");
        var idle = await mcp.CallAsync("wait_for_session", new { session_id = id });
        Assert.Equal("idle", idle.Str("state"));

        // One call sends and returns the agent's reply.
        var exchange = await mcp.CallAsync("send_message", new { session_id = id, content = "Say hi", wait_for_reply = true });
        Assert.Equal("Say hi", exchange!["sent"].Str("content"));
        Assert.Equal("agent", exchange["reply"].Str("role"));
        Assert.Equal("Agent reply to: Say hi", exchange["reply"].Str("content"));

        // The newest to the second: question and reply may share one, and then either is the newest.
        var latest = Assert.Single((await mcp.CallAsync("get_messages", new { session_id = id, latest = 1 })).Items());
        Assert.Equal(exchange["reply"].Str("created_at"), latest.Str("created_at"));

        // Resources.
        var resources = await mcp.Client.ListResourcesAsync();
        Assert.Contains(resources, r => r.Uri == $"raworc://spaces/{space}");
        var transcript = Assert.IsType<TextResourceContents>(Assert.Single((await mcp.Client.ReadResourceAsync($"raworc://sessions/{id}/transcript")).Contents));
        Assert.Equal("text/plain", transcript.MimeType);
        Assert.Contains("2 messages, oldest first to the second", transcript.Text);
        Assert.Contains("\nSay hi\n", transcript.Text);
        Assert.Contains("\nAgent reply to: Say hi\n", transcript.Text);
        var latestBuild = Assert.IsType<TextResourceContents>(Assert.Single((await mcp.Client.ReadResourceAsync($"raworc://spaces/{space}/builds/latest")).Contents));
        Assert.Contains("\"status\":\"completed\"", latestBuild.Text);
        var missing = await Assert.ThrowsAsync<McpProtocolException>(() => mcp.Client.ReadResourceAsync("raworc://spaces/no-such-space").AsTask());
        Assert.Equal(McpErrorCode.ResourceNotFound, missing.ErrorCode);

        // Prompts and completions.
        var prompt = await mcp.Client.GetPromptAsync("summarize_session", new Dictionary<string, object?> { ["session_id"] = id });
        Assert.Contains($"get_session (session_id \"{id}\")", Assert.IsType<TextContentBlock>(Assert.Single(prompt.Messages).Content).Text);
        var spaces = await mcp.Client.CompleteAsync(new PromptReference { Name = "fleet_status" }, "space", "e2e-w");
        Assert.Equal([space], spaces.Completion.Values);
        var agents = await mcp.Client.CompleteAsync(new CompleteRequestParams
        {
            Ref = new ResourceTemplateReference { Uri = "raworc://spaces/{space}/agents/{agent}" },
            Argument = new Argument { Name = "agent", Value = "" },
            Context = new CompleteContext { Arguments = new Dictionary<string, string> { ["space"] = space } },
        });
        Assert.Equal(["helper"], agents.Completion.Values);

        await mcp.CallAsync("close_session", new { session_id = id });
        Assert.Equal("closed", (await mcp.CallAsync("wait_for_session", new { session_id = id, state = "closed" })).Str("state"));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> CallWithProgressAsync(Mcp mcp, string tool, object args)
    {
        var arguments = JsonSerializer.SerializeToElement(args).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var result = await mcp.Client.CallToolAsync(tool, arguments, new Progress<ProgressNotificationValue>(), cancellationToken: timeout.Token);
        Assert.False(result.IsError ?? false, Mcp.Text(result) + "\n" + mcp.Log);
        return System.Text.Json.Nodes.JsonNode.Parse(Mcp.Text(result))!;
    }
}
