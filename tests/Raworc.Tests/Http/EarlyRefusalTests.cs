using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Raworc.Tests.Http;

/// <summary>
/// A refusal given before the body is read reaches a client that is still sending that body, as Node's fetch (the
/// TypeScript SDK's) does: it writes the whole body before it reads any answer, and fails with EPIPE or "fetch
/// failed" if the server closes the connection meanwhile. The client here does the same over a raw socket.
/// </summary>
public sealed class EarlyRefusalTests
{
    /// <summary>Writes the request and all of its body, then reads the answer's status line: what fetch does.</summary>
    private static async Task<string> SendWholeBodyThenReadAsync(HttpTestHost host, string headers, long bodyBytes)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", host.BaseUrl.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
            $"Accept: application/json, text/event-stream\r\nContent-Length: {bodyBytes}\r\n{headers}\r\n"));
        byte[] chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
        for (long sent = 0; sent < bodyBytes; sent += chunk.Length)
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, bodyBytes - sent))); // throws if the server closed on us
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "(connection closed without an answer)";
    }

    [Theory]
    [InlineData("bearer", 6L * 1024 * 1024, "413")] // a declared length over the limit
    [InlineData("", 6L * 1024 * 1024, "401")]       // the same without a token: the token is checked first
    [InlineData("", 3L * 1024 * 1024, "401")]
    [InlineData("Authorization: Basic YTpi\r\n", 512 * 1024, "401")]
    [InlineData("Origin: http://evil.example\r\n", 6L * 1024 * 1024, "403")]
    public async Task A_refusal_is_read_by_a_client_that_sends_its_whole_body_first(string headers, long bodyBytes, string status)
    {
        await using var host = await HttpTestHost.StartAsync();
        if (headers == "bearer") headers = $"Authorization: Bearer {HttpTestHost.TokenOf("t")}\r\n";
        string line = await SendWholeBodyThenReadAsync(host, headers, bodyBytes);
        Assert.StartsWith($"HTTP/1.1 {status}", line);
        Assert.Empty(host.Api.LogEntries);
    }

    [Fact]
    public async Task A_caller_over_its_limits_gets_a_readable_429_while_sending()
    {
        await using var host = await HttpTestHost.StartAsync(["--rate-limit", "1"]);
        // A burst of two is allowed; the third request in a row is over the rate.
        for (int i = 0; i < 2; i++) await host.PostAsync(HttpTestHost.ToolsList, HttpTestHost.Bearer("greedy"));
        string line = await SendWholeBodyThenReadAsync(host, $"Authorization: Bearer {HttpTestHost.TokenOf("greedy")}\r\n", 3L * 1024 * 1024);
        Assert.StartsWith("HTTP/1.1 429", line);
    }

    [Fact]
    public async Task A_body_beyond_what_is_worth_discarding_has_its_connection_closed_instead_of_being_read()
    {
        await using var host = await HttpTestHost.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", host.BaseUrl.Port);
        var stream = socket.GetStream();
        long declared = Raworc.Mcp.Http.HttpResponses.MaxDiscardedBytes + 1;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {declared}\r\n\r\n"));
        byte[] chunk = new byte[256 * 1024];
        // No socket buffer holds 64 MiB: the writes fail once the server has closed the connection.
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            for (long sent = 0; sent < declared; sent += chunk.Length) await stream.WriteAsync(chunk);
        });
    }
}
