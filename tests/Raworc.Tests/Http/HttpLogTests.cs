using System.Net.Sockets;
using System.Text;
using Raworc.Mcp;
using Xunit.Abstractions;

namespace Raworc.Tests.Http;

/// <summary>What the HTTP mode logs about a request: escaped fields, and aborted requests as one short line.</summary>
public sealed class HttpLogTests(ITestOutputHelper output)
{
    private static bool HasRawControl(string line) =>
        line.Any(c => c is '\u001B' or '\u0007' or '\u0008' or '\r' or '\u202E' or '\u2028' || (c == '\n'));

    /// <summary>Sends one raw HTTP/1.1 request line and headers, and returns the status line of the answer.</summary>
    private static async Task<string> RawRequestAsync(HttpTestHost host, string requestLineAndHeaders, string body = "")
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", host.BaseUrl.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes(requestLineAndHeaders + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n" + body));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync() ?? "";
    }

    [Fact]
    public async Task The_access_line_escapes_control_and_bidi_characters_from_the_path_and_the_JSON_RPC_method()
    {
        await using var host = await HttpTestHost.StartAsync();
        // Percent-encoded: ESC [31m, BEL, BS, CR, LF, RIGHT-TO-LEFT OVERRIDE, LINE SEPARATOR, and a backslash.
        string status = await RawRequestAsync(host, "GET /x%1B%5B31m%07%08%0D%0Ay%E2%80%AE%E2%80%A8%5C HTTP/1.1\r\nHost: a\r\n");
        Assert.Contains("404", status);
        string rpc = await RawRequestAsync(host, $"POST /mcp HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {HttpTestHost.TokenOf("t")}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n",
            """{"jsonrpc":"2.0","id":1,"method":"evil\u001b[2J\u0007\r\nINFO forged line\u202e"}""");

        // The access line is written once the answer has gone out.
        await WaitToolTests.WaitUntilAsync(() => host.Logs.Lines.Count(l => l.Contains(Logging.AccessLogCategory)) >= 2);
        var access = host.Logs.Lines.Where(l => l.Contains(Logging.AccessLogCategory)).ToList();
        foreach (var line in access) output.WriteLine(line);
        var path = Assert.Single(access, l => l.Contains("GET /x"));
        Assert.Contains(@"GET /x\u001B[31m\u0007\u0008\u000D\u000Ay\u202E\u2028\\ 404", path);
        var method = Assert.Single(access, l => l.Contains("POST /mcp"));
        Assert.Contains(@"evil\u001B[2J\u0007\u000D\u000AINFO forged line\u202E", method);
        Assert.DoesNotContain(access, l => HasRawControl(l.TrimEnd()));
    }

    [Fact]
    public void Every_log_line_has_control_and_bidi_characters_escaped_whoever_wrote_it()
    {
        Assert.Equal(@"tool 'a\u001B[2Jb\u202E' failed", DisplayText.ForLog("tool 'a\u001B[2Jb\u202E' failed"));
        Assert.Equal("two\nlines", DisplayText.ForLog("two\nlines", keepLineBreaks: true));
        Assert.Equal(@"two\u000Alines", DisplayText.ForLog("two\nlines"));
        Assert.Equal("plain text, ünïcode and emoji 🙂", DisplayText.ForLog("plain text, ünïcode and emoji 🙂"));
    }

    [Fact]
    public async Task A_request_whose_client_went_away_is_logged_as_aborted_on_one_short_line()
    {
        await using var host = await CallerLimitTests.StartWithBuildingAsync();
        await using var client = await host.ConnectAsync("alice");
        using var cancel = new CancellationTokenSource();
        // A raw request, so that the client side really goes away (an SDK client would also send notifications/cancelled).
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Post, host.McpUrl)
        {
            Content = new StringContent($$$$"""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"wait_for_build","arguments":{"build_id":"{{{{WaitToolTests.BuildId}}}}"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", HttpTestHost.TokenOf("alice"));
        request.Headers.Accept.ParseAdd("application/json, text/event-stream");
        var call = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        await WaitToolTests.WaitUntilAsync(() => CallerLimitTests.BuildReads(host, "alice") >= 1);
        (await call).Dispose(); // the response stream closed under the server
        http.Dispose();

        await WaitToolTests.WaitUntilAsync(() => host.Logs.Lines.Any(l => l.Contains("tools/call wait_for_build")));
        await Task.Delay(200); // whatever else the abort makes anyone log
        foreach (var line in host.Logs.Lines) output.WriteLine(line);
        var access = Assert.Single(host.Logs.Lines, l => l.Contains("tools/call wait_for_build"));
        Assert.Contains("POST /mcp aborted", access);
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("   at ") || l.Contains("Exception") && l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.All(host.Logs.Lines, l => Assert.True(l.Length < 400, l));
    }
}
