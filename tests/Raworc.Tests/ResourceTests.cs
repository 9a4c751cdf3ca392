using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using Raworc.Mcp.Resources;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>MCP resources (raworc:// URIs) through MCP against WireMock: listing, templates, reading, errors.</summary>
public sealed class ResourceTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";
    private const string Space = $$"""{"name":"staging","description":"Staging","settings":{"environment":"staging"},"active":true,"created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";
    private const string Agent = $$"""{"name":"data-analyzer","space":"staging","source_repo":"Raworc/raworc-agent-python-demo","source_branch":"main","status":"configured","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";
    private const string Build = """{"build_id":"0b9d","space":"staging","status":"completed","image_tag":"raworc/space-staging:0b9d","started_at":"2025-08-30T18:20:01+00:00","agents_deployed":["data-analyzer"]}""";
    private const string Session = $$$"""{"id":"{{{SessionId}}}","space":"default","created_by":"admin","state":"idle","created_at":"{{{T0}}}","metadata":{}}""";

    private static IResponseBuilder Json(string body, int status = 200) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    [Fact]
    public async Task Resource_templates_match_the_committed_snapshot()
    {
        await using var host = await StartAsync();
        var templates = await host.Client.ListResourceTemplatesAsync();
        var actual = new JsonArray(templates.Select(t => JsonSerializer.SerializeToNode(t.ProtocolResourceTemplate, Snapshot.Pretty)).ToArray());

        Snapshot.Assert("resources-templates-list.json", actual.ToJsonString(Snapshot.Pretty) + "\n");
        Assert.Equal(
            ["raworc://spaces/{space}", "raworc://spaces/{space}/agents/{agent}", "raworc://spaces/{space}/builds/latest",
             "raworc://sessions/{session_id}", "raworc://sessions/{session_id}/transcript"],
            templates.Select(t => t.UriTemplate));
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task Server_advertises_resources_prompts_and_completions()
    {
        await using var host = await StartAsync();
        var capabilities = host.Client.ServerCapabilities;
        Assert.NotNull(capabilities.Resources);
        Assert.NotNull(capabilities.Prompts);
        Assert.NotNull(capabilities.Completions);
        Assert.NotNull(capabilities.Tools);
        string instructions = host.Client.ServerInstructions!;
        Snapshot.Assert("instructions.txt", instructions + "\n");
        foreach (var word in new[] { "wait_for_build", "wait_for_session", "wait_for_reply", "raworc://sessions/{session_id}/transcript", "whoami" })
            Assert.Contains(word, instructions);
    }

    [Fact]
    public async Task Resources_list_the_spaces()
    {
        await using var host = await StartAsync();
        host.Respond(200, $$"""[{{Space}},{"name":"team a/b","active":true,"created_at":"{{T0}}","updated_at":"{{T0}}"}]""");

        var resources = await host.Client.ListResourcesAsync();

        Assert.Equal("/api/v0/spaces", host.SingleRequest().RequestMessage.Path);
        Assert.Equal(["raworc://spaces/staging", "raworc://spaces/team%20a%2Fb"], resources.Select(r => r.Uri));
        Assert.Equal(["staging", "team a/b"], resources.Select(r => r.Name));
        Assert.Equal("Staging", resources[0].Description);
        Assert.All(resources, r => Assert.Equal("application/json", r.MimeType));
    }

    public static TheoryData<string, string, string, string> Reads => new()
    {
        // uri, API path (raw, as sent), API body, what the resource holds
        { "raworc://spaces/staging", "/api/v0/spaces/staging", Space, Space },
        { "raworc://spaces/staging/agents/data-analyzer", "/api/v0/spaces/staging/agents/data-analyzer", Agent, Agent },
        { "raworc://spaces/staging/builds/latest", "/api/v0/spaces/staging/build/latest", Build, Build },
        { $"raworc://sessions/{SessionId}", $"/api/v0/sessions/{SessionId}", Session, Session },
        // Percent-encoded names are decoded, then escaped again as one path segment by the client.
        { "raworc://spaces/team%20a%2Fb", "/api/v0/spaces/team%20a%2Fb", Space, Space },
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Reading_a_resource_returns_the_api_json(string uri, string rawPath, string body, string expected)
    {
        await using var host = await StartAsync();
        host.Respond(200, body);

        var result = await host.Client.ReadResourceAsync(uri);

        Assert.Equal(rawPath, RawPath(host.SingleRequest()));
        var content = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal(uri, content.Uri);
        Assert.Equal("application/json", content.MimeType);
        Assert.Equal(expected, content.Text);
    }

    [Fact]
    public async Task The_transcript_is_readable_text_oldest_first()
    {
        await using var host = await StartAsync();
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}").UsingGet()).RespondWith(Json(Session));
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}/messages").UsingGet()).RespondWith(Json($$"""
            [{"id":"m1","session_id":"{{SessionId}}","role":"user","content":"Write a haiku","created_at":"2025-08-30T18:23:10+00:00"},
             {"id":"m2","session_id":"{{SessionId}}","role":"agent","content":"Autumn moonlight\na worm digs silently\ninto the chestnut\n","created_at":"2025-08-30T20:23:14+02:00"}]
            """));

        var result = await host.Client.ReadResourceAsync($"raworc://sessions/{SessionId}/transcript");

        var content = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal("text/plain", content.MimeType);
        Assert.Equal($"""
            Session {SessionId} in space 'default', state idle: 2 messages, oldest first to the second (within one second in any order).

            --- user at 2025-08-30 18:23:10 UTC
            Write a haiku

            --- agent at 2025-08-30 18:23:14 UTC
            Autumn moonlight
            a worm digs silently
            into the chestnut

            """.ReplaceLineEndings("\n"), content.Text);
        Assert.Contains(host.Requests, r => new Uri(r.RequestMessage.AbsoluteUrl).PathAndQuery == $"/api/v0/sessions/{SessionId}/messages?limit={RaworcResources.TranscriptPageSize}&offset=0");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_transcript_holds_every_message_once_though_a_page_ends_inside_a_second_listed_differently_at_each_read(int seed)
    {
        await using var host = await StartAsync();
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}").UsingGet()).RespondWith(Json(Session));
        // Seven messages a second: the first page of 200 ends inside the second of messages 196 to 202.
        var messages = Enumerable.Range(0, 250).Select(i => new Tools.ListedSession.Stored($"m{i}", "user", $"message {i}.", i / 7)).ToArray();
        new Tools.ListedSession { Ties = Tools.ListedSession.Shuffled(seed) }.Before(messages).Serve(host);

        var result = await host.Client.ReadResourceAsync($"raworc://sessions/{SessionId}/transcript");

        string text = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text;
        Assert.Contains("250 messages, oldest first to the second", text);
        foreach (var message in messages)
            Assert.Equal(1, text.Split('\n').Count(line => line == message.Content));
    }

    [Theory]
    [InlineData("raworc://nothing/here")]
    [InlineData("raworc://spaces")]
    [InlineData("raworc://spaces/staging/builds/first")]
    [InlineData("raworc://spaces//agents/x")]
    [InlineData("raworc://spaces/staging?x=1")]
    [InlineData("https://example.com/spaces/staging")]
    public async Task An_unknown_uri_is_resource_not_found(string uri)
    {
        await using var host = await StartAsync();

        var e = await Assert.ThrowsAsync<McpProtocolException>(() => host.Client.ReadResourceAsync(uri).AsTask());

        Assert.Equal(McpErrorCode.ResourceNotFound, e.ErrorCode);
        Assert.Contains("Resource not found", e.Message);
        Assert.Contains("raworc://spaces/{space}", e.Message);
        Assert.Empty(host.Requests);
    }

    [Fact]
    public async Task A_missing_space_is_resource_not_found_with_the_api_message()
    {
        await using var host = await StartAsync();
        host.Respond(404, """{"error":{"code":"NOT_FOUND","message":"Space 'nope' not found"}}""");

        var e = await Assert.ThrowsAsync<McpProtocolException>(() => host.Client.ReadResourceAsync("raworc://spaces/nope").AsTask());

        Assert.Equal(McpErrorCode.ResourceNotFound, e.ErrorCode);
        Assert.Contains("Space 'nope' not found", e.Message);
    }

    [Fact]
    public async Task Other_api_failures_are_internal_errors_naming_the_status()
    {
        await using var host = await StartAsync();
        host.Respond(401, "");

        var e = await Assert.ThrowsAsync<McpProtocolException>(() => host.Client.ReadResourceAsync($"raworc://sessions/{SessionId}").AsTask());

        Assert.Equal(McpErrorCode.InternalError, e.ErrorCode);
        Assert.Contains("HTTP 401", e.Message);
        Assert.DoesNotContain(Token, e.Message);
    }
}
