using System.Security.Cryptography;
using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Testing;

namespace Raworc.EndToEnd.Tests;

/// <summary>
/// The user's consent to show secret values, with the published binary and the C# SDK's client (which speaks MCP
/// 2026-07-28, so it is asked in an input-required result and answers in a retry): over stdio, and over HTTP through
/// a balancer without affinity in front of two replicas that share their keys.
/// </summary>
public sealed class SecretConsentJourneyTests
{
    private const string SecretValue = "sk-ant-consent-e2e";

    /// <summary>The user, answering each question with <paramref name="allow"/> (null: cancel).</summary>
    private sealed class User(bool? allow)
    {
        public int Asked;

        public McpClientOptions Options(string? protocolVersion = null) => new()
        {
            ProtocolVersion = protocolVersion,
            Handlers = new McpClientHandlers
            {
                ElicitationHandler = (question, _) =>
                {
                    Interlocked.Increment(ref Asked);
                    Assert.Contains("shown to the model", question?.Message);
                    return ValueTask.FromResult(allow is { } yes
                        ? new ElicitResult { Action = "accept", Content = new Dictionary<string, JsonElement> { ["allow"] = JsonSerializer.SerializeToElement(yes) } }
                        : new ElicitResult { Action = "cancel" });
                },
            },
        };
    }

    private static readonly Dictionary<string, string?> AskFirst = new() { ["RAWORC_ALLOW_SECRET_VALUES"] = null };

    private static async Task CreateSecretAsync(Raworc.StandIn.RunningStandIn standIn)
    {
        await using var setup = await E2e.StartBinaryAsync(standIn.BaseUrl);
        await setup.CallAsync("create_secret", new { key_name = "ANTHROPIC_API_KEY", value = SecretValue });
    }

    private static Dictionary<string, object?> ShowValue => new() { ["key"] = "ANTHROPIC_API_KEY", ["show_values"] = true };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public async Task Over_stdio_the_value_comes_only_with_a_yes(bool? allow)
    {
        await using var standIn = await E2e.StartStandInAsync();
        await CreateSecretAsync(standIn);
        var user = new User(allow);
        await using var mcp = await E2e.StartBinaryAsync(standIn.BaseUrl, environment: AskFirst, options: user.Options());
        Assert.Equal("2026-07-28", mcp.Client.NegotiatedProtocolVersion);

        var result = await mcp.Client.CallToolAsync("get_secret", ShowValue);

        Assert.Equal(1, user.Asked);
        Assert.Equal(allow != true, result.IsError == true);
        Assert.Equal(allow == true, Mcp.Text(result).Contains(SecretValue, StringComparison.Ordinal));
        Assert.DoesNotContain(SecretValue, mcp.Log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    [InlineData(null)]
    public async Task Over_http_the_answer_may_reach_another_replica_and_the_value_comes_only_with_a_yes(bool? allow)
    {
        await using var standIn = await E2e.StartStandInAsync();
        await CreateSecretAsync(standIn);
        var shared = new Dictionary<string, string?>(AskFirst) { ["RAWORC_MCP_OAUTH_KEYS"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) };
        await using var first = await E2e.StartHttpReplicaAsync(standIn.BaseUrl, shared);
        await using var second = await E2e.StartHttpReplicaAsync(standIn.BaseUrl, shared);
        var user = new User(allow);
        string token = await E2e.LoginAsync(standIn);
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = first.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" },
        }, new HttpClient(new RoundRobin([first.McpUrl, second.McpUrl])));
        await using var client = await McpClient.CreateAsync(transport, user.Options());

        var result = await client.CallToolAsync("get_secret", ShowValue);

        // The question came from one replica and the answer went to the other.
        var calls = (await first.CallsAsync("get_secret", 1), await second.CallsAsync("get_secret", 1));
        string log = $"--- first ---\n{first.Log}\n--- second ---\n{second.Log}";
        Assert.True(calls == (1, 1), log);
        Assert.Equal(1, user.Asked);
        Assert.True((allow != true) == (result.IsError == true), Mcp.Text(result) + "\n" + log);
        Assert.Equal(allow == true, Mcp.Text(result).Contains(SecretValue, StringComparison.Ordinal));
        Assert.DoesNotContain(SecretValue, log);
        Assert.DoesNotContain(token, log);
    }

    [Fact]
    public async Task Over_http_a_client_of_an_older_revision_is_refused_without_a_question()
    {
        await using var standIn = await E2e.StartStandInAsync();
        await CreateSecretAsync(standIn);
        await using var replica = await E2e.StartHttpReplicaAsync(standIn.BaseUrl, AskFirst);
        var user = new User(true);
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = replica.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = $"Bearer {await E2e.LoginAsync(standIn)}" },
        });
        await using var client = await McpClient.CreateAsync(transport, user.Options("2025-11-25"));

        var result = await client.CallToolAsync("get_secret", ShowValue);

        Assert.True(result.IsError);
        Assert.Contains("--allow-secret-values", Mcp.Text(result));
        Assert.Equal(0, user.Asked);
    }
}
