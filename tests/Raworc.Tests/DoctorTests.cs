using System.Diagnostics;
using Raworc.Mcp;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Raworc.Tests;

/// <summary>
/// <c>raworc-mcp doctor</c>: in-process against WireMock for each outcome (ready, unreachable, 401, wrong URL, no
/// credentials, failed login), plus the published binary for the command-line wiring.
/// </summary>
public sealed class DoctorTests
{
    private const string Token = "doctor-secret-token-91c2";
    private const string Password = "doctor-secret-password-5e";

    private static WireMockServer HealthyApi(int meStatus = 200)
    {
        var api = McpTestHost.StartApi();
        api.Given(Request.Create().WithPath("/api/v0/health").UsingGet()).RespondWith(Response.Create().WithStatusCode(200));
        api.Given(Request.Create().WithPath("/api/v0/version").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("""{"version":"0.3.0","api":"v0"}"""));
        var me = Response.Create().WithStatusCode(meStatus);
        if (meStatus == 200) me = me.WithHeader("Content-Type", "application/json").WithBody("""{"user":"admin","namespace":null,"type":"ServiceAccount"}""");
        api.Given(Request.Create().WithPath("/api/v0/auth/me").UsingGet()).RespondWith(me);
        api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost()).RespondWith(Response.Create().WithStatusCode(401));
        return api;
    }

    private static async Task<(int Exit, string Output)> RunAsync(Dictionary<string, string?> environment, string? home = null)
    {
        var configuration = ServerConfiguration.Load(name => environment.GetValueOrDefault(name), home ?? McpTestHost.EmptyHome());
        configuration = configuration with
        {
            Raworc = configuration.Raworc with { Options = configuration.Raworc.Options with { RetryBaseDelay = TimeSpan.FromMilliseconds(5) } },
        };
        var output = new StringWriter { NewLine = "\n" };
        int exit = await Doctor.RunAsync(configuration, output);
        string text = output.ToString();
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain(Password, text);
        return (exit, text);
    }

    [Fact]
    public async Task A_working_set_up_passes_every_check()
    {
        using var api = HealthyApi();
        string url = api.Url + "/api/v0";

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = url, ["RAWORC_AUTH_TOKEN"] = Token });

        Assert.Equal(0, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("raworc-mcp ", lines[0]);
        Assert.EndsWith(" doctor", lines[0]);
        Assert.Equal($"✓ API URL {url} (from RAWORC_API_URL)", lines[1]);
        Assert.Equal("✓ Credentials: a token from RAWORC_AUTH_TOKEN", lines[2]);
        Assert.Matches($"^✓ Reached {System.Text.RegularExpressions.Regex.Escape(url)}/health in \\d+ ms$", lines[3]);
        Assert.Equal("✓ Raworc server 0.3.0 (API v0)", lines[4]);
        Assert.Equal("✓ Authenticated as admin (ServiceAccount)", lines[5]);
        Assert.StartsWith("✓ Modes: read-only off; destructive tools hidden", lines[6]);
        Assert.Equal("✓ 49 tools offered (8 left out by the modes), default space 'default'", lines[7]);
        Assert.Equal("All checks passed: raworc-mcp is ready for your MCP client.", lines[8]);
        Assert.Equal(9, lines.Length);
        Assert.Equal($"Bearer {Token}", api.LogEntries.Single(e => e.RequestMessage.Path == "/api/v0/auth/me").RequestMessage.Headers!["Authorization"].Single());
    }

    [Fact]
    public async Task The_modes_change_the_tools_counted()
    {
        using var api = HealthyApi();

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = api.Url + "/api/v0", ["RAWORC_AUTH_TOKEN"] = Token, ["RAWORC_READ_ONLY"] = "true" });

        Assert.Equal(0, exit);
        Assert.Contains("✓ Modes: read-only on", output);
        Assert.Matches(@"✓ \d+ tools offered", output);
        Assert.DoesNotContain("✓ 49 tools", output);
    }

    [Fact]
    public async Task An_unreachable_api_fails_with_the_fix()
    {
        string url = $"http://127.0.0.1:{McpTestHost.FreePort()}/api/v0";

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = url, ["RAWORC_AUTH_TOKEN"] = Token, ["RAWORC_TIMEOUT"] = "5" });

        Assert.Equal(1, exit);
        Assert.Contains($"✗ Could not reach the Raworc API at {url}: ", output);
        Assert.Contains("  Fix: check the address and your network or proxy (HTTPS_PROXY, NO_PROXY), or set RAWORC_API_URL to your Raworc API (e.g. https://api.remoteagent.com/api/v0).", output);
        Assert.Contains("- /version and /auth/me not checked: the API is not reachable.", output);
        Assert.EndsWith("1 problem found; fix it and run 'raworc-mcp doctor' again.\n", output);
    }

    [Fact]
    public async Task A_rejected_token_says_it_expired_and_how_to_fix_it()
    {
        using var api = HealthyApi(meStatus: 401);

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = api.Url + "/api/v0", ["RAWORC_AUTH_TOKEN"] = Token });

        Assert.Equal(1, exit);
        Assert.Contains("✓ Raworc server 0.3.0", output);
        Assert.Contains("✗ The API rejected the credentials (HTTP 401)", output);
        Assert.Contains("  Fix: your token expired: set a fresh RAWORC_AUTH_TOKEN or RAWORC_USERNAME/RAWORC_PASSWORD", output);
    }

    [Fact]
    public async Task A_refused_login_names_the_variables_but_not_the_password()
    {
        using var api = HealthyApi();

        var (exit, output) = await RunAsync(new()
        {
            ["RAWORC_API_URL"] = api.Url + "/api/v0",
            ["RAWORC_USERNAME"] = "ci-bot",
            ["RAWORC_PASSWORD"] = Password,
        });

        Assert.Equal(1, exit);
        Assert.Contains("✓ Credentials: service account 'ci-bot' with a password from RAWORC_USERNAME/RAWORC_PASSWORD", output);
        Assert.Contains("✗ The API refused to log in with RAWORC_USERNAME and RAWORC_PASSWORD.", output);
    }

    [Fact]
    public async Task A_url_without_api_v0_is_not_a_raworc_api()
    {
        using var api = McpTestHost.StartApi();
        api.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(404).WithBody("<html>Not Found</html>").WithHeader("Content-Type", "text/html"));

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = api.Url, ["RAWORC_AUTH_TOKEN"] = Token });

        Assert.Equal(1, exit);
        Assert.Contains($"✗ {api.Url}/health answered HTTP 404: the URL answers but is not a Raworc API.", output);
        Assert.Contains($"  Fix: does it end in /api/v0? Set RAWORC_API_URL to {api.Url}/api/v0 (or your Raworc API, e.g. https://api.remoteagent.com/api/v0).", output);
        Assert.Single(api.LogEntries); // nothing else is tried against something that is not Raworc
    }

    [Fact]
    public async Task No_credentials_is_a_problem_with_the_three_ways_to_fix_it()
    {
        using var api = HealthyApi();

        var (exit, output) = await RunAsync(new() { ["RAWORC_API_URL"] = api.Url + "/api/v0" });

        Assert.Equal(1, exit);
        Assert.Contains("✗ No credentials configured.", output);
        Assert.Contains("  Fix: set RAWORC_AUTH_TOKEN, or RAWORC_USERNAME and RAWORC_PASSWORD, or log in with the Raworc CLI ('raworc auth'", output);
        Assert.Contains("✓ Raworc server 0.3.0", output);
        Assert.DoesNotContain(api.LogEntries, e => e.RequestMessage.Path == "/api/v0/auth/me");
    }

    [Fact]
    public async Task Settings_from_the_cli_login_file_are_named_and_an_expired_token_there_has_its_own_fix()
    {
        using var api = HealthyApi(meStatus: 401);
        string home = McpTestHost.EmptyHome();
        Directory.CreateDirectory(Path.Combine(home, ".raworc"));
        string authFile = Path.Combine(home, ".raworc", "auth.yaml");
        File.WriteAllText(authFile, $"server: {api.Url}\ntoken: {Token}\n");

        var (exit, output) = await RunAsync(new(), home);

        Assert.Equal(1, exit);
        Assert.Contains($"✓ API URL {api.Url}/api/v0 (from {authFile}, written by 'raworc auth')", output);
        Assert.Contains($"✓ Credentials: a token from {authFile}", output);
        Assert.Contains($"✗ The token in {authFile} was rejected", output);
        Assert.Contains("  Fix: log in again with 'raworc auth', or set a fresh RAWORC_AUTH_TOKEN or RAWORC_USERNAME/RAWORC_PASSWORD.", output);
    }

    [Fact]
    public void Doctor_is_a_command_and_in_the_help()
    {
        Assert.Equal(CommandKind.Doctor, CommandLine.Parse(["doctor"]).Kind);
        Assert.Equal(CommandKind.Doctor, CommandLine.Parse(["doctor", "--read-only"]).Kind);
        Assert.True(CommandLine.Parse(["doctor", "--read-only"]).ReadOnly);
        Assert.Throws<FormatException>(() => CommandLine.Parse(["doctor", "--manifest"]));
        Assert.Contains("raworc-mcp [http] doctor [flags]", CommandLine.HelpText());
    }

    [Fact]
    public async Task The_binary_runs_doctor_and_exits_with_its_result()
    {
        using var api = HealthyApi();

        var (ok, okOutput) = await RunBinaryAsync(("RAWORC_API_URL", api.Url + "/api/v0"), ("RAWORC_AUTH_TOKEN", Token));
        var (bad, badOutput) = await RunBinaryAsync(("RAWORC_API_URL", api.Url + "/api/v0"), ("RAWORC_AUTH_TOKEN", ""));

        Assert.True(ok == 0, okOutput);
        Assert.Contains("✓ Authenticated as admin (ServiceAccount)", okOutput);
        Assert.Equal(1, bad);
        Assert.Contains("✗ No credentials configured.", badOutput);
        Assert.DoesNotContain(Token, okOutput);
    }

    private static async Task<(int Exit, string Stdout)> RunBinaryAsync(params (string Name, string Value)[] env)
    {
        var info = new ProcessStartInfo(PublishedBinaryTests.Binary())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add("doctor");
        info.Environment["HOME"] = McpTestHost.EmptyHome();
        info.Environment.Remove("RAWORC_USERNAME");
        info.Environment.Remove("RAWORC_PASSWORD");
        foreach (var (name, value) in env) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
