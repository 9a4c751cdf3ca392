using Raworc.StandIn;

namespace Raworc.EndToEnd.Tests;

/// <summary>
/// wait_for_reply through the published binary against the stand-in at its worst: a stopped clock puts every message in
/// one second, listed newest first, so each reply comes before its question and every earlier answer after it.
/// </summary>
public sealed class ReplyOrderTests
{
    /// <summary>Seven rounds: by the last, the newest ten messages are all of one second, so the look-back reads further.</summary>
    private const int Rounds = 7;

    [Fact]
    public async Task Each_reply_is_the_answer_to_its_own_question_when_one_second_holds_them_all_newest_first()
    {
        await using var standIn = await StandInServer.StartAsync(StandInOptions.WorstCaseMessageOrder());
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl, new Dictionary<string, string>
        {
            ["RAWORC_USERNAME"] = "admin",
            ["RAWORC_PASSWORD"] = "admin",
            ["RAWORC_POLL_INTERVAL_MS"] = "50",
        });
        await mcp.CallAsync("create_secret", new { key_name = "ANTHROPIC_API_KEY", value = "sk-ant-e2e" });
        await mcp.CallAsync("create_build");
        Assert.Equal("completed", (await mcp.CallAsync("wait_for_build")).Str("status"));
        string id = (await mcp.CallAsync("create_session")).Str("id");
        Assert.Equal("idle", (await mcp.CallAsync("wait_for_session", new { session_id = id })).Str("state"));

        for (int round = 1; round <= Rounds; round++)
        {
            string question = $"question {round}";
            var exchange = await mcp.CallAsync("send_message", new { session_id = id, content = question, wait_for_reply = true, timeout_seconds = 10 });

            Assert.Equal(question, exchange!["sent"].Str("content"));
            Assert.Equal("Agent reply to: " + question, exchange["reply"].Str("content"));
            // The worst case held: the reply is listed before its question, and the previous answer after it.
            var listed = (await mcp.CallAsync("get_messages", new { session_id = id })).Items().Select(m => m.Str("content")).ToList();
            Assert.True(listed.IndexOf("Agent reply to: " + question) < listed.IndexOf(question), string.Join(" | ", listed));
            if (round > 1) Assert.True(listed.IndexOf($"Agent reply to: question {round - 1}") > listed.IndexOf(question));
        }
        Assert.Equal(2 * Rounds, (await mcp.CallAsync("get_message_count", new { session_id = id }))!["count"]!.GetValue<int>());
    }
}
