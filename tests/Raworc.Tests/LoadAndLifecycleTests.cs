using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using Xunit.Abstractions;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// A minimal HTTP/1.1 API on 127.0.0.1: each request is answered 200 with the body <c>answer</c> gives for its
/// request line, or never answered when it gives null (by default only GET .../version is answered). Records the
/// requests left hanging and when the client side closes their connections.
/// </summary>
public sealed class SilentApi : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private readonly Func<string, string?> _answer;

    public SilentApi(Func<string, string?>? answer = null)
    {
        _answer = answer ?? (line => line.Contains("/version ", StringComparison.Ordinal) ? """{"version":"0.3.0","api":"v0"}""" : null);
        _listener.Start();
        _ = Task.Run(AcceptAsync);
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/api/v0";

    /// <summary>Request lines (e.g. "GET /api/v0/spaces/x HTTP/1.1") of the requests left unanswered, as they arrive.</summary>
    public BlockingCollection<string> Hanging { get; } = [];

    /// <summary>When the client closed a connection that had a request left unanswered.</summary>
    public BlockingCollection<DateTime> Closed { get; } = [];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            _clients.Add(client);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var buffer = new byte[64 * 1024];
        var received = new StringBuilder();
        bool hanging = false;
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) break;
                if (hanging) continue;
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                string text = received.ToString();
                int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0) continue;
                string requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
                received.Clear().Append(text[(end + 4)..]);
                if (_answer(requestLine) is { } body)
                {
                    byte[] bytes = Encoding.UTF8.GetBytes(body);
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(
                        $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {bytes.Length}\r\n\r\n"), _stop.Token);
                    await stream.WriteAsync(bytes, _stop.Token);
                    continue;
                }
                hanging = true;
                Hanging.Add(requestLine);
            }
            if (hanging) Closed.Add(DateTime.UtcNow);
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
            if (hanging) Closed.Add(DateTime.UtcNow);
        }
    }

    public string NextHanging(TimeSpan timeout) =>
        Hanging.TryTake(out var line, timeout) ? line : throw new TimeoutException("no request reached the API");

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var client in _clients) client.Dispose();
    }
}

/// <summary>
/// Many calls at once, each answered with its own result; cancellation reaching the HTTP call; and the binary's
/// exit paths with calls in flight: stdin closed (quick calls drained, hanging ones abandoned) and signals.
/// </summary>
public sealed class LoadAndLifecycleTests(ITestOutputHelper output)
{
    private static string SpaceBody(string name) =>
        $$"""{"name":"{{name}}","description":null,"settings":{},"active":true,"created_at":"2025-08-30T18:00:00+00:00","updated_at":"2025-08-30T18:00:00+00:00","created_by":"admin"}""";

    [Fact]
    public async Task A_thousand_concurrent_calls_are_all_answered_each_with_its_own_result()
    {
        // WireMock's response templating takes tens of milliseconds a request: an API that echoes the name is quicker.
        int requests = 0;
        using var api = new SilentApi(line =>
        {
            Interlocked.Increment(ref requests);
            return SpaceBody(line.Split(' ')[1].Split('/')[^1]);
        });
        // A minute per API call: on a loaded machine a thousand at once may queue; how long they take is a figure.
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url, ["RAWORC_TIMEOUT"] = "60" });

        var watch = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 1_000).Select(async i =>
        {
            var result = await host.Client.CallToolAsync(new CallToolRequestParams
            {
                Name = "get_space",
                Arguments = new Dictionary<string, JsonElement> { ["name"] = JsonSerializer.SerializeToElement($"space-{i}") },
            });
            return (i, result);
        }).ToList();
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(120));
        watch.Stop();

        output.WriteLine($"1,000 concurrent get_space calls through MCP and HTTP: {watch.ElapsedMilliseconds} ms");
        foreach (var (i, result) in results)
        {
            Assert.False(result.IsError ?? false, Text(result));
            Assert.Equal($"space-{i}", JsonDocument.Parse(Text(result)).RootElement.GetProperty("name").GetString());
        }
        Assert.Equal(1_000, requests);
    }

    [Fact]
    public async Task A_thousand_raw_requests_written_at_once_get_a_thousand_answers_with_their_own_ids()
    {
        await using var host = RawServerHost.Start(new Dictionary<string, string?> { ["RAWORC_TIMEOUT"] = "60" });
        host.Api.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"version":"0.3.0","api":"v0"}"""));
        await host.InitializeAsync();

        var watch = Stopwatch.StartNew();
        var answers = Enumerable.Range(0, 1_000).Select(i => host.Expect($"\"call-{i}\"")).ToList();
        var lines = new StringBuilder();
        for (int i = 0; i < 1_000; i++)
            lines.Append($$"""{"jsonrpc":"2.0","id":"call-{{i}}","method":"tools/call","params":{"name":"get_version""").Append("\"}}\n");
        await host.WriteAsync(Encoding.UTF8.GetBytes(lines.ToString()));

        var all = await Task.WhenAll(answers).WaitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"1,000 raw get_version lines in one write (WireMock): all answered in {watch.ElapsedMilliseconds} ms");
        for (int i = 0; i < all.Length; i++)
        {
            Assert.True(all[i].TryGetProperty("result", out _), all[i].ToString());
            Assert.Equal($"call-{i}", all[i].GetProperty("id").GetString());
            Assert.Equal("""{"version":"0.3.0","api":"v0"}""", all[i].GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        }
        Assert.Equal(1_000, host.Api.LogEntries.Count());

        // Exactly one line per request: nothing doubled.
        int extra = 0;
        while (host.Lines.TryRead(out _)) extra++;
        Assert.Equal(1_000, extra);
    }

    [Fact]
    public async Task Cancelling_a_call_aborts_its_HTTP_request_and_the_next_call_works()
    {
        using var api = new SilentApi();
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url, ["RAWORC_TIMEOUT"] = "30" });

        using var cancel = new CancellationTokenSource();
        var call = host.CallAsync("get_space", """{"name":"slow"}""", cancel.Token);
        Assert.Contains("/api/v0/spaces/slow", api.NextHanging(TimeSpan.FromSeconds(10)));

        var cancelledAt = DateTime.UtcNow;
        cancel.Cancel(); // the SDK client sends notifications/cancelled
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        // Closed long before the 30 s API timeout would have ended it: the cancellation did. How soon is a figure, not a test.
        Assert.True(api.Closed.TryTake(out var closedAt, TimeSpan.FromSeconds(20)), "the HTTP connection was not closed before the API timeout");
        output.WriteLine($"HTTP connection closed {(closedAt - cancelledAt).TotalMilliseconds:F0} ms after the cancellation");

        var version = await host.CallAsync("get_version").WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("0.3.0", Text(version));
        Assert.DoesNotContain("Unexpected failure", host.Logs.All);
    }

    [Fact]
    public async Task Many_cancelled_calls_leave_nothing_behind()
    {
        using var api = new SilentApi();
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url, ["RAWORC_TIMEOUT"] = "30" });

        using var cancel = new CancellationTokenSource();
        var calls = Enumerable.Range(0, 50).Select(i => host.CallAsync("get_space", $$"""{"name":"s{{i}}"}""", cancel.Token)).ToList();
        for (int i = 0; i < 50; i++) api.NextHanging(TimeSpan.FromSeconds(10));
        cancel.Cancel();
        foreach (var call in calls) await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20); // a hang bound, below the 30 s API timeout
        while (api.Closed.Count < 50 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Equal(50, api.Closed.Count);
        Assert.Contains("0.3.0", Text(await host.CallAsync("get_version").WaitAsync(TimeSpan.FromSeconds(10))));
    }

    // ---- The binary ----

    private static string Call(string id, string tool, string arguments = "{}") =>
        $$"""{"jsonrpc":"2.0","id":"{{id}}","method":"tools/call","params":{"name":"{{tool}}","arguments":""" + arguments + "}}";

    [Fact]
    public async Task Stdin_closed_with_a_call_hanging_on_the_API_exits_zero_without_waiting_for_it()
    {
        using var api = new SilentApi();
        using var process = BinaryProcess.Start(null, [("RAWORC_API_URL", api.Url), ("RAWORC_AUTH_TOKEN", "t"), ("RAWORC_TIMEOUT", "30")]);
        await process.InitializeAsync();
        await process.WriteLineAsync(Call("hang", "get_space", """{"name":"slow"}"""));
        api.NextHanging(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        process.CloseInput();
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        watch.Stop();

        output.WriteLine($"exit {exit} {watch.ElapsedMilliseconds} ms after stdin closed with a call hanging");
        Assert.Equal(0, exit);
        // 2 s of drain, then the hanging call is cancelled; the bound only tells that from waiting for the call's
        // 10 s, whatever the machine's load.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"took {watch.ElapsedMilliseconds} ms");
        Assert.Contains("Shutting down (stdin closed)", process.Stderr);
    }

    [Fact]
    public async Task Stdin_closed_with_a_quick_call_in_flight_answers_it_before_exiting()
    {
        using var api = StartApi();
        api.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("""{"version":"0.3.0","api":"v0"}""").WithDelay(TimeSpan.FromMilliseconds(300)));
        using var process = BinaryProcess.Start(null, [("RAWORC_API_URL", api.Url + "/api/v0")]);
        await process.InitializeAsync();

        var watch = Stopwatch.StartNew();
        // The request and the end of input together, as a client that quits right after asking would do.
        await process.WriteLineAsync(Call("quick", "get_version"));
        process.CloseInput();
        string answer = await process.ReadLineAsync(l => l.Contains("\"quick\""), TimeSpan.FromSeconds(5));
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"answered and exited {watch.ElapsedMilliseconds} ms after stdin closed");
        Assert.Contains("0.3.0", JsonDocument.Parse(answer).RootElement.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(0, exit);
        Assert.Single(api.LogEntries);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    [InlineData("HUP")]
    public async Task A_signal_with_a_call_in_flight_exits_zero_promptly(string signal)
    {
        if (OperatingSystem.IsWindows()) return;
        using var api = new SilentApi();
        using var process = BinaryProcess.Start(null, [("RAWORC_API_URL", api.Url), ("RAWORC_AUTH_TOKEN", "t"), ("RAWORC_TIMEOUT", "30")]);
        await process.InitializeAsync();
        await process.WriteLineAsync(Call("hang", "get_space", """{"name":"slow"}"""));
        api.NextHanging(TimeSpan.FromSeconds(10));

        var watch = Stopwatch.StartNew();
        process.Signal(signal);
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        watch.Stop();

        output.WriteLine($"SIG{signal}: exit {exit} after {watch.ElapsedMilliseconds} ms");
        Assert.Equal(0, exit);
        // The call hangs for 10 s: the bound only tells a prompt exit from waiting for it, whatever the machine's load.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.ElapsedMilliseconds} ms");
        Assert.Contains("Shutting down (SIG", process.Stderr);
        // Nothing but JSON-RPC on stdout, even on the way out.
        while (process.Stdout.TryRead(out var line)) Assert.Equal("2.0", JsonDocument.Parse(line).RootElement.GetProperty("jsonrpc").GetString());
    }

    [Fact]
    public async Task Stdin_closed_before_initialize_or_mid_line_exits_zero()
    {
        foreach (string input in new[] { "", "{\"jsonrpc\":\"2.0\",\"id\":1,\"meth", BinaryProcess.Handshake + "{\"jsonrpc\":" })
        {
            var watch = Stopwatch.StartNew();
            var (exit, stdout, stderr) = await BinaryProcess.RunAsync(null, input);
            Assert.True(exit == 0, stderr);
            // It exits rather than waiting for more input; the bound only catches a hang, whatever the machine's load.
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
            foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Assert.Equal("2.0", JsonDocument.Parse(line).RootElement.GetProperty("jsonrpc").GetString());
        }
    }
}
