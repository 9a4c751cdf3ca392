using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Raworc.Mcp;
using Raworc.Mcp.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Raworc.Tests.Http;

/// <summary>
/// <c>raworc-mcp http</c> in process on a free loopback port, exactly as the executable builds it, with WireMock
/// playing the Raworc API. Callers are named users whose tokens are shaped like Raworc's (<see cref="TokenOf"/>);
/// <c>GET /auth/me</c> answers with the user of the bearer token it received, so a whoami result shows whose token
/// reached the API.
/// </summary>
public sealed class HttpTestHost : IAsyncDisposable
{
    /// <summary>The user of the server's own token (RAWORC_AUTH_TOKEN).</summary>
    public const string ServerUser = "server-own-5d1c";

    public static readonly string ServerToken = TokenOf(ServerUser);

    private readonly WebApplication _app;
    private readonly RaworcServer _raworc;

    private HttpTestHost(WebApplication app, RaworcServer raworc, WireMockServer api, CapturingLoggerProvider logs, Uri baseUrl)
    {
        _app = app;
        _raworc = raworc;
        Api = api;
        Logs = logs;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl };
    }

    public WireMockServer Api { get; }

    /// <summary>The server under test.</summary>
    internal RaworcServer Raworc => _raworc;

    public CapturingLoggerProvider Logs { get; }

    public Uri BaseUrl { get; }

    public Uri McpUrl => new(BaseUrl, HttpSettings.McpPath);

    /// <summary>A plain client for raw HTTP requests (no headers of its own).</summary>
    public HttpClient Http { get; }

    internal Drain Drain => _app.Services.GetRequiredService<Drain>();

    /// <summary>What the host limits and ends about the wait tools.</summary>
    internal Raworc.Mcp.Tools.Waits Waits => _raworc.Waits;

    /// <summary>Kestrel's options as the server set them.</summary>
    internal Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions Kestrel =>
        _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value;

    /// <summary>Completes when the host is told to stop (at the end of a drain).</summary>
    public Task Stopping => Task.Delay(Timeout.Infinite, _app.Lifetime.ApplicationStopping).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <param name="flags">Command-line flags after <c>http</c>, e.g. <c>--shared-credentials</c>.</param>
    /// <param name="environment">Variables on top of RAWORC_API_URL (WireMock) and RAWORC_AUTH_TOKEN (the server's own token).</param>
    /// <param name="clock">What the waits are measured and paced by (a <see cref="SteppingClock"/>), and what sign-in's codes and tokens and the consent questions expire by; the system clock by default.</param>
    public static async Task<HttpTestHost> StartAsync(string[]? flags = null, IDictionary<string, string?>? environment = null, TimeProvider? clock = null)
    {
        var api = McpTestHost.StartApi();
        api.Given(Request.Create().WithPath("/api/v0/auth/me").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody(request =>
            {
                string token = request.Headers!.TryGetValue("Authorization", out var values) ? values[0]["Bearer ".Length..] : "";
                return JsonSerializer.Serialize(new Dictionary<string, string> { ["user"] = UserOf(token), ["type"] = "ServiceAccount" });
            }));
        api.Given(Request.Create().WithPath("/api/v0/spaces").UsingGet()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json").WithBody("[]"));

        var env = new Dictionary<string, string?>
        {
            ["RAWORC_API_URL"] = api.Url + "/api/v0",
            ["RAWORC_AUTH_TOKEN"] = ServerToken,
            ["RAWORC_TIMEOUT"] = "5",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;
        // A free port can be taken by another test (or an outgoing connection) before the server binds it: then another.
        for (int attempt = 1; ; attempt++)
        {
            int port = McpTestHost.FreePort();
            var command = CommandLine.Parse(["http", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. flags ?? []]);
            var configuration = ServerConfiguration.Load(name => env.GetValueOrDefault(name), McpTestHost.EmptyHome(), command);

            var logs = new CapturingLoggerProvider();
            var loggerFactory = LoggerFactory.Create(b => b.AddRaworcFilters(LogLevel.Trace).AddProvider(logs));
            // The keys as the executable hands them in: the HTTP settings' (RAWORC_MCP_OAUTH_KEYS, else made at start).
            var raworc = new RaworcServer(configuration, loggerFactory, clock: clock, keys: configuration.Http.Keys);
            var app = HttpServer.Build(raworc, loggerFactory, clock);
            try
            {
                await app.StartAsync();
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
                raworc.Dispose();
                continue;
            }
            return new HttpTestHost(app, raworc, api, logs, new Uri($"http://127.0.0.1:{port}/"));
        }
    }

    /// <summary>An MCP client over Streamable HTTP, sending the token of <paramref name="user"/> as its bearer (none when null).</summary>
    public Task<McpClient> ConnectAsync(string? user, CancellationToken ct = default) =>
        ConnectWithTokenAsync(user is null ? null : TokenOf(user), ct);

    /// <summary>An MCP client sending <paramref name="token"/> exactly as given (a sign-in access token, a malformed one).</summary>
    public Task<McpClient> ConnectWithTokenAsync(string? token, CancellationToken ct = default)
    {
        var headers = new Dictionary<string, string>();
        if (token is not null) headers["Authorization"] = $"Bearer {token}";
        var transport = new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
        });
        return McpClient.CreateAsync(transport, cancellationToken: ct);
    }

    /// <summary>POSTs one JSON-RPC message to /mcp with the given headers.</summary>
    public Task<HttpResponseMessage> PostAsync(string json, IDictionary<string, string>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, McpUrl) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            request.Headers.TryAddWithoutValidation(name, value);
        return Http.SendAsync(request);
    }

    public static string ToolsList => """{"jsonrpc":"2.0","id":1,"method":"tools/list"}""";

    /// <summary>The Authorization header of <paramref name="user"/>'s token.</summary>
    public static Dictionary<string, string> Bearer(string user) => BearerOf(TokenOf(user));

    /// <summary>The Authorization header of <paramref name="token"/>, exactly as given.</summary>
    public static Dictionary<string, string> BearerOf(string token) => new() { ["Authorization"] = $"Bearer {token}" };

    /// <summary>A token shaped like Raworc's (an HS256 JWT) naming <paramref name="user"/>, expiring in <paramref name="expiresIn"/> (default: in 2100).</summary>
    public static string TokenOf(string user, TimeSpan? expiresIn = null)
    {
        long exp = expiresIn is { } delta ? DateTimeOffset.UtcNow.Add(delta).ToUnixTimeSeconds() : 4_102_444_800;
        static string Segment(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
        string claims = JsonSerializer.Serialize(new Dictionary<string, object> { ["sub"] = user, ["exp"] = exp, ["iss"] = "raworc-rbac" });
        return $"{Segment("""{"typ":"JWT","alg":"HS256"}"""u8.ToArray())}.{Segment(Encoding.UTF8.GetBytes(claims))}.{Segment(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(user)))}";
    }

    /// <summary>The user a token of <see cref="TokenOf"/> names ("" for anything else).</summary>
    public static string UserOf(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3) return "";
        using var claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        return claims.RootElement.GetProperty("sub").GetString() ?? "";
    }

    /// <summary>The Authorization headers the API received, in order.</summary>
    public IReadOnlyList<string> ApiAuthorizations() =>
        Api.LogEntries.Select(e => e.RequestMessage.Headers is { } h && h.TryGetValue("Authorization", out var v) ? v[0] : "").ToList();

    /// <summary>The user whoami names.</summary>
    public static async Task<string> WhoAmIAsync(McpClient client, CancellationToken ct = default)
    {
        var result = await client.CallToolAsync("whoami", cancellationToken: ct);
        string text = McpTestHost.Text(result);
        Assert.False(result.IsError == true, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("user").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _raworc.Dispose();
        Api.Stop();
        Api.Dispose();
    }
}
