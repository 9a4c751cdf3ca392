using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Raworc.Client;
using Raworc.Mcp.Http;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp;

/// <summary>
/// <c>raworc-mcp doctor</c>: checks the set-up the way the server will use it and prints one line per check (✓ or ✗),
/// with the exact fix under each failure. Prints where the token came from, never the token or a password.
/// </summary>
internal static class Doctor
{
    private const string Example = "https://api.remoteagent.com/api/v0";

    /// <returns>0 when every check passed, 1 otherwise.</returns>
    public static async Task<int> RunAsync(ServerConfiguration configuration, TextWriter output, HttpMessageHandler? handler = null,
        CancellationToken ct = default)
    {
        var report = new Report(output);
        var settings = configuration.Raworc;
        string url = settings.Options.ApiUrl.AbsoluteUri.TrimEnd('/');
        output.WriteLine($"{RaworcServer.Name} {RaworcServer.Version} doctor");

        foreach (var warning in settings.Warnings)
            report.Warn(warning);
        report.Pass($"API URL {url} ({UrlSource(settings)})");
        bool perRequest = configuration.Transport == TransportKind.Http && !configuration.Http.SharedCredentials;
        if (configuration.Transport == TransportKind.Http)
            CheckListener(configuration.Http, report);
        if (perRequest)
            report.Pass("Credentials: each HTTP request brings its caller's token (Authorization: Bearer); this server's own are not used");
        else if (settings.CredentialSource is { } credentials)
            report.Pass($"Credentials: {CredentialKind(settings)} from {credentials}");
        else
            report.Fail("No credentials configured.",
                $"set RAWORC_AUTH_TOKEN, or RAWORC_USERNAME and RAWORC_PASSWORD, or log in with the Raworc CLI ('raworc auth', which writes {settings.AuthFilePath}).");

        using var quiet = LoggerFactory.Create(_ => { });
        RaworcServer server;
        try
        {
            server = new RaworcServer(configuration, quiet, handler);
        }
        catch (FormatException e)
        {
            report.Fail($"The modes are not valid: {e.Message}", "fix --toolsets/--tools (or RAWORC_TOOLSETS/RAWORC_TOOLS); raworc-mcp --help lists the names.");
            return report.Finish();
        }

        using (server)
        {
            var api = server.Client;
            bool reachable = await CheckHealthAsync(api, url, report, ct).ConfigureAwait(false);
            if (reachable)
            {
                await CheckVersionAsync(api, url, report, ct).ConfigureAwait(false);
                if (settings.CredentialSource is not null) await CheckCredentialsAsync(api, settings, report, ct).ConfigureAwait(false);
            }
            else
            {
                report.Skip("/version and /auth/me not checked: the API is not reachable.");
            }

            report.Pass($"Modes: {ToolSelection.DescribeModes(configuration)}");
            if (server.Tools.Count > 0)
                report.Pass($"{server.Tools.Count} tools offered ({server.DisabledTools.Count} left out by the modes), default space '{configuration.DefaultSpace}'");
            else
                report.Fail("No tools are offered with these modes.", "check --toolsets, --tools and --read-only (or their RAWORC_* variables).");
        }
        return report.Finish();
    }

    /// <summary>The HTTP mode needs its port free on its address, or the server cannot start.</summary>
    private static void CheckListener(HttpSettings http, Report report)
    {
        var address = http.ListenHost switch
        {
            "localhost" => System.Net.IPAddress.Loopback,
            "*" => System.Net.IPAddress.Any,
            var host => System.Net.IPAddress.Parse(host),
        };
        try
        {
            var listener = new System.Net.Sockets.TcpListener(address, http.Port);
            listener.Start();
            listener.Stop();
            report.Pass($"HTTP: {http.ListenHost}:{http.Port} is free; MCP would be served on http://{http.LocalProbeHost}:{http.Port}{HttpSettings.McpPath}");
        }
        catch (System.Net.Sockets.SocketException e)
        {
            report.Fail($"HTTP: cannot listen on {http.ListenHost}:{http.Port} ({e.Message}).",
                $"stop what uses the port (is raworc-mcp already running?) or choose another with --port or {HttpSettings.PortVariable}.");
        }
    }

    private static async Task<bool> CheckHealthAsync(RaworcClient api, string url, Report report, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await api.CheckHealthAsync(ct).ConfigureAwait(false);
            report.Pass($"Reached {url}/health in {clock.ElapsedMilliseconds} ms");
            return true;
        }
        catch (RaworcApiException e) when (e.StatusCode is null)
        {
            // The client's message names the URL and the cause ("could not reach the Raworc API at …: Connection refused").
            report.Fail(e.Message.Length > 0 ? char.ToUpperInvariant(e.Message[0]) + e.Message[1..] : $"Cannot reach {url}.",
                $"check the address and your network or proxy (HTTPS_PROXY, NO_PROXY), or set RAWORC_API_URL to your Raworc API (e.g. {Example}).");
            return false;
        }
        catch (RaworcApiException e) when (e.StatusCode is 404 or 405 || e.ErrorCode == RaworcApiException.Codes.InvalidResponse)
        {
            report.Fail($"{url}/health answered HTTP {e.StatusCode}: the URL answers but is not a Raworc API.", NotRaworcFix(url));
            return false;
        }
        catch (RaworcApiException e)
        {
            report.Fail($"{url}/health answered HTTP {e.StatusCode}: the API is up but not healthy ({e.Message}).",
                "try again in a minute; if it persists, ask the operator of the Raworc server.");
            // It answered, so the other checks can still say something.
            return true;
        }
    }

    private static async Task CheckVersionAsync(RaworcClient api, string url, Report report, CancellationToken ct)
    {
        try
        {
            var version = await api.GetVersionAsync(ct).ConfigureAwait(false);
            report.Pass($"Raworc server {version.Version}" + (version.Api is { Length: > 0 } v ? $" (API {v})" : ""));
        }
        catch (RaworcApiException e) when (e.StatusCode is 404 or 405 || e.ErrorCode == RaworcApiException.Codes.InvalidResponse)
        {
            report.Fail($"{url}/version did not answer like a Raworc API ({(e.StatusCode is { } s ? $"HTTP {s}" : e.ErrorCode)}).", NotRaworcFix(url));
        }
        catch (RaworcApiException e)
        {
            report.Fail($"{url}/version failed: {e.Message}", "try again in a minute; if it persists, ask the operator of the Raworc server.");
        }
    }

    private static async Task CheckCredentialsAsync(RaworcClient api, RaworcSettings settings, Report report, CancellationToken ct)
    {
        try
        {
            var me = await api.GetCurrentPrincipalAsync(ct).ConfigureAwait(false);
            report.Pass($"Authenticated as {me.User}" + (me.Type is { Length: > 0 } type ? $" ({type})" : ""));
        }
        catch (RaworcApiException e) when (e.StatusCode is 401)
        {
            bool login = e.Operation.EndsWith("auth/login", StringComparison.Ordinal);
            if (login)
                report.Fail("The API refused to log in with RAWORC_USERNAME and RAWORC_PASSWORD.",
                    "check the service account's name and password (or set a fresh RAWORC_AUTH_TOKEN instead).");
            else if (settings.CredentialSource == settings.AuthFilePath)
                report.Fail($"The token in {settings.AuthFilePath} was rejected: it expired (tokens last 24 hours) or belongs to another server.",
                    "log in again with 'raworc auth', or set a fresh RAWORC_AUTH_TOKEN or RAWORC_USERNAME/RAWORC_PASSWORD.");
            else
                report.Fail("The API rejected the credentials (HTTP 401): your token expired (tokens last 24 hours) or is not valid for this server.",
                    "your token expired: set a fresh RAWORC_AUTH_TOKEN or RAWORC_USERNAME/RAWORC_PASSWORD (then raworc-mcp logs in by itself and renews the token).");
        }
        catch (RaworcApiException e) when (e.StatusCode is 403)
        {
            report.Fail("The credentials work but may not read who they belong to (HTTP 403).", "bind a role to the service account (create_role_binding), or use another account.");
        }
        catch (RaworcApiException e)
        {
            report.Fail($"Checking the credentials (/auth/me) failed: {e.Message}", "try again; if it persists, ask the operator of the Raworc server.");
        }
    }

    private static string NotRaworcFix(string url) =>
        url.EndsWith("/api/v0", StringComparison.Ordinal)
            ? $"check that RAWORC_API_URL points at a Raworc server (e.g. {Example})."
            : $"does it end in /api/v0? Set RAWORC_API_URL to {url}/api/v0 (or your Raworc API, e.g. {Example}).";

    private static string UrlSource(RaworcSettings settings) => settings.ApiUrlSource switch
    {
        "default" => "the built-in default; set RAWORC_API_URL to use another server",
        var source when source == settings.AuthFilePath => $"from {source}, written by 'raworc auth'",
        var source => $"from {source}",
    };

    private static string CredentialKind(RaworcSettings settings) =>
        settings.CredentialSource == $"{RaworcSettings.UsernameVariable}/{RaworcSettings.PasswordVariable}"
            ? $"service account '{settings.Options.Username}' with a password"
            : "a token";

    /// <summary>Writes the ✓/✗ lines and counts the failures.</summary>
    private sealed class Report(TextWriter output)
    {
        private int _failures;

        public void Pass(string text) => output.WriteLine($"✓ {text}");

        public void Skip(string text) => output.WriteLine($"- {text}");

        public void Warn(string text) => output.WriteLine($"! {text}");

        public void Fail(string problem, string fix)
        {
            _failures++;
            output.WriteLine($"✗ {problem}");
            output.WriteLine($"  Fix: {fix}");
        }

        public int Finish()
        {
            output.WriteLine(_failures == 0
                ? "All checks passed: raworc-mcp is ready for your MCP client."
                : $"{_failures} problem{(_failures == 1 ? "" : "s")} found; fix {(_failures == 1 ? "it" : "them")} and run 'raworc-mcp doctor' again.");
            return _failures == 0 ? 0 : 1;
        }
    }
}
