using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static Raworc.Tests.McpTestHost;

namespace Raworc.Tests;

/// <summary>
/// At the most verbose level, no token, password or secret value reaches the logs: not from the client, the tools, or
/// the MCP SDK (which at trace level would dump whole JSON-RPC messages). Tool results may show secret values when
/// asked to; only logs are checked here.
/// </summary>
public sealed class LogSafetyTests
{
    private const string Sid = SessionId;
    private const string StaticToken = "tok-SENSITIVE-1";
    private const string Password = "pw-SENSITIVE-2";
    private const string SecretValue = "sk-SENSITIVE-3";
    private const string AccountPassword = "pw-SENSITIVE-4";
    private const string NewAccountPassword = "pw-SENSITIVE-5";
    private const string UpdatedSecretValue = "sk-SENSITIVE-6";
    private const string LoginToken = "tok-SENSITIVE-7";
    private const string SecondLoginToken = "tok-SENSITIVE-8";

    private const string T0 = "2025-08-30T18:00:00+00:00";
    private const string Account = $$"""{"id":"","user":"bot","active":true,"created_at":"{{T0}}","updated_at":"{{T0}}"}""";
    private const string Secret = $$"""{"space":"default","key_name":"ANTHROPIC_API_KEY","created_at":"{{T0}}","updated_at":"{{T0}}","created_by":"admin"}""";
    private const string SecretWithValue = $$$"""{"space":"default","key_name":"ANTHROPIC_API_KEY","created_at":"{{{T0}}}","updated_at":"{{{T0}}}","created_by":"admin","encrypted_value":"{{{SecretValue}}}"}""";

    private static readonly string[] Sensitive =
        [StaticToken, Password, SecretValue, AccountPassword, NewAccountPassword, UpdatedSecretValue, LoginToken, SecondLoginToken, "SENSITIVE"];

    private static void AssertNothingSensitive(McpTestHost host)
    {
        string logs = host.Logs.All;
        foreach (var value in Sensitive)
        {
            var leaks = host.Logs.Lines.Where(l => l.Contains(value, StringComparison.Ordinal)).Take(3).ToList();
            Assert.True(leaks.Count == 0, $"'{value}' is in the logs:\n{string.Join("\n", leaks)}");
        }
        Assert.DoesNotContain("SENSITIVE", logs, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertLogsAreVerbose(McpTestHost host, params string[] expected)
    {
        // Proof that logging was on: otherwise an empty log would pass trivially.
        Assert.Contains(host.Logs.Lines, l => l.StartsWith("Debug raworc-client", StringComparison.Ordinal));
        Assert.Contains(host.Logs.Lines, l => l.Contains("ModelContextProtocol", StringComparison.Ordinal));
        foreach (var fragment in expected) Assert.Contains(fragment, host.Logs.All);
    }

    private static async Task<string> Call(McpTestHost host, int status, string? body, string tool, string arguments, string contentType = "application/json")
    {
        host.Respond(status, body, contentType);
        var result = await host.CallAsync(tool, arguments);
        return Text(result);
    }

    [Fact]
    public async Task Token_passwords_and_secret_values_stay_out_of_trace_logs()
    {
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_AUTH_TOKEN"] = StaticToken });

        await Call(host, 200, Account, "create_service_account", $$"""{"user":"bot","pass":"{{AccountPassword}}"}""");
        await Call(host, 200, null, "update_service_account_password",
            $$"""{"id":"bot","current_password":"{{AccountPassword}}","new_password":"{{NewAccountPassword}}"}""");
        await Call(host, 200, Secret, "create_secret", $$"""{"key_name":"ANTHROPIC_API_KEY","value":"{{SecretValue}}","description":"key"}""");
        await Call(host, 200, Secret, "update_secret", $$"""{"key":"ANTHROPIC_API_KEY","value":"{{UpdatedSecretValue}}"}""");
        string listed = await Call(host, 200, $"[{SecretWithValue}]", "list_secrets", """{"show_values":true}""");
        string got = await Call(host, 200, SecretWithValue, "get_secret", """{"key":"ANTHROPIC_API_KEY","show_values":true}""");
        // Error paths, some of which echo the secret back.
        await Call(host, 401, null, "list_secrets", """{"show_values":true}""");
        string echoed = await Call(host, 500, $$$"""{"error":{"code":"INTERNAL_ERROR","message":"could not store {{{SecretValue}}}"}}""", "create_secret",
            $$"""{"key_name":"K","value":"{{SecretValue}}"}""");
        await Call(host, 422, $"Failed to deserialize the JSON body: invalid value {UpdatedSecretValue}", "update_secret",
            $$"""{"key":"K","value":"{{UpdatedSecretValue}}"}""", "text/plain");
        await Call(host, 409, """{"error":{"code":"CONFLICT","message":"Service account already exists"}}""", "create_service_account",
            $$"""{"user":"bot","pass":"{{AccountPassword}}"}""");
        await Call(host, 200, """{"id":""", "create_secret", $$"""{"key_name":"K","value":"{{SecretValue}}"}"""); // unreadable body
        await Call(host, 200, "{}", "create_secret", $$"""{"key_name":"K","value":{{SecretValue.Length}}}"""); // bad argument type
        await Call(host, 200, "{}", "create_secret", $$"""{"key_name":"K","value":"{{SecretValue}}","valeu":"{{SecretValue}}"}"""); // unknown argument

        // The secrets really went through: to the API, and back in the results that asked for them; an error that
        // echoes one is masked.
        Assert.Contains(SecretValue, listed);
        Assert.Contains(SecretValue, got);
        Assert.DoesNotContain(SecretValue, echoed);
        Assert.Contains("could not store [redacted]", echoed);
        AssertLogsAreVerbose(host, "POST service-accounts", "PUT service-accounts/bot/password", "POST spaces/default/secrets",
            "PUT spaces/default/secrets/ANTHROPIC_API_KEY", "GET spaces/default/secrets?show_values=true");
        AssertNothingSensitive(host);
    }

    [Fact]
    public async Task Login_password_and_tokens_stay_out_of_trace_logs()
    {
        await using var host = await StartAsync(new Dictionary<string, string?>
        {
            ["RAWORC_AUTH_TOKEN"] = "",
            ["RAWORC_USERNAME"] = "admin",
            ["RAWORC_PASSWORD"] = Password,
        });
        // Request builders are mutable: a fresh one per mapping.
        static IRequestBuilder login() => Request.Create().WithPath("/api/v0/auth/login").UsingPost();
        static IRequestBuilder other() => Request.Create().WithPath(p => p != "/api/v0/auth/login").UsingAnyMethod();
        static IResponseBuilder Token(string token) => Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody($$"""{"token":"{{token}}","token_type":"Bearer","expires_at":"2025-08-31T18:00:00.5+00:00"}""");

        // Log in, call, get a 401, log in again, call again.
        host.Api.Given(login()).InScenario("login").WillSetStateTo("second").RespondWith(Token(LoginToken));
        host.Api.Given(login()).InScenario("login").WhenStateIs("second").RespondWith(Token(SecondLoginToken));
        host.Api.Given(other().WithHeader("Authorization", $"Bearer {LoginToken}")).InScenario("expiry").WillSetStateTo("expired")
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));
        host.Api.Given(other().WithHeader("Authorization", $"Bearer {LoginToken}")).InScenario("expiry").WhenStateIs("expired")
            .RespondWith(Response.Create().WithStatusCode(401));
        host.Api.Given(other().WithHeader("Authorization", $"Bearer {SecondLoginToken}"))
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));

        var first = await host.CallAsync("list_spaces");
        var second = await host.CallAsync("list_spaces");
        Assert.False(first.IsError ?? false, Text(first));
        Assert.False(second.IsError ?? false, Text(second));
        Assert.Equal(2, host.Requests.Count(r => r.RequestMessage.Path == "/api/v0/auth/login"));

        // Then the password stops working: the login failure echoes the password back.
        host.Api.Reset();
        host.Api.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(401)
            .WithHeader("Content-Type", "application/json").WithBody($$$"""{"error":{"code":"UNAUTHORIZED","message":"bad password {{{Password}}}"}}"""));
        var failed = await host.CallAsync("list_spaces");
        Assert.True(failed.IsError, Text(failed));

        AssertLogsAreVerbose(host, "Logging in", "POST auth/login");
        AssertNothingSensitive(host);
    }

    [Fact]
    public async Task Garbage_response_does_not_log_secret_arguments()
    {
        // A 200 whose body is half JSON, half random bytes: the failure must not put the request's secrets in the log.
        await using var host = await StartAsync(new Dictionary<string, string?> { ["RAWORC_AUTH_TOKEN"] = StaticToken });
        host.Api.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithFault(FaultType.MALFORMED_RESPONSE_CHUNK));

        var result = await host.CallAsync("create_secret", $$"""{"key_name":"K","value":"{{SecretValue}}"}""");

        Assert.True(result.IsError, Text(result));
        Assert.Contains(host.Logs.Lines, l => l.Contains("ModelContextProtocol", StringComparison.Ordinal));
        AssertNothingSensitive(host);
    }
}
