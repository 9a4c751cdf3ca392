using System.Net;
using System.Text;
using System.Text.Json;
using Raworc.Mcp;

namespace Raworc.Tests.Http;

/// <summary>
/// No request body can make the server hold memory in proportion to what a caller sends: the limit is the largest
/// legal call, and depth and element counts are checked while the body arrives, before anything is built from it.
/// </summary>
public sealed class RequestLimitsTests
{
    private static Dictionary<string, string> Caller => HttpTestHost.Bearer("limits");

    [Fact]
    public async Task The_largest_legal_message_passes_escaped_the_longest_way_json_allows()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Given(WireMock.RequestBuilders.Request.Create().WithPath("/api/v0/sessions/s1/messages").UsingPost()).RespondWith(
            WireMock.ResponseBuilders.Response.Create().WithHeader("Content-Type", "application/json").WithBody(
                """{"id":"m1","session_id":"s1","role":"user","content":"x","created_at":"2025-08-30T18:00:00+00:00"}"""));
        // 32,767 'é' are 65,534 bytes of UTF-8, within the limit of 65,535; each sent as a 6-byte \u00e9 escape.
        string content = string.Concat(Enumerable.Repeat("\\u00e9", 32_767));
        string body = """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"send_message","arguments":{"session_id":"s1","content":""" + "\"" + content + "\"}}}";

        var response = await host.PostAsync(body, Caller);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("\"isError\":true", await response.Content.ReadAsStringAsync());
        Assert.Single(host.Api.LogEntries, e => e.RequestMessage.Path == "/api/v0/sessions/s1/messages");
    }

    [Fact]
    public async Task A_body_over_the_largest_legal_call_gets_413_naming_the_limit()
    {
        await using var host = await HttpTestHost.StartAsync();
        var limits = JsonLimits.Of(host.Raworc);
        Assert.InRange(limits.MaxBytes, 64 * 1024, 4 * 1024 * 1024); // from the catalog: far below the 4 MiB it once was

        var response = await host.PostAsync("[" + new string(' ', (int)limits.MaxBytes) + "]", Caller);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"the limit is {limits.MaxBytes:N0} bytes", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_body_of_more_values_than_any_call_needs_is_refused_while_it_is_read()
    {
        await using var host = await HttpTestHost.StartAsync();
        var limits = JsonLimits.Of(host.Raworc);
        int count = limits.MaxElements + 10;
        Assert.True(2L * count < limits.MaxBytes); // within the byte limit: only the count refuses it
        string rules = string.Join(',', Enumerable.Repeat("0", count));
        string body = """{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create_role","arguments":{"name":"r","rules":[""" + rules + "]}}}";

        var response = await host.PostAsync(body, Caller);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains($"more than {limits.MaxElements:N0} JSON values", await response.Content.ReadAsStringAsync());
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_body_nested_deeper_than_any_call_is_refused()
    {
        await using var host = await HttpTestHost.StartAsync();
        string deep = new string('[', 100) + new string(']', 100);
        var response = await host.PostAsync("""{"jsonrpc":"2.0","method":"notifications/x","params":{"a":""" + deep + "}}", Caller);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("deeper than 64 levels", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_space","arguments":{"name":"a\ud800b"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_space","arguments":{"name":"\udc00\ud800"}}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"prompts/get","params":{"name":"fleet_status","arguments":{"\ud800":"x"}}}""")]
    public async Task A_string_that_is_not_unicode_text_is_invalid_params_naming_the_request(string body)
    {
        await using var host = await HttpTestHost.StartAsync();
        var response = await host.PostAsync(body, Caller);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(15, answer.GetProperty("id").GetInt32());
        Assert.Equal(-32602, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("unpaired surrogate", answer.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(host.Api.LogEntries);
    }

    [Theory]
    [InlineData("a\\ud83d\\ude00b", false)] // a pair: one emoji
    [InlineData("\\\\ud800", false)] // an escaped backslash, then text
    [InlineData("\\n\\u0041", false)]
    [InlineData("\\ud800", true)]
    [InlineData("\\ude00", true)]
    [InlineData("\\ud83d\\n", true)]
    [InlineData("\\ud83d\\ud83d", true)]
    public void Unpaired_surrogate_escapes_are_told_from_pairs(string escaped, bool unpaired) =>
        Assert.Equal(unpaired, JsonScan.HasUnpairedSurrogate(Encoding.UTF8.GetBytes(escaped)));
}
