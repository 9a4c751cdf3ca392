using System.Text.Json;

namespace Raworc.StandIn.Tests;

/// <summary>What a running Raworc 0.3.0 server was seen to do, beyond the shapes of the contract.</summary>
public sealed class ServerFidelityTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    /// <summary>A stand-in on a hand-moved clock with an idle session ready for messages.</summary>
    private static async Task<(Api Api, ManualClock Clock, string Session)> StartWithSessionAsync(MessageTieOrder ties = MessageTieOrder.ById)
    {
        var clock = new ManualClock();
        var api = await Api.StartAsync(new StandInOptions
        {
            Clock = clock,
            BuildDelay = TimeSpan.Zero,
            SessionDelay = TimeSpan.Zero,
            ReplyDelay = TimeSpan.FromMinutes(10), // no reply unless the test moves the clock that far
            MessageTies = ties,
        });
        await api.MakeSessionReadyAsync();
        var sid = await api.CreateSessionAsync();
        return (api, clock, sid);
    }

    private static async Task<string[]> ListedIdsAsync(Api api, string sid, string query = "") =>
        (await api.GetAsync($"sessions/{sid}/messages{query}")).Json.EnumerateArray().Select(m => m.Str("id")).ToArray();

    private static async Task<string> PostMessageAsync(Api api, string sid, string content)
    {
        var r = await api.PostAsync($"sessions/{sid}/messages", $$"""{"role":"system","content":"{{content}}"}""");
        Assert.Equal(200, r.Code);
        return r.Json.Str("id");
    }

    [Fact]
    public async Task Messages_of_one_second_are_listed_by_id_not_in_the_order_they_were_posted()
    {
        var (api, clock, sid) = await StartWithSessionAsync();
        await using var _ = api;
        var first = await PostMessageAsync(api, sid, "first");
        clock.Advance(Second);
        var tied = new List<string>();
        for (int i = 0; i < 8; i++) tied.Add(await PostMessageAsync(api, sid, $"tied {i}"));
        clock.Advance(Second);
        var last = await PostMessageAsync(api, sid, "last");

        // Whole seconds first, then the random ids: eight ids in posting order would be sorted by chance once in 40,320.
        string[] expected = [first, .. tied.Order(StringComparer.Ordinal), last];
        Assert.Equal(expected, await ListedIdsAsync(api, sid));
        Assert.Equal(await ListedIdsAsync(api, sid), await ListedIdsAsync(api, sid));
        var listed = (await api.GetAsync($"sessions/{sid}/messages")).Json.EnumerateArray().ToList();
        Assert.All(listed, m => Assert.DoesNotContain(".", m.Str("created_at"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Newest_first_ties_list_a_reply_before_its_question()
    {
        var (api, clock, sid) = await StartWithSessionAsync(MessageTieOrder.NewestFirst);
        await using var _ = api;
        var earlier = await PostMessageAsync(api, sid, "earlier");
        clock.Advance(Second);
        var a = await PostMessageAsync(api, sid, "a");
        var b = await PostMessageAsync(api, sid, "b");
        var c = await PostMessageAsync(api, sid, "c");

        Assert.Equal([earlier, c, b, a], await ListedIdsAsync(api, sid));
        Assert.Equal([b, a], await ListedIdsAsync(api, sid, "?limit=2&offset=2"));
    }

    [Fact]
    public async Task Stored_json_objects_come_back_with_sorted_keys_at_every_depth()
    {
        var (api, _, sid) = await StartWithSessionAsync();
        await using var __ = api;
        const string Unsorted = """{"zeta":1,"alpha":{"y":[{"b":1,"a":2}],"x":null},"Beta":"B","dup":1,"dup":2,"é":0,"z":0}""";
        const string Sorted = """{"Beta":"B","alpha":{"x":null,"y":[{"a":2,"b":1}]},"dup":2,"z":0,"zeta":1,"é":0}""";

        var space = await api.PostAsync("spaces", $$"""{"name":"sorted","settings":{{Unsorted}}}""");
        Assert.Equal(Sorted, space.Json.GetProperty("settings").GetRawText());
        Assert.Equal(Sorted, (await api.GetAsync("spaces/sorted")).Json.GetProperty("settings").GetRawText());
        Assert.Equal(Sorted, (await api.PutAsync("spaces/sorted", $$"""{"settings":{{Unsorted}}}""")).Json.GetProperty("settings").GetRawText());

        var session = await api.PostAsync("sessions", $$"""{"metadata":{{Unsorted}}}""");
        Assert.Equal(Sorted, session.Json.GetProperty("metadata").GetRawText());
        Assert.Equal(Sorted, (await api.PutAsync($"sessions/{sid}", $$"""{"metadata":{{Unsorted}}}""")).Json.GetProperty("metadata").GetRawText());

        var message = await api.PostAsync($"sessions/{sid}/messages", $$"""{"role":"system","content":"m","metadata":{{Unsorted}}}""");
        Assert.Equal(Sorted, message.Json.GetProperty("metadata").GetRawText());
        Assert.Equal(Sorted, (await api.GetAsync($"sessions/{sid}/messages")).Json[0].GetProperty("metadata").GetRawText());
    }

    [Fact]
    public async Task An_update_that_changes_nothing_answers_200()
    {
        await using var api = await Api.StartAsync();
        Assert.Equal(200, (await api.PostAsync("spaces", """{"name":"same","description":"d","settings":{"k":1}}""")).Code);
        Assert.Equal(201, (await api.PostAsync("spaces/same/agents", """{"name":"a","source_repo":"o/r","description":"d"}""")).Code);
        Assert.Equal(200, (await api.PostAsync("spaces/same/secrets", """{"key_name":"K","value":"v","description":"d"}""")).Code);

        for (int i = 0; i < 2; i++)
        {
            Assert.Equal("d", (await api.PutAsync("spaces/same", """{"description":"d","settings":{"k":1},"active":true}""")).Json.Str("description"));
            Assert.Equal("o/r", (await api.PutAsync("spaces/same/agents/a", """{"description":"d","source_repo":"o/r"}""")).Json.Str("source_repo"));
            Assert.Equal("d", (await api.PutAsync("spaces/same/secrets/K", """{"value":"v","description":"d"}""")).Json.Str("description"));
        }
    }

    [Fact]
    public async Task A_message_to_a_closed_session_stores_nothing_and_leaves_it_idle()
    {
        var (api, _, sid) = await StartWithSessionAsync();
        await using var __ = api;
        Assert.Equal("closed", (await api.PostAsync($"sessions/{sid}/close", null)).Json.Str("state"));

        Expect.Envelope(await api.PostAsync($"sessions/{sid}/messages", """{"role":"user","content":"hello"}"""), 500, "INTERNAL_ERROR", "An internal error occurred");

        Assert.Equal(0, (await api.GetAsync($"sessions/{sid}/messages/count")).Json.GetProperty("count").GetInt64());
        Assert.Equal("idle", (await api.GetAsync($"sessions/{sid}")).Json.Str("state"));
    }

    [Fact]
    public async Task Text_over_65535_bytes_is_a_500_that_stores_nothing()
    {
        var (api, _, sid) = await StartWithSessionAsync();
        await using var __ = api;
        string fits = new string('x', 65_533) + "é"; // 65,535 bytes of UTF-8
        string over = new string('x', 65_534) + "é";

        Assert.Equal(200, (await api.PostAsync($"sessions/{sid}/messages", $$"""{"role":"system","content":"{{fits}}"}""")).Code);
        Assert.Equal("idle", (await api.GetAsync($"sessions/{sid}")).Json.Str("state"));
        Expect.Envelope(await api.PostAsync($"sessions/{sid}/messages", $$"""{"role":"user","content":"{{over}}"}"""), 500, "INTERNAL_ERROR", "An internal error occurred");
        Assert.Equal(1, (await api.GetAsync($"sessions/{sid}/messages/count")).Json.GetProperty("count").GetInt64());
        Assert.Equal("busy", (await api.GetAsync($"sessions/{sid}")).Json.Str("state")); // set before the insert failed

        Assert.Equal(200, (await api.PostAsync("spaces/default/secrets", $$"""{"key_name":"FITS","value":"{{fits}}"}""")).Code);
        Expect.Envelope(await api.PostAsync("spaces/default/secrets", $$"""{"key_name":"OVER","value":"{{over}}"}"""), 500, "INTERNAL_ERROR", "An internal error occurred");
        Expect.Envelope(await api.PutAsync("spaces/default/secrets/FITS", $$"""{"value":"{{over}}"}"""), 500, "INTERNAL_ERROR", "An internal error occurred");
        Assert.Equal(fits, (await api.GetAsync("spaces/default/secrets/FITS?show_values=true")).Json.Str("encrypted_value"));
        Expect.Envelope(await api.GetAsync("spaces/default/secrets/OVER"), 404, "NOT_FOUND", "Space secret not found");
    }

    [Fact]
    public async Task Failures_the_server_reports_as_internal_errors()
    {
        var (api, _, sid) = await StartWithSessionAsync();
        await using var __ = api;
        Assert.Equal(201, (await api.PostAsync("spaces/default/agents", """{"name":"a","source_repo":"o/r"}""")).Code);

        foreach (var r in new[]
        {
            await api.PostAsync("spaces/missing/agents", """{"name":"a","source_repo":"o/r"}"""),
            await api.SendAsync(HttpMethod.Patch, "spaces/default/agents/a/status", """{"status":"active"}"""),
            await api.PutAsync($"sessions/{sid}/state", """{"state":"paused"}"""),
            await api.PutAsync($"sessions/{sid}", """{"name":"n"}"""),
            await api.GetAsync($"sessions/{sid}/messages?limit=-1"),
            await api.PutAsync("spaces/default/agents/a", "{}"),
        })
        {
            Expect.Envelope(r, 500, "INTERNAL_ERROR", "An internal error occurred");
        }
        Assert.Equal(JsonValueKind.Array, (await api.GetAsync("spaces/missing/agents")).Json.ValueKind);
    }
}
