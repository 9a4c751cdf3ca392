using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Raworc.StandIn.Tests;

/// <summary>A clock the test moves by hand: every transition of the stand-in is computed from it.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public ManualClock() : this(new DateTimeOffset(2025, 8, 30, 18, 14, 59, TimeSpan.Zero).AddTicks(1_234_560)) { }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>A response read to the end: status, content type and body text.</summary>
public sealed record Reply(HttpStatusCode Status, string? ContentType, string Body)
{
    public JsonElement Json
    {
        get
        {
            using var doc = JsonDocument.Parse(Body);
            return doc.RootElement.Clone();
        }
    }

    public int Code => (int)Status;
}

/// <summary>One stand-in on 127.0.0.1 and an HttpClient to it.</summary>
public sealed class Api : IAsyncDisposable
{
    public static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(50);

    private readonly HttpClient _http;

    private Api(RunningStandIn server)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public RunningStandIn Server { get; }
    public string? Token { get; set; }

    /// <summary>Starts a stand-in (all delays 50 ms unless told) and logs in as admin unless <paramref name="login"/> is false.</summary>
    public static async Task<Api> StartAsync(StandInOptions? options = null, bool login = true)
    {
        var server = await StandInServer.StartAsync(options ?? new StandInOptions
        {
            BuildDelay = Fast,
            SessionDelay = Fast,
            ReplyDelay = Fast,
        });
        var api = new Api(server);
        if (login) api.Token = await api.LoginAsync("admin", "admin");
        return api;
    }

    public async Task<string> LoginAsync(string user, string pass)
    {
        var r = await SendAsync(HttpMethod.Post, "auth/login", $$"""{"user":"{{user}}","pass":"{{pass}}"}""", auth: false);
        Assert.Equal(HttpStatusCode.OK, r.Status);
        return r.Json.GetProperty("token").GetString()!;
    }

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path);
    public Task<Reply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path);
    public Task<Reply> PostAsync(string path, string? json = "{}") => SendAsync(HttpMethod.Post, path, json);
    public Task<Reply> PutAsync(string path, string json) => SendAsync(HttpMethod.Put, path, json);

    /// <summary>Sends a request; a body is sent as application/json unless another content type is given.</summary>
    public async Task<Reply> SendAsync(HttpMethod method, string path, string? body = null, bool auth = true,
        string contentType = "application/json", string? authorization = null)
    {
        using var req = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8);
            req.Content.Headers.ContentType = contentType.Length == 0 ? null : MediaTypeHeaderValue.Parse(contentType);
        }
        if (authorization is not null) req.Headers.TryAddWithoutValidation("Authorization", authorization);
        else if (auth && Token is not null) req.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Token);
        using var resp = await _http.SendAsync(req);
        var text = await resp.Content.ReadAsStringAsync();
        return new Reply(resp.StatusCode, resp.Content.Headers.ContentType?.MediaType, text);
    }

    /// <summary>Adds ANTHROPIC_API_KEY to the space and waits for a completed build, so sessions can be created.</summary>
    public async Task MakeSessionReadyAsync(string space = "default")
    {
        Assert.Equal(200, (await PostAsync($"spaces/{space}/secrets", """{"key_name":"ANTHROPIC_API_KEY","value":"sk-ant-test"}""")).Code);
        var build = await PostAsync($"spaces/{space}/build");
        Assert.Equal(200, build.Code);
        var id = build.Json.GetProperty("build_id").GetString();
        await PollAsync($"spaces/{space}/build/{id}", j => j.GetProperty("status").GetString() == "completed");
    }

    public async Task<string> CreateSessionAsync(string body = "{}")
    {
        var r = await PostAsync("sessions", body);
        Assert.Equal(200, r.Code);
        return r.Json.GetProperty("id").GetString()!;
    }

    /// <summary>GETs <paramref name="path"/> until <paramref name="done"/> holds; fails after a few seconds, never sleeps long.</summary>
    public async Task<JsonElement> PollAsync(string path, Func<JsonElement, bool> done, double timeoutSeconds = 5)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var r = await GetAsync(path);
            Assert.Equal(200, r.Code);
            var j = r.Json;
            if (done(j)) return j;
            if (DateTime.UtcNow > deadline) Assert.Fail($"GET {path} did not reach the expected state in {timeoutSeconds} s; last: {r.Body}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Server.DisposeAsync();
    }
}

public static class Expect
{
    public static void Envelope(Reply r, int status, string code, string message)
    {
        Assert.Equal(status, r.Code);
        Assert.Equal("application/json", r.ContentType);
        var error = r.Json.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(2, error.EnumerateObject().Count());
        Assert.Single(r.Json.EnumerateObject());
    }

    public static void EmptyBody(Reply r, int status)
    {
        Assert.Equal(status, r.Code);
        Assert.Equal("", r.Body);
    }

    public static void Text(Reply r, int status, string contains)
    {
        Assert.Equal(status, r.Code);
        Assert.Equal("text/plain", r.ContentType);
        Assert.Contains(contains, r.Body);
    }

    public static string Str(this JsonElement j, string name) => j.GetProperty(name).GetString()!;
}
