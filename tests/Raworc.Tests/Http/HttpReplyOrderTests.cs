using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using Raworc.StandIn;

namespace Raworc.Tests.Http;

/// <summary>
/// wait_for_reply over Streamable HTTP against the stand-in at its worst: a stopped clock puts every message in one
/// second, listed newest first, so each reply comes before its question and every earlier answer after it.
/// </summary>
public sealed class HttpReplyOrderTests
{
    [Fact]
    public async Task Each_reply_is_the_answer_to_its_own_question_when_one_second_holds_them_all_newest_first()
    {
        await using var standIn = await StandInServer.StartAsync(StandInOptions.WorstCaseMessageOrder(DateTimeOffset.UtcNow));
        await using var host = await HttpTestHost.StartAsync(environment: new Dictionary<string, string?>
        {
            ["RAWORC_API_URL"] = standIn.BaseUrl,
            ["RAWORC_POLL_INTERVAL_MS"] = "20",
        });
        await using var client = await host.ConnectWithTokenAsync(await LoginAsync(standIn));

        await CallAsync(client, "create_secret", new() { ["name"] = "ANTHROPIC_API_KEY", ["value"] = "sk-ant-http" });
        await CallAsync(client, "create_build");
        Assert.Equal("completed", (string?)(await CallAsync(client, "wait_for_build"))["status"]);
        string id = (string)(await CallAsync(client, "create_session"))["id"]!;
        Assert.Equal("idle", (string?)(await CallAsync(client, "wait_for_session", new() { ["session_id"] = id }))["state"]);

        for (int round = 1; round <= 7; round++)
        {
            string question = $"question {round}";
            var exchange = await CallAsync(client, "send_message",
                new() { ["session_id"] = id, ["content"] = question, ["wait_for_reply"] = true, ["timeout_seconds"] = 10 });

            Assert.Equal(question, (string?)exchange["sent"]!["content"]);
            Assert.Equal("Agent reply to: " + question, (string?)exchange["reply"]!["content"]);
            var listed = (await CallAsync(client, "get_messages", new() { ["session_id"] = id })).AsArray().Select(m => (string?)m!["content"]).ToList();
            Assert.True(listed.IndexOf("Agent reply to: " + question) < listed.IndexOf(question), string.Join(" | ", listed));
        }
    }

    private static async Task<string> LoginAsync(RunningStandIn standIn)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(standIn.BaseUrl + "/auth/login", new Dictionary<string, string> { ["user"] = "admin", ["pass"] = "admin" });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<JsonNode> CallAsync(McpClient client, string tool, Dictionary<string, object?>? arguments = null)
    {
        var result = await client.CallToolAsync(tool, arguments);
        string text = McpTestHost.Text(result);
        Assert.False(result.IsError ?? false, $"{tool}: {text}");
        return JsonNode.Parse(text)!;
    }
}
