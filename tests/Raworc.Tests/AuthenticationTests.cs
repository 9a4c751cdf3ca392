using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// Log-in with RAWORC_USERNAME/RAWORC_PASSWORD: on first need, once, again after a 401 (also for a POST, which a 401
/// proves was not processed), never in a loop; a static token is never "refreshed"; public routes send no token.
/// </summary>
public sealed class AuthenticationTests
{
    private const string Sid = SessionId;
    private const string LoginPath = "/api/v0/auth/login";
    private const string MessageJson = $$"""{"id":"m1","session_id":"{{Sid}}","role":"user","content":"hi","metadata":{},"created_at":"2025-08-30T18:23:10+00:00"}""";

    private static readonly Dictionary<string, string?> Credentials = new()
    {
        ["RAWORC_AUTH_TOKEN"] = "",
        ["RAWORC_USERNAME"] = "admin",
        ["RAWORC_PASSWORD"] = "s3cret",
    };

    private static IResponseBuilder Json(int status, string body) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody(body);

    private static IResponseBuilder LoginAnswer(string token) =>
        Json(200, $$"""{"token":"{{token}}","token_type":"Bearer","expires_at":"2025-08-31T18:14:59.123456789+00:00"}""");

    private static IRequestBuilder Login() => Request.Create().WithPath(LoginPath).UsingPost();

    private static IRequestBuilder NotLogin() => Request.Create().WithPath(p => p != LoginPath).UsingAnyMethod();

    private static List<ILogEntry> Logins(McpTestHost host) => host.Requests.Where(r => r.RequestMessage.Path == LoginPath).ToList();

    private static List<ILogEntry> Calls(McpTestHost host) => host.Requests.Where(r => r.RequestMessage.Path != LoginPath).ToList();

    private static string? Authorization(ILogEntry entry) =>
        entry.RequestMessage.Headers!.TryGetValue("Authorization", out var values) ? values.Single() : null;

    [Fact]
    public async Task First_call_logs_in_and_sends_the_new_token_and_the_second_reuses_it()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(NotLogin()).RespondWith(Json(200, "[]"));

        var first = await host.CallAsync("list_spaces");
        var second = await host.CallAsync("list_agents");

        Assert.False(first.IsError ?? false, Text(first));
        Assert.False(second.IsError ?? false, Text(second));
        var login = Assert.Single(Logins(host)).RequestMessage;
        Assert.Equal("POST", login.Method);
        Assert.Equal("application/json", login.Headers!["Content-Type"].Single().Split(';')[0]);
        Assert.Equal("""{"user":"admin","pass":"s3cret"}""", login.Body);
        Assert.False(login.Headers.ContainsKey("Authorization"));
        Assert.Same(host.Requests[0], Logins(host)[0]); // logged in before the first call
        var calls = Calls(host);
        Assert.Equal(["/api/v0/spaces", "/api/v0/spaces/default/agents"], calls.Select(c => c.RequestMessage.Path));
        Assert.All(calls, c => Assert.Equal("Bearer jwt-1", Authorization(c)));
    }

    [Fact]
    public async Task Concurrent_first_calls_log_in_once()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1").WithDelay(TimeSpan.FromMilliseconds(200)));
        host.Api.Given(NotLogin()).RespondWith(Json(200, "[]"));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => host.CallAsync("list_spaces")));

        Assert.All(results, r => Assert.False(r.IsError ?? false, Text(r)));
        Assert.Single(Logins(host));
        Assert.All(Calls(host), c => Assert.Equal("Bearer jwt-1", Authorization(c)));
    }

    [Fact]
    public async Task Expired_token_is_replaced_by_logging_in_again()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).InScenario("login").WillSetStateTo("second").RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(Login()).InScenario("login").WhenStateIs("second").RespondWith(LoginAnswer("jwt-2"));
        // jwt-1 works once, then "expires" (401, empty body as the auth middleware sends it); jwt-2 works.
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer jwt-1")).InScenario("expiry").WillSetStateTo("expired").RespondWith(Json(200, "[]"));
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer jwt-1")).InScenario("expiry").WhenStateIs("expired").RespondWith(Response.Create().WithStatusCode(401));
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer jwt-2")).RespondWith(Json(200, "[]"));

        var first = await host.CallAsync("list_spaces");
        var second = await host.CallAsync("list_spaces");

        Assert.False(first.IsError ?? false, Text(first));
        Assert.False(second.IsError ?? false, Text(second));
        Assert.Equal(2, Logins(host).Count);
        Assert.Equal(["Bearer jwt-1", "Bearer jwt-1", "Bearer jwt-2"], Calls(host).Select(Authorization));
        Assert.Equal(
            [LoginPath, "/api/v0/spaces", "/api/v0/spaces", LoginPath, "/api/v0/spaces"],
            host.Requests.Select(r => r.RequestMessage.Path));

        // The new token is kept.
        await host.CallAsync("list_spaces");
        Assert.Equal(2, Logins(host).Count);
        Assert.Equal("Bearer jwt-2", Authorization(Calls(host)[^1]));
    }

    [Fact]
    public async Task Post_answered_401_is_sent_once_more_after_logging_in()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).InScenario("login").WillSetStateTo("second").RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(Login()).InScenario("login").WhenStateIs("second").RespondWith(LoginAnswer("jwt-2"));
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer jwt-1")).RespondWith(Response.Create().WithStatusCode(401));
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer jwt-2")).RespondWith(Json(200, MessageJson));

        var result = await host.CallAsync("send_message", $$"""{"session_id":"{{Sid}}","content":"hi"}""");

        Assert.False(result.IsError ?? false, Text(result));
        var posts = Calls(host);
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.Equal("POST", p.RequestMessage.Method));
        Assert.Equal(["Bearer jwt-1", "Bearer jwt-2"], posts.Select(Authorization));
        Assert.Equal(posts[0].RequestMessage.Body, posts[1].RequestMessage.Body);
        Assert.Equal(2, Logins(host).Count);
    }

    [Fact]
    public async Task Token_that_is_rejected_even_when_fresh_gives_up()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(NotLogin()).RespondWith(Response.Create().WithStatusCode(401));

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("HTTP 401", Text(result));
        Assert.InRange(host.Requests.Count, 2, 4); // at most: log in, call, log in again, call again
        Assert.InRange(Logins(host).Count, 1, 2);
    }

    [Fact]
    public async Task Wrong_password_names_the_variables_and_does_not_loop()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(Json(401, """{"error":{"code":"UNAUTHORIZED","message":"Authentication required"}}"""));
        host.Api.Given(NotLogin()).RespondWith(Json(200, "[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("RAWORC_USERNAME", Text(result));
        Assert.Contains("RAWORC_PASSWORD", Text(result));
        Assert.Contains("admin", Text(result));
        Assert.DoesNotContain("s3cret", Text(result));
        Assert.Single(Logins(host));
        Assert.Empty(Calls(host));

        // Each later call tries once more (the password may have been fixed server-side), still bounded.
        await host.CallAsync("list_spaces");
        Assert.Equal(2, host.Requests.Count);
    }

    [Fact]
    public async Task Static_token_rejected_is_reported_without_logging_in()
    {
        await using var host = await StartAsync();
        host.Respond(401);

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("the token is missing, invalid or expired", Text(result));
        var request = host.SingleRequest().RequestMessage;
        Assert.Equal("/api/v0/spaces", request.Path);
        Assert.Equal($"Bearer {Token}", request.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task Static_token_wins_over_credentials_until_rejected()
    {
        var environment = new Dictionary<string, string?>(Credentials) { ["RAWORC_AUTH_TOKEN"] = "static-1" };
        await using var host = await StartAsync(environment);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(NotLogin().WithHeader("Authorization", "Bearer static-1")).RespondWith(Json(200, "[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.False(result.IsError ?? false, Text(result));
        Assert.Empty(Logins(host));
        Assert.Equal("Bearer static-1", Authorization(host.SingleRequest()));
    }

    [Theory]
    [InlineData("health_check", "")]
    [InlineData("get_version", """{"version":"0.3.0","api":"v0"}""")]
    public async Task Public_routes_send_no_token_and_never_log_in(string tool, string body)
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(NotLogin()).RespondWith(Json(200, body));

        var result = await host.CallAsync(tool);

        Assert.False(result.IsError ?? false, Text(result));
        var request = host.SingleRequest().RequestMessage;
        Assert.NotEqual(LoginPath, request.Path);
        Assert.False(request.Headers!.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task Public_route_answered_401_does_not_log_in()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(LoginAnswer("jwt-1"));
        host.Api.Given(NotLogin()).RespondWith(Response.Create().WithStatusCode(401));

        var result = await host.CallAsync("get_version");

        Assert.True(result.IsError, Text(result));
        Assert.Empty(Logins(host));
        Assert.Single(host.Requests);
    }

    [Fact]
    public async Task Login_response_without_a_token_is_an_invalid_response()
    {
        await using var host = await StartAsync(Credentials);
        host.Api.Given(Login()).RespondWith(Json(200, """{"token_type":"Bearer"}"""));
        host.Api.Given(NotLogin()).RespondWith(Json(200, "[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.True(result.IsError, Text(result));
        Assert.Contains("INVALID_RESPONSE", Text(result));
        Assert.Empty(Calls(host));
    }
}
