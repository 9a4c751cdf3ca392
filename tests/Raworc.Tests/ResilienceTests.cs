using System.Diagnostics;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// Retries: idempotent calls (GET, PUT, DELETE) are retried on transport faults and 408/429/502/503/504, at most three
/// attempts, honouring a short Retry-After; POST and PATCH are sent once; other statuses are final.
/// </summary>
public sealed class ResilienceTests
{
    private const string Sid = SessionId;
    private const string SpaceJson = """{"name":"staging","description":"Staging","settings":{},"active":true,"created_at":"2025-08-30T18:00:00+00:00","updated_at":"2025-08-30T18:00:00+00:00","created_by":"admin"}""";
    private const string SessionJson = $$"""{"id":"{{Sid}}","space":"default","state":"idle","created_at":"2025-08-30T18:00:00+00:00"}""";
    private const string MessageJson = $$"""{"id":"m1","session_id":"{{Sid}}","role":"user","content":"hi","metadata":{},"created_at":"2025-08-30T18:23:10+00:00"}""";

    /// <summary>The API fails <paramref name="failures"/> times with <paramref name="failure"/>, then answers <paramref name="success"/>.</summary>
    private static void FailThenSucceed(McpTestHost host, int failures, IResponseBuilder failure, IResponseBuilder success)
    {
        host.Api.Reset();
        const string scenario = "flaky";
        for (int i = 0; i < failures; i++)
        {
            var mapping = host.Api.Given(Request.Create().UsingAnyMethod()).InScenario(scenario);
            if (i > 0) mapping = mapping.WhenStateIs($"failed-{i}");
            mapping.WillSetStateTo($"failed-{i + 1}").RespondWith(failure);
        }
        host.Api.Given(Request.Create().UsingAnyMethod()).InScenario(scenario).WhenStateIs($"failed-{failures}").RespondWith(success);
    }

    private static IResponseBuilder Status(int status, string? body = null)
    {
        var response = Response.Create().WithStatusCode(status);
        return body is null ? response : response.WithHeader("Content-Type", "application/json").WithBody(body);
    }

    public static TheoryData<string, string, string, string> IdempotentCalls => new()
    {
        // tool, arguments, method, success body
        { "get_space", """{"name":"staging"}""", "GET", SpaceJson },
        { "update_space", """{"name":"staging","description":"Updated"}""", "PUT", SpaceJson },
        { "delete_space", """{"name":"staging"}""", "DELETE", "" },
        { "update_session_state", $$"""{"session_id":"{{Sid}}","state":"closed"}""", "PUT", """{"success":true,"state":"closed"}""" },
    };

    [Theory]
    [MemberData(nameof(IdempotentCalls))]
    public async Task Idempotent_call_is_retried_after_a_503(string tool, string arguments, string method, string successBody)
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 1, Status(503), Status(200, successBody));

        var result = await host.CallAsync(tool, arguments);

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(2, host.Requests.Count);
        Assert.All(host.Requests, r => Assert.Equal(method, r.RequestMessage.Method));
        // The replay is the same request.
        Assert.Equal(host.Requests[0].RequestMessage.Body, host.Requests[1].RequestMessage.Body);
        Assert.Equal(host.Requests[0].RequestMessage.Url, host.Requests[1].RequestMessage.Url);
    }

    [Fact]
    public async Task Three_503s_give_up_after_three_attempts()
    {
        await using var host = await StartAsync();
        host.Respond(503);

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("HTTP 503", Text(result));
        Assert.Equal(3, host.Requests.Count);
    }

    [Fact]
    public async Task Two_failures_then_success_needs_three_attempts()
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 2, Status(502), Status(200, "[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(3, host.Requests.Count);
    }

    public static TheoryData<string, string> NonIdempotentCalls => new()
    {
        { "create_space", """{"name":"staging"}""" },
        { "send_message", $$"""{"session_id":"{{Sid}}","content":"hi"}""" },
        { "create_session", "{}" },
        { "close_session", $$"""{"session_id":"{{Sid}}"}""" },
        { "update_agent_status", """{"agent_name":"a","status":"stopped"}""" }, // PATCH
    };

    [Theory]
    [MemberData(nameof(NonIdempotentCalls))]
    public async Task Post_and_patch_are_never_replayed(string tool, string arguments)
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 1, Status(503), Status(200, MessageJson));

        var result = await host.CallAsync(tool, arguments);

        Assert.True(result.IsError, Text(result));
        Assert.Contains("HTTP 503", Text(result));
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task Post_is_not_replayed_after_a_connection_cut_mid_response()
    {
        using var api = new CuttingServer(cuts: 1, SessionJson);
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url });

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"hi"}""");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("NETWORK_ERROR", Text(result));
        Assert.Equal(["POST /api/v0/sessions/" + Sid + "/messages"], api.Requests);
    }

    [Fact]
    public async Task Retry_After_of_one_second_is_waited_for()
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 1, Status(429).WithHeader("Retry-After", "1"), Status(200, "[]"));

        var watch = Stopwatch.StartNew();
        var result = await host.CallAsync("list_spaces");
        watch.Stop();

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(2, host.Requests.Count);
        var gap = host.Requests[1].RequestMessage.DateTime - host.Requests[0].RequestMessage.DateTime;
        Assert.True(gap.TotalSeconds >= 0.9, $"retried after {gap.TotalMilliseconds} ms");
        Assert.True(watch.Elapsed.TotalSeconds >= 0.9, $"returned after {watch.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Retry_After_beyond_the_cap_fails_at_once()
    {
        await using var host = await StartAsync();
        host.Respond(429, """{"error":{"code":"RATE_LIMITED","message":"Slow down"}}""", headers: new Dictionary<string, string> { ["Retry-After"] = "120" });

        var watch = Stopwatch.StartNew();
        var result = await host.CallAsync("list_spaces");
        watch.Stop();

        Assert.True(result.IsError, Text(result));
        Assert.Contains("HTTP 429", Text(result));
        Assert.Contains("Slow down", Text(result));
        Assert.Single(host.Requests);
        // Against the 120 s asked for: the bound only tells "at once" from waiting, whatever the machine's load.
        Assert.True(watch.Elapsed.TotalSeconds < 30, $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public async Task Transient_status_is_retried(int status)
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 1, Status(status), Status(200, SessionJson));

        var result = await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}""");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(2, host.Requests.Count);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    [InlineData(500)]
    [InlineData(501)]
    public async Task Other_status_is_final(int status)
    {
        await using var host = await StartAsync();
        FailThenSucceed(host, 1, Status(status, """{"error":{"code":"X","message":"nope"}}"""), Status(200, SessionJson));

        var result = await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}""");

        Assert.True(result.IsError, Text(result));
        Assert.Contains($"HTTP {status}", Text(result));
        Assert.Single(host.Requests);
    }

    [Theory]
    [InlineData("get_session", "GET", 1)]
    [InlineData("get_session", "GET", 2)]
    [InlineData("terminate_session", "DELETE", 1)]
    public async Task Connection_cut_mid_response_on_idempotent_call_is_retried(string tool, string method, int cuts)
    {
        using var api = new CuttingServer(cuts, SessionJson);
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url });

        var result = await host.CallAsync(tool, $$"""{"session_id":"{{Sid}}"}""");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Equal(cuts + 1, api.Requests.Count);
        Assert.All(api.Requests, r => Assert.Equal($"{method} /api/v0/sessions/{Sid}", r));
    }

    [Fact]
    public async Task Connection_cut_every_time_is_a_network_error_after_three_attempts()
    {
        using var api = new CuttingServer(cuts: int.MaxValue, SessionJson);
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = api.Url });

        var result = await host.CallAsync("get_session", $$"""{"session_id":"{{Sid}}"}""");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("NETWORK_ERROR", Text(result));
        Assert.Contains(api.Url, Text(result));
        Assert.Equal(3, api.Requests.Count);
    }

    [Fact]
    public async Task Retries_stop_at_the_overall_timeout()
    {
        // Retry-After 1 s three times would take 2 s; RAWORC_TIMEOUT 1 bounds the whole call.
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_TIMEOUT"] = "1" });
        host.Respond(503, headers: new Dictionary<string, string> { ["Retry-After"] = "1" });

        var watch = Stopwatch.StartNew();
        var result = await host.CallAsync("list_spaces");
        watch.Stop();

        Assert.True(result.IsError, Text(result));
        Assert.Contains("TIMEOUT", Text(result));
        // Not sooner than the timeout; that it stopped there is the TIMEOUT itself (no more attempts than fit in it).
        Assert.True(watch.Elapsed.TotalSeconds >= 0.9, $"returned after {watch.Elapsed.TotalMilliseconds} ms");
        Assert.InRange(host.Requests.Count, 1, 2);
    }

    /// <summary>
    /// A bare HTTP/1.1 server on 127.0.0.1 whose first <c>cuts</c> responses break off mid-body (the connection closes
    /// after half of what Content-Length promised); later ones are complete. WireMock cannot do this: its "faults"
    /// are well-framed responses with an empty or garbage body.
    /// </summary>
    private sealed class CuttingServer : IDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly List<string> _requests = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly int _cuts;
        private readonly byte[] _body;

        public CuttingServer(int cuts, string body)
        {
            _cuts = cuts;
            _body = System.Text.Encoding.UTF8.GetBytes(body);
            _listener.Start();
            _ = AcceptLoop();
        }

        public string Url => $"http://127.0.0.1:{((System.Net.IPEndPoint)_listener.LocalEndpoint).Port}/api/v0";

        /// <summary>"METHOD /path" of every request received.</summary>
        public List<string> Requests { get { lock (_requests) return _requests.ToList(); } }

        private async Task AcceptLoop()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = Serve(client);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
            }
        }

        private async Task Serve(System.Net.Sockets.TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    using var reader = new StreamReader(stream, System.Text.Encoding.ASCII, leaveOpen: true);
                    string requestLine = await reader.ReadLineAsync(_stop.Token) ?? "";
                    int contentLength = 0;
                    for (string? line; !string.IsNullOrEmpty(line = await reader.ReadLineAsync(_stop.Token));)
                        if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                            contentLength = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (contentLength > 0) await reader.ReadBlockAsync(new char[contentLength], _stop.Token); // bodies here are ASCII JSON
                    int number;
                    lock (_requests)
                    {
                        _requests.Add(string.Join(' ', requestLine.Split(' ').Take(2)));
                        number = _requests.Count;
                    }
                    bool cut = number <= _cuts;
                    string head = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {_body.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head), _stop.Token);
                    await stream.WriteAsync(cut ? _body.AsMemory(0, _body.Length / 2) : _body, _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    if (cut) client.Client.LingerState = new System.Net.Sockets.LingerOption(true, 0); // reset, not a clean close
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or System.Net.Sockets.SocketException)
                {
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _listener.Dispose();
        }
    }
}
