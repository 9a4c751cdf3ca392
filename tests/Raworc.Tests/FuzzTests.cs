using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Raworc.Tests;

/// <summary>
/// The binary under a stream of generated and mutated messages (fixed seed, so a failure replays): whatever comes in,
/// stdout carries JSON-RPC 2.0 objects only, the process stays up and keeps answering, and closing stdin still ends
/// it cleanly.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20_250_830;
    private const int Messages = 20_000;

    private static readonly string[] Methods =
    [
        "initialize", "ping", "tools/list", "tools/call", "resources/list", "resources/templates/list", "resources/read",
        "prompts/list", "prompts/get", "completion/complete", "logging/setLevel", "resources/subscribe", "sampling/createMessage",
        "no/such/method", "", "TOOLS/LIST", "tools/call ", "\u0000", "notifications/initialized", "notifications/cancelled",
        "notifications/progress", "notifications/roots/list_changed",
    ];

    private static readonly string[] ToolNames =
    [
        "get_space", "create_space", "update_space", "delete_space", "list_sessions", "create_session", "get_session", "send_message",
        "get_messages", "create_role", "create_role_binding", "list_secrets", "get_secret", "create_secret", "update_secret",
        "get_agent_logs", "update_session_state", "get_build", "create_agent", "whoami", "nope", "", "GET_SPACE", "get_space\u0000",
        "../etc/passwd", "wait_for_build", "wait_for_session",
    ];

    private static readonly string[] ArgumentNames =
    [
        "name", "space", "session_id", "content", "metadata", "settings", "limit", "offset", "state", "rules", "key", "value",
        "show_values", "id", "agent_name", "build_id", "latest", "timeout_seconds", "wait_for_reply", "description", "active", "__proto__",
        "constructor", "", "apiGroups", "n\u0000ame",
    ];

    /// <summary>Calls that reach the (closed) API: a few, since each waits for its retries.</summary>
    private static readonly string[] NetworkCalls =
    [
        """{"name":"get_version","arguments":{}}""",
        """{"name":"list_spaces","arguments":{}}""",
        """{"name":"get_space","arguments":{"name":"fuzz"}}""",
        """{"name":"health_check"}""",
    ];

    private sealed class Generator(Random random)
    {
        private int _nextId;

        public readonly List<string> Ids = [];

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private bool Chance(double p) => random.NextDouble() < p;

        public JsonNode? RandomValue(int depth = 0)
        {
            int kind = random.Next(depth > 3 ? 6 : 8);
            return kind switch
            {
                0 => null,
                1 => JsonValue.Create(random.Next(2) == 0),
                2 => Pick(new JsonNode?[] { 0, -1, int.MaxValue, long.MinValue, 1.5, 1e300, -0.0, random.Next() })?.DeepClone(),
                3 => JsonValue.Create(RandomString()),
                4 => JsonValue.Create(Pick(new[] { "", " ", "..", "/", "%2F", "ünï", "\u202E", "\ud83e\uddea", "\n", "\"", "\\", "null", "true" })),
                5 => JsonValue.Create(Pick(new[] { "init", "idle", "busy", "closed", "errored" })),
                6 => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(depth + 1))]),
                _ => RandomObject(depth + 1),
            };
        }

        public JsonObject RandomObject(int depth = 0)
        {
            var result = new JsonObject();
            int members = random.Next(5);
            for (int i = 0; i < members; i++) result[Pick(ArgumentNames) + (Chance(0.1) ? random.Next(10).ToString() : "")] = RandomValue(depth + 1);
            return result;
        }

        private string RandomString()
        {
            int length = Chance(0.05) ? random.Next(10_000, 20_000) : random.Next(20);
            var builder = new StringBuilder(length);
            for (int i = 0; i < length; i++) builder.Append((char)random.Next(0x20, 0x2FF));
            return builder.ToString();
        }

        private JsonNode NewId()
        {
            if (Ids.Count > 0 && Chance(0.05)) return JsonNode.Parse(Pick(Ids))!; // duplicate ids
            int n = Interlocked.Increment(ref _nextId);
            string id = Chance(0.5) ? n.ToString() : $"\"f{n}\"";
            Ids.Add(id);
            return JsonNode.Parse(id)!;
        }

        private JsonObject Params(string method) => method switch
        {
            "tools/call" => Chance(0.002)
                ? JsonNode.Parse(Pick(NetworkCalls))!.AsObject()
                : new JsonObject
                {
                    ["name"] = Chance(0.9) ? Pick(ToolNames) : RandomValue(),
                    // Almost always something the validator refuses, so the call never reaches the network.
                    ["arguments"] = Chance(0.9) ? WithUnknown(RandomObject()) : RandomValue(),
                },
            "initialize" => new JsonObject
            {
                ["protocolVersion"] = Pick(new[] { "2025-06-18", "2024-11-05", "1999-01-01", "" }),
                ["capabilities"] = Chance(0.8) ? new JsonObject() : RandomValue(),
                ["clientInfo"] = Chance(0.8) ? new JsonObject { ["name"] = "fuzz", ["version"] = "1" } : RandomValue(),
            },
            "resources/read" => new JsonObject { ["uri"] = Chance(0.5) ? "raworc://nothing/here" : RandomValue() },
            "prompts/get" => new JsonObject { ["name"] = Chance(0.5) ? "no-such-prompt" : RandomValue(), ["arguments"] = RandomObject() },
            "logging/setLevel" => new JsonObject { ["level"] = Pick(new[] { "debug", "info", "emergency", "loud" }) },
            "notifications/cancelled" => new JsonObject { ["requestId"] = Ids.Count > 0 && Chance(0.7) ? JsonNode.Parse(Pick(Ids)) : RandomValue() },
            _ => RandomObject(),
        };

        private static JsonObject WithUnknown(JsonObject arguments)
        {
            arguments["zz_unknown_argument"] = 1;
            return arguments;
        }

        /// <summary>A well-formed message (a request, or a notification for notification methods).</summary>
        public string Valid()
        {
            string method = Pick(Methods);
            var message = new JsonObject { ["jsonrpc"] = "2.0" };
            bool notification = method.StartsWith("notifications/", StringComparison.Ordinal) || Chance(0.05);
            if (!notification) message["id"] = NewId();
            message["method"] = method;
            if (method == "completion/complete")
                // Completions may look names up in the API: only with references the server does not know.
                message["params"] = new JsonObject { ["ref"] = new JsonObject { ["type"] = "ref/nothing", ["name"] = "x" }, ["argument"] = RandomValue() };
            else if (!Chance(0.1))
                message["params"] = Params(method);
            return message.ToJsonString();
        }

        /// <summary>One line of input: valid, mutated or garbage (raw bytes, newline excluded).</summary>
        public byte[] Next()
        {
            int kind = random.Next(100);
            byte[] valid = Encoding.UTF8.GetBytes(Valid());
            switch (kind)
            {
                case < 45:
                    return valid;
                case < 55: // byte flips
                {
                    int flips = 1 + random.Next(4);
                    for (int i = 0; i < flips; i++) valid[random.Next(valid.Length)] = (byte)random.Next(256);
                    return valid;
                }
                case < 63: // truncation
                    return valid[..random.Next(valid.Length)];
                case < 68: // random JSON value
                    return Encoding.UTF8.GetBytes(RandomValue()?.ToJsonString() ?? "null");
                case < 72: // huge numbers and odd ids
                    return Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{Pick(new[] { "1e400", "123456789012345678901234567890", "-0", "1.0", "0x10", "NaN", "[]", "{}", "null", "true", "\"\"" })}},"method":"{{Pick(Methods).Replace("\u0000", "")}}"}""");
                case < 75: // deep nesting
                {
                    int depth = Pick(new[] { 65, 100, 1_000, 20_000 });
                    string open = Chance(0.5) ? "[" : "{\"a\":";
                    string close = open == "[" ? "]" : "}";
                    string inner = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
                    return Encoding.UTF8.GetBytes(Chance(0.5) ? inner : """{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"create_session","arguments":{"metadata":""" + inner + "}}}");
                }
                case < 80: // wrong types in the envelope
                    return Encoding.UTF8.GetBytes(new JsonObject
                    {
                        ["jsonrpc"] = Chance(0.5) ? "2.0" : RandomValue(),
                        ["id"] = RandomValue(),
                        ["method"] = Chance(0.5) ? Pick(Methods) : RandomValue(),
                        ["params"] = RandomValue(),
                        [Chance(0.5) ? "result" : "error"] = RandomValue(),
                    }.ToJsonString());
                case < 85: // invalid UTF-8 and binary
                {
                    var bytes = new byte[random.Next(1, 64)];
                    random.NextBytes(bytes);
                    if (Chance(0.5)) return [.. valid[..(valid.Length / 2)], 0xC3, 0x28, .. valid[(valid.Length / 2)..]];
                    return bytes;
                }
                case < 88: // responses to requests the server never sent
                    return Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{random.Next()}},"result":{{RandomValue()?.ToJsonString() ?? "null"}}}""");
                case < 90: // a big line (under the limit)
                    return Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":"big{{random.Next()}}","method":"tools/call","params":{"name":"send_message","arguments":{"session_id":"s","content":"{{new string('x', random.Next(100_000, 300_000))}}","zz":1""" + "}}}");
                case < 93: // two messages on one line, or a message and whitespace
                    return [.. valid, .. (Chance(0.5) ? valid : " \t\r"u8.ToArray())];
                default: // blank
                    return Encoding.UTF8.GetBytes(Pick(new[] { "", " ", "\t", "\r" }));
            }
        }
    }

    [Fact]
    public async Task Twenty_thousand_generated_and_mutated_messages_never_break_the_server()
    {
        var watch = Stopwatch.StartNew();
        using var process = BinaryProcess.Start(null,
        [
            ("RAWORC_TIMEOUT", "1"),
            ("LOG_LEVEL", "off"),
            ("RAWORC_AUTH_TOKEN", "fuzz-token"),
        ]);
        await process.InitializeAsync();

        int answered = 0, errors = 0;
        var bad = new List<string>();
        string finalId = $"final-{Guid.NewGuid():n}";
        var finalAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            await foreach (var line in process.Stdout.ReadAllAsync())
            {
                answered++;
                try
                {
                    using var document = JsonDocument.Parse(line);
                    var root = document.RootElement;
                    if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("jsonrpc", out var version) || version.GetString() != "2.0")
                        bad.Add(line);
                    else if (root.TryGetProperty("error", out _))
                        errors++;
                    if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == finalId)
                        finalAnswered.TrySetResult();
                }
                catch (JsonException)
                {
                    bad.Add(line.Length > 300 ? line[..300] : line);
                }
            }
        });

        var generator = new Generator(new Random(Seed));
        var batch = new MemoryStream();
        long bytes = 0;
        for (int i = 0; i < Messages; i++)
        {
            batch.Write(generator.Next());
            batch.WriteByte((byte)'\n');
            if (batch.Length > 256 * 1024 || i == Messages - 1)
            {
                bytes += batch.Length;
                await process.Input.WriteAsync(batch.GetBuffer().AsMemory(0, (int)batch.Length));
                await process.Input.FlushAsync();
                batch.SetLength(0);
            }
            Assert.False(process.Process.HasExited, $"exited after {i} messages: {process.Stderr}");
        }
        var sent = watch.Elapsed;

        await process.WriteLineAsync($$"""{"jsonrpc":"2.0","id":"{{finalId}}","method":"ping"}""");
        await finalAnswered.Task.WaitAsync(TimeSpan.FromSeconds(15));
        var pinged = watch.Elapsed;
        Assert.False(process.Process.HasExited, process.Stderr);

        process.CloseInput();
        int exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await reader.WaitAsync(TimeSpan.FromSeconds(5));

        output.WriteLine($"sent {Messages:N0} lines ({bytes / 1024.0 / 1024.0:F1} MiB) in {sent.TotalSeconds:F1} s ({Messages / sent.TotalSeconds:N0} lines/s); " +
                         $"{answered:N0} lines answered ({errors:N0} errors), final ping answered at {pinged.TotalSeconds:F1} s, exit {exit} at {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(bad);
        Assert.Equal(0, exit);
        Assert.DoesNotContain("Unhandled", process.Stderr);
        Assert.True(answered > Messages / 2, $"only {answered} answers");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");
    }
}
