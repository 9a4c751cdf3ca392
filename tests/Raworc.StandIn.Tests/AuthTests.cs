using System.Text.RegularExpressions;

namespace Raworc.StandIn.Tests;

public sealed class AuthTests
{
    private static readonly Regex Rfc3339 = new(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?\+00:00$");

    [Fact]
    public async Task Health_and_version_are_public()
    {
        await using var api = await Api.StartAsync(login: false);
        Assert.EndsWith("/api/v0", api.Server.BaseUrl);
        Assert.StartsWith("http://127.0.0.1:", api.Server.BaseUrl);

        Expect.EmptyBody(await api.GetAsync("health"), 200);
        var version = await api.GetAsync("version");
        Assert.Equal(200, version.Code);
        Assert.Equal("""{"version":"0.3.0","api":"v0"}""", version.Body);
    }

    [Fact]
    public async Task Login_returns_a_bearer_token_and_me_names_the_account()
    {
        await using var api = await Api.StartAsync(login: false);
        var r = await api.SendAsync(HttpMethod.Post, "auth/login", """{"user":"admin","pass":"admin","extra":1}""", auth: false);
        Assert.Equal(200, r.Code);
        var j = r.Json;
        Assert.False(string.IsNullOrEmpty(j.Str("token")));
        Assert.Equal("Bearer", j.Str("token_type"));
        Assert.Matches(Rfc3339, j.Str("expires_at"));
        Assert.Contains(".", j.Str("expires_at")); // generated in-process: fractional seconds
        Assert.Contains("+00:00", r.Body);          // written raw, not \u002B

        api.Token = j.Str("token");
        var me = await api.GetAsync("auth/me");
        Assert.Equal(200, me.Code);
        Assert.Equal("""{"user":"admin","namespace":null,"type":"ServiceAccount"}""", me.Body);

        // The operator account logs in with the seeded password too.
        api.Token = await api.LoginAsync("operator", "admin");
        Assert.Equal("operator", (await api.GetAsync("auth/me")).Json.Str("user"));
    }

    [Fact]
    public async Task Bad_credentials_are_a_401_envelope_and_missing_fields_a_422()
    {
        await using var api = await Api.StartAsync(login: false);
        Expect.Envelope(await api.PostAsync("auth/login", """{"user":"admin","pass":"nope"}"""), 401, "UNAUTHORIZED", "Authentication required");
        Expect.Envelope(await api.PostAsync("auth/login", """{"user":"ghost","pass":"admin"}"""), 401, "UNAUTHORIZED", "Authentication required");
        Expect.Text(await api.PostAsync("auth/login", """{"user":"admin"}"""), 422, "missing field `pass`");
        Expect.Text(await api.PostAsync("auth/login", """{"pass":"admin"}"""), 422, "missing field `user`");
    }

    [Fact]
    public async Task Protected_routes_without_a_valid_bearer_token_are_401_with_an_empty_body()
    {
        await using var api = await Api.StartAsync();
        Assert.Equal(200, (await api.GetAsync("spaces")).Code);

        Expect.EmptyBody(await api.SendAsync(HttpMethod.Get, "spaces", auth: false), 401);
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Get, "spaces", authorization: "Bearer not-a-token"), 401);
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Get, "spaces", authorization: "bearer " + api.Token), 401); // case-sensitive prefix
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Get, "spaces", authorization: api.Token), 401);
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Get, "auth/me", auth: false), 401);
        // Auth comes before the body is looked at.
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Post, "sessions", "{", auth: false), 401);
    }

    [Fact]
    public async Task Tokens_expire_after_their_lifetime()
    {
        var clock = new ManualClock();
        await using var api = await Api.StartAsync(new StandInOptions { Clock = clock, TokenLifetime = TimeSpan.FromMinutes(10) });
        Assert.Equal(200, (await api.GetAsync("auth/me")).Code);
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(200, (await api.GetAsync("auth/me")).Code);
        clock.Advance(TimeSpan.FromMinutes(1));
        Expect.EmptyBody(await api.GetAsync("auth/me"), 401);
        api.Token = await api.LoginAsync("admin", "admin");
        Assert.Equal(200, (await api.GetAsync("auth/me")).Code);
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_wrong_methods_405_both_empty()
    {
        await using var api = await Api.StartAsync();
        Expect.EmptyBody(await api.GetAsync("no/such/route"), 404);
        Expect.EmptyBody(await api.GetAsync("sessions/x/pause"), 404);
        Expect.EmptyBody(await api.PostAsync("sessions/x/pause"), 404);
        Expect.EmptyBody(await api.SendAsync(HttpMethod.Patch, "spaces"), 405);
    }

    [Fact]
    public async Task Service_account_lifecycle_including_create()
    {
        await using var api = await Api.StartAsync();
        var created = await api.PostAsync("service-accounts", """{"user":"bot","pass":"pw","description":"ci bot"}""");
        Assert.Equal(200, created.Code);
        Assert.Equal("", created.Json.Str("id"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.Json.GetProperty("space").ValueKind);
        Expect.Envelope(await api.PostAsync("service-accounts", """{"user":"bot","pass":"pw"}"""), 409, "CONFLICT", "Service account already exists");

        var bot = await api.LoginAsync("bot", "pw");
        Assert.False(string.IsNullOrEmpty(bot));
        Expect.Envelope(await api.PutAsync("service-accounts/bot/password", """{"current_password":"wrong","new_password":"x"}"""), 401, "UNAUTHORIZED", "Authentication required");
        Expect.EmptyBody(await api.PutAsync("service-accounts/bot/password", """{"current_password":"pw","new_password":"pw2"}"""), 200);
        await api.LoginAsync("bot", "pw2");

        Expect.Envelope(await api.PutAsync("service-accounts/bot", "{}"), 404, "NOT_FOUND", "Service account not found");
        Assert.False((await api.PutAsync("service-accounts/bot", """{"active":false}""")).Json.GetProperty("active").GetBoolean());
        Expect.Envelope(await api.PostAsync("auth/login", """{"user":"bot","pass":"pw2"}"""), 401, "UNAUTHORIZED", "Authentication required");

        Expect.EmptyBody(await api.DeleteAsync("service-accounts/bot"), 200);
        Expect.Envelope(await api.GetAsync("service-accounts/bot"), 404, "NOT_FOUND", "Service account not found");
        Expect.Envelope(await api.GetAsync("service-accounts/" + Guid.NewGuid()), 404, "NOT_FOUND", "Service account not found");
    }
}
