using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Raworc.Tests;

/// <summary>
/// Our stdio transport, fed raw bytes: every line that is not a JSON-RPC 2.0 message gets the standard error, with the
/// id when one can be read, and the server goes on serving. Messages are one line each; blank lines are ignored; a
/// line over 8 MiB is dropped without being buffered whole.
/// </summary>
public sealed class TransportTests
{
    private const int ParseError = -32700;
    private const int InvalidRequest = -32600;
    private const int InvalidParams = -32602;
    private const int MethodNotFound = -32601;

    /// <summary>A bad line (as UTF-8 text, or Latin-1 for raw bytes when <c>Bytes</c>), the error code and id it must get.</summary>
    public static readonly (string Name, byte[] Line, int Code, string? Id, string Fragment)[] BadLines =
    [
        ("not JSON", U("hello"), ParseError, null, "Parse error"),
        ("broken JSON", U("{not json}"), ParseError, null, "not valid JSON"),
        ("cut before the id", U("""{"jsonrpc":"2.0","method":"""), ParseError, null, "Parse error"),
        ("cut after a numeric id", U("""{"jsonrpc":"2.0","id":41,"method":"pi"""), ParseError, "41", "Parse error"),
        ("cut after a string id", U("""{"jsonrpc":"2.0","id":"req-7","method":"tools/call","params":{"name":"get_space","argu"""), ParseError, "\"req-7\"", "Parse error"),
        ("cut in nested params after the id", U("""{"id":42,"jsonrpc":"2.0","params":{"a":[1,2,{"""), ParseError, "42", "Parse error"),
        ("trailing garbage", U("""{"jsonrpc":"2.0","id":43,"method":"ping"} x"""), ParseError, "43", "Parse error"),
        ("two messages on one line", U("""{"jsonrpc":"2.0","id":44,"method":"ping"}{"jsonrpc":"2.0","id":45,"method":"ping"}"""), ParseError, "44", "Parse error"),
        ("invalid UTF-8 in a string", [.. U("""{"jsonrpc":"2.0","id":46,"method":"pi"""), 0xFF, 0xFE, .. U("""ng"}""")], ParseError, "46", "Parse error"),
        ("invalid UTF-8 in a string id", [.. U("{\"jsonrpc\":\"2.0\",\"id\":\"a"), 0xFF, .. U("\",\"method\":\"ping\"}")], ParseError, null, "not valid UTF-8"),
        ("invalid UTF-8 in a cut string id", [.. U("{\"jsonrpc\":\"2.0\",\"id\":\"a"), 0xC3], ParseError, null, "Parse error"),
        ("invalid UTF-8 in an ignored member", [.. U("{\"jsonrpc\":\"2.0\",\"id\":47,\"method\":\"ping\",\"x\":\""), 0xFF, .. U("\"}")], ParseError, "47", "not valid UTF-8"),
        ("an overlong UTF-8 encoding", [.. U("{\"jsonrpc\":\"2.0\",\"id\":48,\"method\":\"ping\",\"x\":\""), 0xC0, 0xAF, .. U("\"}")], ParseError, "48", "not valid UTF-8"),
        ("binary bytes", [0x00, 0x01, 0x80, 0xFF, 0xFE, 0x7B, 0xC3], ParseError, null, "Parse error"),
        ("a lone UTF-8 continuation byte", [0x80], ParseError, null, "Parse error"),
        ("jsonrpc 1.0", U("""{"jsonrpc":"1.0","id":3,"method":"ping"}"""), InvalidRequest, "3", "\"jsonrpc\" must be \"2.0\""),
        ("jsonrpc missing", U("""{"id":"x","method":"ping"}"""), InvalidRequest, "\"x\"", "\"jsonrpc\" must be \"2.0\""),
        ("jsonrpc as a number", U("""{"jsonrpc":2.0,"id":4,"method":"ping"}"""), InvalidRequest, "4", "\"jsonrpc\" must be \"2.0\""),
        ("a batch", U("""[{"jsonrpc":"2.0","id":5,"method":"ping"},{"jsonrpc":"2.0","id":6,"method":"ping"}]"""), InvalidRequest, null, "batches are not supported"),
        ("an empty batch", U("[]"), InvalidRequest, null, "batches"),
        ("an object id", U("""{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}"""), InvalidRequest, null, "\"id\" must be a string or a number"),
        ("an array id", U("""{"jsonrpc":"2.0","id":[7],"method":"ping"}"""), InvalidRequest, null, "\"id\""),
        ("a boolean id", U("""{"jsonrpc":"2.0","id":true,"method":"ping"}"""), InvalidRequest, null, "\"id\""),
        ("a numeric method", U("""{"jsonrpc":"2.0","id":8,"method":42}"""), InvalidRequest, "8", "\"method\" must be a string"),
        ("params as a string", U("""{"jsonrpc":"2.0","id":9,"method":"ping","params":"x"}"""), InvalidParams, "9", "\"params\" must be an object"),
        ("params as a number", U("""{"jsonrpc":"2.0","id":"p","method":"tools/list","params":42}"""), InvalidParams, "\"p\"", "\"params\" must be an object"),
        ("params as an array", U("""{"jsonrpc":"2.0","id":10,"method":"tools/call","params":["get_version"]}"""), InvalidParams, "10", "\"params\" must be an object"),
        ("a number", U("42"), InvalidRequest, null, "must be a JSON object"),
        ("a string", U("\"ping\""), InvalidRequest, null, "must be a JSON object"),
        ("null", U("null"), InvalidRequest, null, "must be a JSON object"),
        ("an empty object", U("{}"), InvalidRequest, null, "Invalid Request"),
        ("neither request nor response", U("""{"jsonrpc":"2.0","id":11}"""), InvalidRequest, "11", "Invalid Request"),
        ("an unknown method", U("""{"jsonrpc":"2.0","id":12,"method":"no/such/method"}"""), MethodNotFound, "12", ""),
        ("an unknown tool", U("""{"jsonrpc":"2.0","id":13,"method":"tools/call","params":{"name":"no_such_tool"}}"""), InvalidParams, "13", "no_such_tool"),
    ];

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    public static TheoryData<string> BadLineNames()
    {
        var data = new TheoryData<string>();
        foreach (var line in BadLines) data.Add(line.Name);
        return data;
    }

    private static int _ids;

    /// <summary>Pings with a fresh id and asserts the very next line is its answer.</summary>
    private static async Task AssertServesAsync(RawServerHost host)
    {
        string id = $"\"ping-{Interlocked.Increment(ref _ids)}\"";
        await host.WriteLineAsync($$"""{"jsonrpc":"2.0","id":{{id}},"method":"ping"}""");
        var answer = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
        Assert.Equal(id, answer.GetProperty("id").GetRawText());
        Assert.Equal(JsonValueKind.Object, answer.GetProperty("result").ValueKind);
    }

    private static void AssertError(string line, int code, string? id, string fragment)
    {
        var error = JsonDocument.Parse(line).RootElement;
        Assert.Equal("2.0", error.GetProperty("jsonrpc").GetString());
        Assert.Equal(id ?? "null", error.GetProperty("id").GetRawText());
        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(fragment, error.GetProperty("error").GetProperty("message").GetString());
        Assert.False(error.TryGetProperty("result", out _));
    }

    [Theory]
    [MemberData(nameof(BadLineNames))]
    public async Task Bad_line_gets_the_standard_error_and_the_server_keeps_serving(string name)
    {
        var (_, line, code, id, fragment) = BadLines.Single(l => l.Name == name);
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteAsync((byte[])[.. line, (byte)'\n']);

        AssertError(await host.NextLineAsync(), code, id, fragment);
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Every_bad_line_in_a_row_on_one_session_each_answered_in_order()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        foreach (var (name, line, code, id, fragment) in BadLines)
        {
            await host.WriteAsync((byte[])[.. line, (byte)'\n']);
            var answer = await host.NextLineAsync();
            try
            {
                AssertError(answer, code, id, fragment);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{name}: {answer}\n{e.Message}");
            }
            await AssertServesAsync(host);
        }
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":5}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"get_space","arguments":"x"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"tools/call","params":{"name":"get_space","arguments":[1]}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"resources/read","params":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":14,"method":"prompts/get","params":{"name":["x"]}}""")]
    public async Task Params_of_the_wrong_shape_get_an_error_with_the_id(string line)
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteLineAsync(line);
        var answer = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
        Assert.Equal(14, answer.GetProperty("id").GetInt32());

        Assert.Equal(InvalidParams, answer.GetProperty("error").GetProperty("code").GetInt32());
        await AssertServesAsync(host);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{}}""", "\"name\" must be the tool's name")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":5}}""", "\"name\" must be the tool's name")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_space","arguments":"x"}}""", "\"arguments\" must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_space","arguments":[1]}}""", "\"arguments\" must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"resources/read","params":{}}""", "\"uri\" must be the resource's URI")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"resources/read","params":{"uri":7}}""", "\"uri\" must be the resource's URI")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"prompts/get","params":{}}""", "\"name\" must be the prompt's name")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"completion/complete","params":{"argument":{"name":"space","value":""}}}""", "\"ref\" must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"completion/complete","params":{"ref":{"type":"ref/prompt","name":"fleet_status"}}}""", "\"argument\" must be an object")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_space","arguments":{"name":"a\ud800b"}}}""", "unpaired surrogate")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"tools/call","params":{"name":"get_\udc00space"}}""", "unpaired surrogate")]
    [InlineData("""{"jsonrpc":"2.0","id":15,"method":"prompts/get","params":{"name":"fleet_status","arguments":{"\ud800":"x"}}}""", "unpaired surrogate")]
    public async Task A_request_that_cannot_be_read_is_invalid_params_naming_the_problem(string line, string problem)
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteLineAsync(line);
        var answer = JsonDocument.Parse(await host.NextLineAsync()).RootElement;

        Assert.Equal(15, answer.GetProperty("id").GetInt32());
        Assert.Equal(InvalidParams, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(problem, answer.GetProperty("error").GetProperty("message").GetString());
        await AssertServesAsync(host);
    }

    [Theory]
    [InlineData("tools/list", "{}")]
    [InlineData("tools/call", """{"name":"list_spaces"}""")]
    [InlineData("resources/read", """{"uri":"raworc://spaces/default"}""")]
    public async Task Requests_before_initialize_are_refused_and_served_after_it(string method, string parameters)
    {
        await using var host = RawServerHost.Start();

        var early = await host.RequestAsync($$"""{"jsonrpc":"2.0","id":21,"method":"{{method}}","params":{{parameters}}}""", "21");

        Assert.Equal(InvalidRequest, early.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("before initialize", early.GetProperty("error").GetProperty("message").GetString());
        Assert.Empty(host.Api.LogEntries); // nothing reached the API
        await host.NextLineAsync(); // the refusal, read above by id
        await AssertServesAsync(host); // ping is allowed at any time
        await host.InitializeAsync();
        var listed = await host.RequestAsync("""{"jsonrpc":"2.0","id":22,"method":"tools/list"}""", "22");
        Assert.True(listed.TryGetProperty("result", out _), listed.ToString());
    }

    [Fact]
    public async Task A_request_of_the_stateless_protocol_needs_no_initialize()
    {
        await using var host = RawServerHost.Start();

        var listed = await host.RequestAsync("""{"jsonrpc":"2.0","id":23,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}""", "23");

        Assert.True(listed.TryGetProperty("result", out _), listed.ToString());
    }

    [Fact]
    public async Task A_second_initialize_is_refused_and_the_first_client_stays()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        var second = await host.RequestAsync("""{"jsonrpc":"2.0","id":24,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"clientInfo":{"name":"intruder","version":"6.6.6"}}}""", "24");

        Assert.Equal(InvalidRequest, second.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("already initialized", second.GetProperty("error").GetProperty("message").GetString());
        // The first client's capabilities hold: it has no elicitation, so secret values are refused without asking.
        var call = await host.RequestAsync("""{"jsonrpc":"2.0","id":25,"method":"tools/call","params":{"name":"list_secrets","arguments":{"show_values":true}}}""", "25");
        Assert.Contains("this client cannot ask the user", call.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_failed_initialize_may_be_sent_again()
    {
        await using var host = RawServerHost.Start();

        var failed = await host.RequestAsync("""{"jsonrpc":"2.0","id":26,"method":"initialize","params":{"capabilities":7}}""", "26");
        Assert.True(failed.TryGetProperty("error", out _), failed.ToString());

        await host.InitializeAsync();
        await AssertServesAsync(host);
    }

    [Theory]
    [InlineData("tools/call", "name", "Unknown tool: 'qqqq")]
    [InlineData("prompts/get", "name", "Unknown prompt: 'qqqq")]
    [InlineData("resources/read", "uri", "Resource not found: 'qqqq")]
    public async Task A_huge_unknown_name_is_quoted_short_in_the_error(string method, string member, string expected)
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();
        string name = new('q', 1_000_000);

        var answer = await host.RequestAsync($$$"""{"jsonrpc":"2.0","id":27,"method":"{{{method}}}","params":{"{{{member}}}":"{{{name}}}"}}""", "27");

        string message = answer.GetProperty("error").GetProperty("message").GetString()!;
        Assert.Contains(expected, message);
        Assert.Contains("…' (1000000 characters)", message);
        Assert.True(message.Length < 500, $"{message.Length} characters");
    }

    [Fact]
    public async Task Before_initialize_bad_lines_are_answered_too()
    {
        await using var host = RawServerHost.Start();
        await host.WriteLineAsync("{oops");
        AssertError(await host.NextLineAsync(), ParseError, null, "Parse error");
        await host.InitializeAsync();
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task A_line_over_8_MiB_is_refused_as_too_large_and_the_next_request_is_answered()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        // 9 MB of a valid request, written in pieces as a client would.
        var head = U("""{"jsonrpc":"2.0","id":99,"method":"ping","params":{"pad":""");
        await host.WriteAsync(head);
        var chunk = U(new string('a', 64 * 1024));
        for (int written = 0; written < 9_000_000; written += chunk.Length) await host.WriteAsync(chunk);
        await host.WriteAsync(U("\"}}\n"));

        AssertError(await host.NextLineAsync(TimeSpan.FromSeconds(20)), InvalidRequest, null, "Message too large: the limit is 8388608 bytes");
        await AssertServesAsync(host);

        // And once more, with the oversized line and the next request in the same write.
        var big = new byte[9 * 1024 * 1024];
        Array.Fill(big, (byte)'x');
        await host.WriteAsync((byte[])[.. big, (byte)'\n', .. U("""{"jsonrpc":"2.0","id":"after","method":"ping"}"""), (byte)'\n']);
        AssertError(await host.NextLineAsync(TimeSpan.FromSeconds(20)), InvalidRequest, null, "Message too large: the limit is 8388608 bytes");
        var after = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
        Assert.Equal("after", after.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_large_line_under_the_limit_is_read_and_the_tool_applies_its_own_limit()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        string content = new('m', 7 * 1024 * 1024);
        var answer = await host.RequestAsync(
            """{"jsonrpc":"2.0","id":"big","method":"tools/call","params":{"name":"send_message","arguments":{"session_id":"s1","content":""" + "\"" + content + "\"}}}",
            "\"big\"", TimeSpan.FromSeconds(20));

        var result = answer.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Contains("the limit is 65,535", result.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task Blank_lines_are_ignored()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteAsync(U("\n\n   \n\t\r\n\r\n \t \n"));
        // Nothing is written for them: the very next line is the ping's answer.
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Framing_crlf_split_writes_and_several_messages_per_write_all_work()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteAsync(U("""{"jsonrpc":"2.0","id":"crlf","method":"ping"}""" + "\r\n"));
        Assert.Contains("\"crlf\"", await host.NextLineAsync());

        foreach (byte b in U("""{"jsonrpc":"2.0","id":"bytewise","method":"ping"}""" + "\n")) await host.WriteAsync(new[] { b });
        Assert.Contains("\"bytewise\"", await host.NextLineAsync());

        await host.WriteAsync(U(string.Concat(Enumerable.Range(0, 20).Select(i => $$"""{"jsonrpc":"2.0","id":"many-{{i}}","method":"ping"}""" + "\n"))));
        var ids = new List<string>();
        for (int i = 0; i < 20; i++) ids.Add(JsonDocument.Parse(await host.NextLineAsync()).RootElement.GetProperty("id").GetString()!);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"many-{i}").Order(), ids.Order());
    }

    [Fact]
    public async Task Notifications_and_stray_responses_get_no_answer()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/unknown","params":{"x":1}}""");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"never-sent"}}""");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","method":"notifications/cancelled"}""");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","id":555,"result":{}}""");
        await host.WriteLineAsync("""{"jsonrpc":"2.0","id":556,"error":{"code":-1,"message":"no"}}""");
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Duplicate_and_odd_ids_are_echoed_exactly()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        foreach (string id in new[] { "0", "-1", "9007199254740993", "\"\"", "\"ünï \\\"quoted\\\" \\n\"", "\"dup\"", "\"dup\"" })
        {
            await host.WriteLineAsync($$"""{"jsonrpc":"2.0","id":{{id}},"method":"ping"}""");
            var answer = JsonDocument.Parse(await host.NextLineAsync()).RootElement;
            Assert.Equal(JsonDocument.Parse(id).RootElement.ToString(), answer.GetProperty("id").ToString());
        }
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Output_is_one_compact_line_per_message_even_with_newlines_in_the_content()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        var watch = Stopwatch.StartNew();
        await host.WriteLineAsync("""{"jsonrpc":"2.0","id":"nl","method":"tools/call","params":{"name":"get_space","arguments":{"name":"line\nbreak\u2028"}}}""");
        string line = await host.NextLineAsync();
        var answer = JsonDocument.Parse(line).RootElement;
        Assert.Equal("nl", answer.GetProperty("id").GetString());
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        await AssertServesAsync(host);
    }

    [Fact]
    public async Task Input_ending_without_a_newline_still_answers_the_last_message_then_the_session_ends()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        await host.WriteAsync(U("""{"jsonrpc":"2.0","id":"last","method":"ping"}"""));
        await host.CompleteInputAsync();

        Assert.Contains("\"last\"", await host.NextLineAsync());
        await host.Run.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(host.Transport.InputEnded);
    }

    [Fact]
    public async Task Input_ending_in_the_middle_of_an_oversized_line_answers_too_large()
    {
        await using var host = RawServerHost.Start();
        await host.InitializeAsync();

        var big = new byte[9 * 1024 * 1024];
        Array.Fill(big, (byte)'{');
        await host.WriteAsync(big);
        await host.CompleteInputAsync();

        AssertError(await host.NextLineAsync(TimeSpan.FromSeconds(20)), InvalidRequest, null, "too large");
        await host.Run.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
