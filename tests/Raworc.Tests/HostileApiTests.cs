using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using Raworc.Client;
using Raworc.Mcp;
using Raworc.Mcp.Resources;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// An API that answers too much, redirects elsewhere or quotes credentials back: memory and what reaches the model
/// stay bounded, an oversized answer is reported once as what it is, and no credential leaves its origin or the process.
/// </summary>
public sealed class HostileApiTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";
    private const string Password = "pa\"ss-w0rd-9c1e";

    private static string SpaceWithDescription(string description) =>
        $$"""{"name":"big","description":"{{description}}","settings":{},"active":true,"created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";

    private static string Session => $$"""{"id":"{{SessionId}}","space":"default","state":"idle","created_at":"{{T0}}","updated_at":"{{T0}}"}""";

    private static Dictionary<string, string?> LoginEnvironment() => new()
    {
        ["RAWORC_AUTH_TOKEN"] = "",
        ["RAWORC_USERNAME"] = "admin",
        ["RAWORC_PASSWORD"] = Password,
    };

    [Fact]
    public async Task An_oversized_response_is_reported_once_as_too_large_and_not_fetched_again()
    {
        await using var host = await StartAsync();
        host.Respond(200, "[" + new string(' ', RaworcClientOptions.DefaultMaxResponseBytes) + "]");

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError);
        Assert.Contains("RESPONSE_TOO_LARGE", Text(result));
        Assert.Contains("over the 2 MB raworc-mcp reads", Text(result));
        Assert.DoesNotContain("could not reach", Text(result));
        Assert.Single(host.Requests); // a GET, so it would have been retried as a network error
    }

    [Fact]
    public async Task A_gzip_bomb_is_cut_at_the_limit_while_decompressing_and_not_fetched_again()
    {
        await using var host = await StartAsync();
        var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var spaces = new byte[1024 * 1024];
            Array.Fill(spaces, (byte)' ');
            gzip.Write("["u8);
            for (int i = 0; i < 64; i++) gzip.Write(spaces);
            gzip.Write("]"u8);
        }
        host.Api.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithHeader("Content-Encoding", "gzip").WithBody(packed.ToArray()));

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError);
        Assert.Contains("RESPONSE_TOO_LARGE", Text(result));
        Assert.Single(host.Requests);
    }

    [Theory]
    [InlineData("x")]       // a long plain string
    [InlineData("\\\"")]    // escaped quotes: each is two bytes in and out
    [InlineData("é")]       // two UTF-8 bytes per character
    public async Task A_result_over_the_budget_is_cut_with_a_note_saying_how_much_was_left_out(string unit)
    {
        await using var host = await StartAsync();
        int repeat = 1536 * 1024 / Encoding.UTF8.GetByteCount(unit);
        host.Respond(200, SpaceWithDescription(string.Concat(Enumerable.Repeat(unit, repeat))));

        var result = await host.CallAsync("get_space", """{"name":"big"}""");

        Assert.False(result.IsError ?? false);
        string text = Text(result);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= ResultBudget.MaxBytes, $"{Encoding.UTF8.GetByteCount(text)} bytes");
        Assert.StartsWith("{\"name\":\"big\"", text);
        Assert.Contains("[raworc-mcp: cut here.", text);
        Assert.Contains("left out (answers are limited to 256 KB)", text);
        Assert.Contains("This tool cannot page", text);
    }

    [Fact]
    public async Task A_cut_result_of_a_paging_tool_says_how_to_page()
    {
        await using var host = await StartAsync();
        string content = new('m', 100_000);
        host.Respond(200, "[" + string.Join(",", Enumerable.Range(0, 20).Select(i =>
            $$"""{"id":"m{{i}}","session_id":"{{SessionId}}","role":"agent","content":"{{content}}","created_at":"{{T0}}"}""")) + "]");

        var text = Text(await host.CallAsync("get_messages", $$"""{"session_id":"{{SessionId}}"}"""));

        Assert.Contains("Ask for less with latest, limit, offset to see the rest page by page.", text);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= ResultBudget.MaxBytes);
    }

    [Fact]
    public async Task A_result_within_the_budget_is_untouched()
    {
        await using var host = await StartAsync();
        string description = new('x', 200_000);
        host.Respond(200, SpaceWithDescription(description));

        var text = Text(await host.CallAsync("get_space", """{"name":"big"}"""));

        Assert.Contains(description, text);
        Assert.DoesNotContain("cut here", text);
    }

    [Fact]
    public async Task The_transcript_stops_paging_at_the_budget_and_says_how_to_read_on()
    {
        await using var host = await StartAsync();
        string content = new('w', 5_000);
        string page = "[" + string.Join(",", Enumerable.Range(0, RaworcResources.TranscriptPageSize).Select(i =>
            $$"""{"id":"m{{i}}","session_id":"{{SessionId}}","role":"agent","content":"{{content}}","created_at":"{{T0}}"}""")) + "]";
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Session));
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}/messages").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(page));

        var result = await host.Client.ReadResourceAsync($"raworc://sessions/{SessionId}/transcript");

        string text = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text;
        Assert.True(Encoding.UTF8.GetByteCount(text) <= ResultBudget.MaxBytes);
        Assert.Contains("the first 200 messages, oldest first to the second (within one second in any order) (more follow: get_messages with offset 200 reads on)", text);
        Assert.Contains("get_messages (session_id, limit, offset) pages through the messages", text);
        Assert.Equal(2, host.Requests.Count); // the session and one page: 1 MB is already over the budget
    }

    [Fact]
    public async Task A_transcript_page_over_the_read_limit_is_asked_for_again_in_smaller_pages()
    {
        await using var host = await StartAsync();
        string content = new('w', 25 * 1024);
        string Page(int count) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $$"""{"id":"m{{i}}","session_id":"{{SessionId}}","role":"agent","content":"{{content}}","created_at":"{{T0}}"}""")) + "]";
        host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Session));
        foreach (int size in new[] { 200, 50 })
            host.Api.Given(Request.Create().WithPath($"/api/v0/sessions/{SessionId}/messages").WithParam("limit", size.ToString()).UsingGet())
                .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Page(size)));

        var result = await host.Client.ReadResourceAsync($"raworc://sessions/{SessionId}/transcript");

        string text = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text;
        Assert.Contains("the first 50 messages", text); // 200 of 25 KB is 5 MB, over the 2 MB read limit; 50 are 1.25 MB
        Assert.Equal(["200", "50"], host.Requests.Where(r => r.RequestMessage.Path.EndsWith("/messages")).Select(r => r.RequestMessage.Query!["limit"].Single()));
    }

    [Fact]
    public async Task Large_responses_pass_one_at_a_time_and_small_ones_never_wait()
    {
        using var api = StartApi();
        api.Given(Request.Create().WithPath("/api/v0/spaces/big").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody(SpaceWithDescription(new string('x', 3 * LargeResponseGate.LargeResponseBytes / 2))));
        api.Given(Request.Create().WithPath("/api/v0/spaces/small").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody(SpaceWithDescription("small")));
        using var client = new RaworcClient(new RaworcClientOptions
        {
            ApiUrl = new Uri(api.Url + "/api/v0"),
            Token = "gate-token",
            Timeout = TimeSpan.FromSeconds(2),
        });
        var read = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var holder = Task.Run(async () =>
        {
            // A tool call that has read a large response and is still formatting it.
            using (LargeResponseGate.BeginScope())
            {
                await client.GetSpaceAsync("big");
                read.SetResult();
                await release.Task;
            }
        });
        await read.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var waited = await Assert.ThrowsAsync<RaworcApiException>(() => client.GetSpaceAsync("big"));
        // Time ran out in this server's queue, not at the API: the error says so, and that retrying is safe.
        Assert.Equal(RaworcApiException.Codes.Busy, waited.ErrorCode);
        Assert.Contains("busy reading other large answers", waited.Message);
        Assert.Equal("small", (await client.GetSpaceAsync("small")).Description);

        release.SetResult();
        await holder;
        Assert.Equal(3 * LargeResponseGate.LargeResponseBytes / 2, (await client.GetSpaceAsync("big")).Description!.Length);
    }

    [Fact]
    public async Task Only_one_read_of_a_wait_holds_the_gate_never_the_whole_wait()
    {
        await using var host = await McpTestHost.StartAsync();
        // The tools that poll for up to a minute get no scope around the whole call: each poll is one read.
        Assert.Equal(["send_message", "wait_for_build", "wait_for_session"],
            host.Raworc.Tools.Where(t => t.Definition.Waits).Select(t => t.Name).Order());
    }

    [Fact]
    public async Task A_login_redirected_to_another_origin_sends_nothing_there_and_says_why()
    {
        using var elsewhere = StartApi();
        elsewhere.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"token":"stolen-token-1","token_type":"Bearer"}"""));
        await using var host = await StartAsync(LoginEnvironment());
        host.Respond(307, headers: new Dictionary<string, string> { ["Location"] = elsewhere.Url + "/api/v0/auth/login" });

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError);
        string text = Text(result);
        Assert.Contains("REDIRECT_REFUSED", text);
        Assert.Contains("to another origin", text);
        Assert.Contains("sent nothing there", text);
        Assert.Empty(elsewhere.LogEntries);
        Assert.Single(host.Requests);
        Assert.DoesNotContain(Password, text);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:{port}/x", "to a ftp: URL")]
    [InlineData("file:///etc/passwd", "to a file: URL")]
    [InlineData("data:text/plain,hello", "to a data: URL")]
    [InlineData("http://127.0.0.1:{port}/api/v0/spaces", "to another origin")]
    [InlineData("//127.0.0.1:{port}/api/v0/spaces", "to another origin")]
    public async Task A_redirect_out_of_the_api_origin_is_refused_with_the_reason(string location, string expected)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        await using var host = await StartAsync();
        host.Respond(302, headers: new Dictionary<string, string> { ["Location"] = location.Replace("{port}", port.ToString()) });

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError);
        Assert.Contains(expected, Text(result));
        Assert.DoesNotContain("This is a bug", Text(result));
        Assert.False(listener.Pending(), "a connection reached the redirect target");
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task A_redirect_within_the_api_origin_is_followed_with_the_token()
    {
        await using var host = await StartAsync();
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces").UsingGet()).RespondWith(Response.Create().WithStatusCode(308)
            .WithHeader("Location", "/api/v0/spaces/"));
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(2, host.Requests.Count);
        Assert.All(host.Requests, r => Assert.Equal($"Bearer {Token}", r.RequestMessage.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task A_redirect_loop_within_the_origin_ends_with_an_error()
    {
        await using var host = await StartAsync();
        host.Respond(307, headers: new Dictionary<string, string> { ["Location"] = "/api/v0/spaces" });

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError);
        Assert.Contains($"more than {RaworcClient.MaxRedirects} times", Text(result));
        Assert.Equal(RaworcClient.MaxRedirects + 1, host.Requests.Count);
    }

    [Fact]
    public async Task A_post_redirected_with_303_is_not_turned_into_a_get()
    {
        await using var host = await StartAsync();
        host.Respond(303, headers: new Dictionary<string, string> { ["Location"] = "/api/v0/spaces" });

        var result = await host.CallAsync("create_space", """{"name":"s"}""");

        Assert.True(result.IsError);
        Assert.Contains("would turn the POST into a GET", Text(result));
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task An_api_error_echoing_the_token_is_masked()
    {
        await using var host = await StartAsync();
        host.Respond(403, """{"error":{"code":"FORBIDDEN","message":"denied for header Bearer """ + Token + "\"}}");

        var text = Text(await host.CallAsync("list_spaces"));

        Assert.DoesNotContain(Token, text);
        Assert.Contains("denied for header Bearer [redacted]", text);
    }

    [Fact]
    public async Task A_login_error_quoting_the_body_masks_the_password_even_json_escaped()
    {
        await using var host = await StartAsync(LoginEnvironment());
        string body = "{\"user\":\"admin\",\"pass\":" + System.Text.Json.JsonSerializer.Serialize(Password) + "}";
        host.Respond(401, "bad credentials in " + body, "text/plain");

        var text = Text(await host.CallAsync("list_spaces"));

        Assert.DoesNotContain("ss-w0rd", text);
        Assert.Contains("[redacted]", text);
        Assert.DoesNotContain("ss-w0rd", host.Logs.All);
    }

    [Fact]
    public async Task A_token_obtained_by_login_is_masked_too()
    {
        await using var host = await StartAsync(LoginEnvironment());
        host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"token":"fresh-login-token-77","token_type":"Bearer"}"""));
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces").UsingGet()).RespondWith(Response.Create().WithStatusCode(500)
            .WithHeader("Content-Type", "text/plain").WithBody("crashed on Bearer fresh-login-token-77"));

        var text = Text(await host.CallAsync("list_spaces"));

        Assert.DoesNotContain("fresh-login-token-77", text);
        Assert.Contains("crashed on Bearer [redacted]", text);
    }

    [Fact]
    public async Task A_password_equal_to_the_user_name_does_not_mask_the_name()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>
        {
            ["RAWORC_AUTH_TOKEN"] = "",
            ["RAWORC_USERNAME"] = "operator7",
            ["RAWORC_PASSWORD"] = "operator7",
        });
        host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"token":"login-token-31","token_type":"Bearer"}"""));
        host.Api.Given(Request.Create().WithPath("/api/v0/auth/me").UsingGet()).RespondWith(Response.Create().WithStatusCode(200)
            .WithHeader("Content-Type", "application/json").WithBody("""{"user":"operator7","type":"ServiceAccount"}"""));

        var text = Text(await host.CallAsync("whoami"));

        Assert.Contains("\"user\":\"operator7\"", text);
    }

    [Fact]
    public async Task A_login_token_that_cannot_be_a_header_is_an_invalid_response_not_a_crash()
    {
        await using var host = await StartAsync(LoginEnvironment());
        host.Respond(200, """{"token":"abc\r\nX-Injected: 1","token_type":"Bearer"}""");

        var text = Text(await host.CallAsync("list_spaces"));

        Assert.Contains("INVALID_RESPONSE", text);
        Assert.Contains("contains a line break", text);
        Assert.DoesNotContain("This is a bug", text);
    }

    [Fact]
    public void Every_logger_masks_the_known_credentials_in_messages_and_exceptions()
    {
        var logs = new CapturingLoggerProvider();
        var secrets = new SecretMask("tok-en-5150");
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs)).Masking(secrets);
        var log = factory.CreateLogger("x");

        log.LogWarning("header Bearer {Token}", "tok-en-5150");
        log.LogError(new InvalidOperationException("echoed tok-en-5150"), "failed");
        secrets.Add("added-later-42");
        log.LogInformation("then added-later-42");

        Assert.DoesNotContain("tok-en-5150", logs.All);
        Assert.DoesNotContain("added-later-42", logs.All);
        Assert.Equal(3, logs.Lines.Count(l => l.Contains("[redacted]", StringComparison.Ordinal)));
    }
}
