using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Mcp;
using Raworc.Tests.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests;

/// <summary>
/// Long texts leave the SDK's serialization and are written in chunks (<see cref="LargeTexts"/>): what the client
/// reads is the text itself, over stdio and over HTTP, in tool results and in resources.
/// </summary>
public sealed class LargeTextTests
{
    private const string T0 = "2025-08-30T18:00:00+00:00";

    /// <summary>
    /// Quotes, backslashes, a line break, a control character, an accent and a surrogate pair, each escaped its own
    /// way; a turn whose escaped length divides no power of two, so that the stream's chunks end at many places in it.
    /// </summary>
    private static readonly string Description = string.Concat(Enumerable.Repeat("\"\\\n\u0001é😀xyz", 8_000));

    private static string Space => new JsonObject
    {
        ["name"] = "big",
        ["description"] = Description,
        ["settings"] = new JsonObject(),
        ["active"] = true,
        ["created_at"] = T0,
        ["updated_at"] = T0,
        ["created_by"] = "admin",
    }.ToJsonString();

    private static void AssertIsTheSpace(string text)
    {
        Assert.True(text.Length >= LargeTexts.MinLength, $"{text.Length} characters: too short to be written in chunks");
        Assert.DoesNotContain("cut here", text);
        using var json = JsonDocument.Parse(text);
        Assert.Equal(Description, json.RootElement.GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_long_tool_result_reaches_a_stdio_client_as_it_is()
    {
        await using var host = await McpTestHost.StartAsync();
        host.Respond(200, Space);

        var result = await host.CallAsync("get_space", """{"name":"big"}""");

        Assert.False(result.IsError ?? false);
        AssertIsTheSpace(McpTestHost.Text(result));
    }

    [Fact]
    public async Task A_long_resource_reaches_a_stdio_client_as_it_is()
    {
        await using var host = await McpTestHost.StartAsync();
        host.Respond(200, Space);

        var result = await host.Client.ReadResourceAsync("raworc://spaces/big");

        AssertIsTheSpace(Assert.IsType<TextResourceContents>(Assert.Single(result.Contents)).Text);
    }

    [Fact]
    public async Task A_long_tool_result_reaches_an_http_client_as_it_is_beside_short_ones()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/big").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Space));
        await using var client = await host.ConnectAsync("alice-token");

        var calls = Enumerable.Range(0, 6).Select(i => client.CallToolAsync(i % 2 == 0 ? "get_space" : "health_check",
            i % 2 == 0 ? new Dictionary<string, object?> { ["name"] = "big" } : null).AsTask()).ToList();
        var results = await Task.WhenAll(calls);

        for (int i = 0; i < results.Length; i += 2) AssertIsTheSpace(McpTestHost.Text(results[i]));
        for (int i = 1; i < results.Length; i += 2) Assert.DoesNotContain("large text", McpTestHost.Text(results[i]));
    }

    [Fact]
    public async Task A_long_text_goes_over_http_escaped_only_where_json_requires()
    {
        await using var host = await HttpTestHost.StartAsync();
        host.Api.Given(Request.Create().WithPath("/api/v0/spaces/big").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Space));

        using var response = await host.PostAsync(
            """{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_space","arguments":{"name":"big"}}}""",
            HttpTestHost.Bearer("alice"));
        string body = await response.Content.ReadAsStringAsync();

        string data = Assert.Single(body.Split('\n'), line => line.StartsWith("data: {", StringComparison.Ordinal))["data: ".Length..];
        using var message = JsonDocument.Parse(data);
        AssertIsTheSpace(message.RootElement.GetProperty("result").GetProperty("content")[0].GetProperty("text").GetString()!);
        // The SDK's writer would have written each quote of the JSON text as \u0022 and each accent as \u00E9.
        Assert.DoesNotContain("\\u0022", data);
        Assert.Contains("é", data);
    }
}

/// <summary>
/// The stream that writes long texts where their placeholders are (<see cref="LargeTextStream"/>), fed as the JSON
/// writers of the SDK and of the stdio transport feed it, in pieces cut anywhere.
/// </summary>
public sealed class LargeTextStreamTests
{
    private static readonly string Text = string.Concat(Enumerable.Repeat("{\"a\": \"x\\y\"}\n\u0007é😀", 2_000));

    /// <summary>A message as a JSON writer with <paramref name="encoder"/> writes it, its one text deferred.</summary>
    private static byte[] Message(string text, JavaScriptEncoder encoder)
    {
        var result = LargeTexts.Defer(new CallToolResult { Content = [new TextContentBlock { Text = text }] });
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            writer.WriteStartObject();
            writer.WriteString("text", ((TextContentBlock)result.Content[0]).Text);
            writer.WriteString("after", "\u0000raworc");
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<string> WriteInPiecesAsync(byte[] message, params int[] cuts)
    {
        var output = new MemoryStream();
        var stream = new LargeTextStream(output);
        int from = 0;
        foreach (int cut in cuts.Append(message.Length))
        {
            await stream.WriteAsync(message.AsMemory(from, cut - from));
            from = cut;
        }
        await stream.FlushAsync();
        return Encoding.UTF8.GetString(output.ToArray());
    }

    private static string TextOf(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.Equal("\u0000raworc", document.RootElement.GetProperty("after").GetString());
        return document.RootElement.GetProperty("text").GetString()!;
    }

    [Fact]
    public async Task A_placeholder_cut_anywhere_is_written_as_its_text()
    {
        int start = Encoding.UTF8.GetString(Message("short", JavaScriptEncoder.Default)).IndexOf(':', StringComparison.Ordinal) + 2;
        for (int cut = start - 2; cut <= start + 64; cut++)
        {
            string json = await WriteInPiecesAsync(Message(Text, JavaScriptEncoder.Default), cut);
            Assert.Equal(Text, TextOf(json));
        }
    }

    [Fact]
    public async Task A_message_written_a_byte_at_a_time_comes_out_whole()
    {
        byte[] message = Message(Text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        string json = await WriteInPiecesAsync(message, Enumerable.Range(1, message.Length - 1).ToArray());
        Assert.Equal(Text, TextOf(json));
        Assert.Contains("\\\"a\\\"", json); // escaped where JSON requires, not as \u0022
    }

    [Fact]
    public async Task Bytes_that_only_look_like_a_placeholder_pass_unchanged()
    {
        using var waiting = LargeTexts.BeginScope();
        Message(Text, JavaScriptEncoder.Default); // a text waits, so the stream looks at every byte
        string looksLike = LargeTexts.Marker + "not an id" + LargeTexts.Marker[..5];
        var unknown = LargeTexts.Marker + Guid.NewGuid().ToString("N");
        foreach (string text in new[] { looksLike, unknown, LargeTexts.Marker + Guid.NewGuid().ToString("N").ToUpperInvariant() })
        {
            byte[] message = Message(text, JavaScriptEncoder.Default);
            for (int cut = 1; cut < message.Length; cut += 3)
                Assert.Equal(Encoding.UTF8.GetString(message), await WriteInPiecesAsync(message, cut));
        }
    }

    [Fact]
    public async Task A_scope_forgets_the_texts_it_did_not_write()
    {
        byte[] message;
        using (LargeTexts.BeginScope())
            message = Message(Text, JavaScriptEncoder.Default);

        string json = await WriteInPiecesAsync(message);

        Assert.StartsWith(LargeTexts.Marker, TextOf(json));
    }

    [Fact]
    public async Task A_text_deferred_after_its_scope_ended_is_not_kept()
    {
        var requestEnded = new TaskCompletionSource();
        Task<byte[]> call;
        using (LargeTexts.BeginScope())
            call = Task.Run(async () => { await requestEnded.Task; return Message(Text, JavaScriptEncoder.Default); });
        requestEnded.SetResult(); // the call goes on in the request's flow after the request ended
        byte[] message = await call;

        string json = await WriteInPiecesAsync(message);

        Assert.StartsWith(LargeTexts.Marker, TextOf(json));
    }
}
