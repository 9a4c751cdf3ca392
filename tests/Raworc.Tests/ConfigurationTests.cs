using Microsoft.Extensions.Logging;
using Raworc.Client;
using Raworc.Mcp;

namespace Raworc.Tests;

/// <summary>
/// Where settings come from: the environment first, then the Raworc CLI's ~/.raworc/auth.yaml, then defaults; and
/// every malformed value is a FormatException naming its variable or file.
/// </summary>
public sealed class ConfigurationTests
{
    private static Func<string, string?> Env(params (string Name, string? Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return name => map.GetValueOrDefault(name);
    }

    /// <summary>A temporary home whose .raworc/auth.yaml holds <paramref name="yaml"/>.</summary>
    private static string HomeWithAuthFile(string yaml)
    {
        string home = McpTestHost.EmptyHome();
        Directory.CreateDirectory(Path.Combine(home, ".raworc"));
        File.WriteAllText(Path.Combine(home, ".raworc", "auth.yaml"), yaml);
        // As the CLI writes it: readable by its owner only.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(home, ".raworc", "auth.yaml"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return home;
    }

    private static string AuthFile(string home) => Path.Combine(home, ".raworc", "auth.yaml");

    private const string CliFile = "server: http://localhost:9000\ntoken: abc\n";

    [Fact]
    public void Nothing_configured_means_the_hosted_api_and_no_credentials()
    {
        string home = McpTestHost.EmptyHome();

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Equal("https://api.remoteagent.com/api/v0", settings.Options.ApiUrl.AbsoluteUri);
        Assert.Equal("default", settings.ApiUrlSource);
        Assert.Null(settings.CredentialSource);
        Assert.Null(settings.Options.Token);
        Assert.False(settings.Options.HasCredentials);
        Assert.Equal(AuthFile(home), settings.AuthFilePath);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Options.Timeout);
    }

    [Fact]
    public void Auth_file_supplies_server_with_api_prefix_and_token()
    {
        string home = HomeWithAuthFile(CliFile);

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Equal("http://localhost:9000/api/v0", settings.Options.ApiUrl.AbsoluteUri);
        Assert.Equal("abc", settings.Options.Token);
        Assert.Equal(AuthFile(home), settings.ApiUrlSource);
        Assert.Equal(AuthFile(home), settings.CredentialSource);
    }

    [Theory]
    [InlineData("http://localhost:9000", "http://localhost:9000/api/v0")]
    [InlineData("http://localhost:9000/", "http://localhost:9000/api/v0")]
    [InlineData("http://localhost:9000/api/v0", "http://localhost:9000/api/v0")]
    [InlineData("http://localhost:9000/api/v0/", "http://localhost:9000/api/v0/")]
    [InlineData("https://raworc.example.com/prefix", "https://raworc.example.com/prefix/api/v0")]
    public void Auth_file_server_gets_api_v0_exactly_once(string server, string expected)
    {
        var settings = RaworcSettings.Load(Env(), HomeWithAuthFile($"server: {server}\n"));

        Assert.Equal(expected, settings.Options.ApiUrl.AbsoluteUri);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(settings.Options.ApiUrl.AbsoluteUri, "/api/v0"));
    }

    [Fact]
    public void Environment_beats_the_auth_file_for_url_and_token()
    {
        var settings = RaworcSettings.Load(
            Env(("RAWORC_API_URL", "http://127.0.0.1:1234/api/v0"), ("RAWORC_AUTH_TOKEN", "env-token")), HomeWithAuthFile(CliFile));

        Assert.Equal("http://127.0.0.1:1234/api/v0", settings.Options.ApiUrl.AbsoluteUri);
        Assert.Equal("RAWORC_API_URL", settings.ApiUrlSource);
        Assert.Equal("env-token", settings.Options.Token);
        Assert.Equal("RAWORC_AUTH_TOKEN", settings.CredentialSource);
    }

    [Fact]
    public void Environment_url_with_auth_file_token_for_the_same_server_mixes_sources()
    {
        string home = HomeWithAuthFile(CliFile);

        var settings = RaworcSettings.Load(Env(("RAWORC_API_URL", "http://LOCALHOST:9000/api/v0/")), home);

        Assert.Equal("RAWORC_API_URL", settings.ApiUrlSource);
        Assert.Equal("abc", settings.Options.Token);
        Assert.Equal(AuthFile(home), settings.CredentialSource);
        Assert.Empty(settings.Warnings);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1234/api/v0")]  // another host
    [InlineData("http://localhost:9001/api/v0")]  // another port
    [InlineData("https://localhost:9000/api/v0")] // another scheme
    [InlineData("http://localhost:9000/other/api/v0")] // another API on the same origin
    public void Auth_file_token_is_never_sent_to_another_server(string url)
    {
        string home = HomeWithAuthFile(CliFile);

        var settings = RaworcSettings.Load(Env(("RAWORC_API_URL", url)), home);

        Assert.Null(settings.Options.Token);
        Assert.Null(settings.CredentialSource);
        var warning = Assert.Single(settings.Warnings);
        Assert.Contains(AuthFile(home), warning);
        Assert.Contains("http://localhost:9000/api/v0", warning);
        Assert.Contains("not sent there", warning);
    }

    [Fact]
    public void Auth_file_token_without_a_server_belongs_to_the_hosted_api()
    {
        string home = HomeWithAuthFile("token: abc\n");

        Assert.Equal("abc", RaworcSettings.Load(Env(), home).Options.Token);
        Assert.Equal("abc", RaworcSettings.Load(Env(("RAWORC_API_URL", "https://api.remoteagent.com/api/v0")), home).Options.Token);
        Assert.Null(RaworcSettings.Load(Env(("RAWORC_API_URL", "http://127.0.0.1:1/api/v0")), home).Options.Token);
    }

    [Fact]
    public void Username_and_password_beat_the_auth_file_token()
    {
        var settings = RaworcSettings.Load(Env(("RAWORC_USERNAME", "admin"), ("RAWORC_PASSWORD", "s3cret")), HomeWithAuthFile(CliFile));

        Assert.Null(settings.Options.Token);
        Assert.Equal("admin", settings.Options.Username);
        Assert.Equal("s3cret", settings.Options.Password);
        Assert.True(settings.Options.HasCredentials);
        Assert.Equal("RAWORC_USERNAME/RAWORC_PASSWORD", settings.CredentialSource);
        // The server still comes from the file.
        Assert.Equal("http://localhost:9000/api/v0", settings.Options.ApiUrl.AbsoluteUri);
    }

    [Fact]
    public void Token_and_credentials_together_keep_both_and_report_the_token()
    {
        var settings = RaworcSettings.Load(Env(("RAWORC_AUTH_TOKEN", "t"), ("RAWORC_USERNAME", "admin"), ("RAWORC_PASSWORD", "s3cret")), McpTestHost.EmptyHome());

        Assert.Equal("t", settings.Options.Token);
        Assert.True(settings.Options.HasCredentials);
        Assert.Equal("RAWORC_AUTH_TOKEN", settings.CredentialSource);
    }

    [Theory]
    [InlineData("admin", "")]
    [InlineData("", "s3cret")]
    [InlineData("admin", null)]
    public void Half_of_the_credentials_is_no_credentials(string? user, string? password)
    {
        string home = HomeWithAuthFile(CliFile);

        var settings = RaworcSettings.Load(Env(("RAWORC_USERNAME", user), ("RAWORC_PASSWORD", password)), home);

        Assert.False(settings.Options.HasCredentials);
        Assert.Equal("abc", settings.Options.Token); // falls back to the CLI's token
        Assert.Equal(AuthFile(home), settings.CredentialSource);
    }

    [Fact]
    public void Password_is_kept_verbatim()
    {
        var settings = RaworcSettings.Load(Env(("RAWORC_USERNAME", " admin "), ("RAWORC_PASSWORD", " pass word ")), McpTestHost.EmptyHome());

        Assert.Equal("admin", settings.Options.Username);
        Assert.Equal(" pass word ", settings.Options.Password);
    }

    [Theory]
    [InlineData("server: \"http://localhost:9000\"\ntoken: \"abc\"\n")]
    [InlineData("server: 'http://localhost:9000'\ntoken: 'abc'\n")]
    [InlineData("# written by raworc auth\nserver:   http://localhost:9000   \ntoken: abc\nuser: admin\n")]
    [InlineData("---\ntoken: abc\nserver: http://localhost:9000\n")]
    public void Auth_file_yaml_variants(string yaml)
    {
        var settings = RaworcSettings.Load(Env(), HomeWithAuthFile(yaml));

        Assert.Equal("http://localhost:9000/api/v0", settings.Options.ApiUrl.AbsoluteUri);
        Assert.Equal("abc", settings.Options.Token);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing yet\n")]
    [InlineData("- a\n- b\n")]
    [InlineData("server: ''\ntoken: ''\n")]
    public void Auth_file_without_values_is_ignored(string yaml)
    {
        var settings = RaworcSettings.Load(Env(), HomeWithAuthFile(yaml));

        Assert.Equal("default", settings.ApiUrlSource);
        Assert.Null(settings.CredentialSource);
    }

    [Theory]
    [InlineData("server: \"http://localhost:9000\ntoken: abc\n")]
    [InlineData("server: [http://localhost:9000\n")]
    [InlineData("token: abc\n  - broken: : :\n\tbad")]
    [InlineData("a: [x\nb: c\n")]
    [InlineData("server: http://localhost:9000\ntoken: {a: {b: {c: {d: {e: 1}}}}}\n")]
    public void Malformed_auth_file_is_one_warning_naming_the_file_and_is_ignored(string yaml)
    {
        string home = HomeWithAuthFile(yaml);

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Contains(AuthFile(home), Assert.Single(settings.Warnings));
        Assert.Equal("default", settings.ApiUrlSource);
        Assert.Null(settings.CredentialSource);
    }

    [Fact]
    public void Auth_file_is_not_read_when_the_environment_has_everything()
    {
        // Not even looked at: a broken (or hostile) file cannot matter when it is not needed.
        string home = HomeWithAuthFile("server: [oops\n");

        var settings = RaworcSettings.Load(Env(("RAWORC_API_URL", "http://127.0.0.1:1/api/v0"), ("RAWORC_AUTH_TOKEN", "t0k")), home);

        Assert.Empty(settings.Warnings);
        Assert.Equal("t0k", settings.Options.Token);
    }

    [Fact]
    public void Deeply_nested_auth_file_is_a_warning_at_once()
    {
        // 16 KB of '[' (the size limit) would take the YAML library seconds and overflow the stack as a document tree.
        string home = HomeWithAuthFile("token: " + new string('[', RaworcSettings.MaxAuthFileBytes - 8) + "\n");

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Contains("nested more than", Assert.Single(settings.Warnings));
        Assert.Null(settings.Options.Token);
    }

    [Fact]
    public void Oversized_auth_file_is_a_warning_and_is_not_read()
    {
        string home = HomeWithAuthFile("token: " + new string('x', 10 * 1024 * 1024) + "\n");

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Contains("more than the 16 KB", Assert.Single(settings.Warnings));
        Assert.Null(settings.Options.Token);
    }

    [Fact]
    public async Task A_fifo_at_the_auth_file_path_is_a_warning_not_a_hang()
    {
        string home = McpTestHost.EmptyHome();
        Directory.CreateDirectory(Path.Combine(home, ".raworc"));
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [AuthFile(home)])!) await mkfifo.WaitForExitAsync();

        var settings = await Task.Run(() => RaworcSettings.Load(Env(), home)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains("not a regular file", Assert.Single(settings.Warnings));
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, true)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, true)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite, false)]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Auth_file_readable_by_others_earns_one_warning(UnixFileMode mode, bool warned)
    {
        string home = HomeWithAuthFile(CliFile);
        File.SetUnixFileMode(AuthFile(home), mode);

        var settings = RaworcSettings.Load(Env(), home);

        Assert.Equal("abc", settings.Options.Token); // still used
        Assert.Equal(warned ? 1 : 0, settings.Warnings.Count(w => w.Contains("chmod 600", StringComparison.Ordinal) && w.Contains(AuthFile(home))));
    }

    [Theory]
    [InlineData("token: \"abc\\r\\nX-Injected: 1\"\n", "line break")]
    [InlineData("token: \"a b\"\n", "space")]
    public void Auth_file_token_that_cannot_be_a_header_is_a_warning(string yaml, string expected)
    {
        string home = HomeWithAuthFile(yaml);

        var settings = RaworcSettings.Load(Env(), home);

        var warning = Assert.Single(settings.Warnings);
        Assert.Contains(expected, warning);
        Assert.DoesNotContain("Injected", warning);
        Assert.Null(settings.Options.Token);
    }

    [Theory]
    [InlineData("abc\r\nX-Injected: 1", "line break")]
    [InlineData("abc\ndef", "line break")]
    [InlineData("ab c", "space")]
    [InlineData("abcé", "cannot be sent in an HTTP header")]
    public void Token_that_cannot_be_a_header_is_a_format_exception_naming_RAWORC_AUTH_TOKEN(string token, string expected)
    {
        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_AUTH_TOKEN", token)), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_AUTH_TOKEN", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("abc", e.Message);
    }

    [Theory]
    [InlineData("http://user:hunter2pw@127.0.0.1:1/api/v0")]
    [InlineData("https://hunter2pw@example.com/api/v0")]
    public void Api_url_with_credentials_is_refused_without_printing_them(string url)
    {
        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_API_URL", url)), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_API_URL", e.Message);
        Assert.Contains("user name or password", e.Message);
        Assert.DoesNotContain("hunter2pw", e.Message);
    }

    [Fact]
    public void Malformed_url_with_credentials_is_refused_without_printing_them()
    {
        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_API_URL", "ftp://user:hunter2pw@example.com/x")), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_API_URL", e.Message);
        Assert.DoesNotContain("hunter2pw", e.Message);
    }

    [Theory]
    [InlineData("ftp://example.com/api/v0")]
    [InlineData("not a url")]
    [InlineData("/api/v0")]
    public void Bad_api_url_is_a_format_exception_naming_the_variable(string url)
    {
        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_API_URL", url)), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_API_URL", e.Message);
    }

    [Theory]
    [InlineData("server: localhost:9000:bad\ntoken: abc\n")]
    [InlineData("server: http://me:hunter2pw@localhost:9000\ntoken: abc\n")]
    public void Bad_server_in_the_auth_file_is_a_warning_naming_the_file_and_its_token_is_not_used(string yaml)
    {
        string home = HomeWithAuthFile(yaml);

        var settings = RaworcSettings.Load(Env(), home);

        var warning = Assert.Single(settings.Warnings);
        Assert.Contains(AuthFile(home), warning);
        Assert.DoesNotContain("hunter2pw", warning);
        Assert.Equal("default", settings.ApiUrlSource);
        Assert.Null(settings.Options.Token);
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("", 30)]
    [InlineData("2.5", 2.5)]
    [InlineData(" 10 ", 10)]
    [InlineData("3600", 3600)]
    [InlineData("0.1", 0.1)]
    public void Timeout_is_parsed_in_seconds(string? value, double seconds)
    {
        var settings = RaworcSettings.Load(Env(("RAWORC_TIMEOUT", value)), McpTestHost.EmptyHome());

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.Options.Timeout);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("3601")]
    [InlineData("1,5")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("30s")]
    [InlineData("0.0001")]
    [InlineData("0.09")]
    public void Bad_timeout_is_a_format_exception_naming_RAWORC_TIMEOUT(string value)
    {
        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_TIMEOUT", value)), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_TIMEOUT", e.Message);
        Assert.Contains(value, e.Message);
    }

    [Theory]
    [InlineData(null, LogLevel.Information)]
    [InlineData("", LogLevel.Information)]
    [InlineData("trace", LogLevel.Trace)]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Information)]
    [InlineData("INFO", LogLevel.Information)]
    [InlineData("warn", LogLevel.Warning)]
    [InlineData("warning", LogLevel.Warning)]
    [InlineData("error", LogLevel.Error)]
    [InlineData("off", LogLevel.None)]
    [InlineData(" Debug ", LogLevel.Debug)]
    public void Log_level_values(string? value, LogLevel expected)
    {
        var configuration = ServerConfiguration.Load(Env(("LOG_LEVEL", value)), McpTestHost.EmptyHome());

        Assert.Equal(expected, configuration.LogLevel);
    }

    [Theory]
    [InlineData("verbose")]
    [InlineData("5")]
    [InlineData("information!")]
    public void Bad_log_level_is_a_format_exception_naming_LOG_LEVEL(string value)
    {
        var e = Assert.Throws<FormatException>(() => ServerConfiguration.Load(Env(("LOG_LEVEL", value)), McpTestHost.EmptyHome()));

        Assert.Contains("LOG_LEVEL", e.Message);
        Assert.Contains(value, e.Message);
    }

    [Theory]
    [InlineData(null, "default")]
    [InlineData("", "default")]
    [InlineData("team-a", "team-a")]
    [InlineData("  team-b ", "team-b")]
    public void Default_space(string? value, string expected)
    {
        var configuration = ServerConfiguration.Load(Env(("RAWORC_DEFAULT_SPACE", value)), McpTestHost.EmptyHome());

        Assert.Equal(expected, configuration.DefaultSpace);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a\nb")]
    public void Default_space_that_cannot_be_a_name_is_a_format_exception_naming_RAWORC_DEFAULT_SPACE(string value)
    {
        var e = Assert.Throws<FormatException>(() => ServerConfiguration.Load(Env(("RAWORC_DEFAULT_SPACE", value)), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_DEFAULT_SPACE", e.Message);
    }

    [Fact]
    public void Default_space_over_the_name_limit_is_a_format_exception_naming_RAWORC_DEFAULT_SPACE()
    {
        var e = Assert.Throws<FormatException>(() => ServerConfiguration.Load(Env(("RAWORC_DEFAULT_SPACE", new string('s', 1025))), McpTestHost.EmptyHome()));

        Assert.Contains("RAWORC_DEFAULT_SPACE", e.Message);
        Assert.Contains("1024", e.Message);
    }

    [Fact]
    public void Server_configuration_reads_the_same_settings()
    {
        string home = HomeWithAuthFile(CliFile);

        var configuration = ServerConfiguration.Load(Env(("RAWORC_TIMEOUT", "7")), home);

        Assert.Equal("http://localhost:9000/api/v0", configuration.Raworc.Options.ApiUrl.AbsoluteUri);
        Assert.Equal("abc", configuration.Raworc.Options.Token);
        Assert.Equal(TimeSpan.FromSeconds(7), configuration.Raworc.Options.Timeout);
    }

    [Theory]
    [InlineData(LogLevel.Trace, LogLevel.Debug)]
    [InlineData(LogLevel.Debug, LogLevel.Debug)]
    [InlineData(LogLevel.Information, LogLevel.Warning)]
    [InlineData(LogLevel.Warning, LogLevel.Warning)]
    [InlineData(LogLevel.Error, LogLevel.Error)]
    [InlineData(LogLevel.None, LogLevel.None)]
    public void Sdk_logs_never_go_below_debug_nor_below_the_configured_level(LogLevel configured, LogLevel sdk)
    {
        using var factory = LoggerFactory.Create(b => b.AddRaworcFilters(configured).AddProvider(new CapturingLoggerProvider()));
        var sdkLogger = factory.CreateLogger("ModelContextProtocol.Server.McpServer");
        var ownLogger = factory.CreateLogger("raworc-client");

        Assert.Equal(sdk, Enum.GetValues<LogLevel>().Where(l => l != LogLevel.None).FirstOrDefault(sdkLogger.IsEnabled, LogLevel.None));
        Assert.Equal(configured, Enum.GetValues<LogLevel>().Where(l => l != LogLevel.None).FirstOrDefault(ownLogger.IsEnabled, LogLevel.None));
    }

    [Fact]
    public async Task Auth_file_configuration_sends_its_token_to_its_server()
    {
        using var api = McpTestHost.StartApi();
        string home = HomeWithAuthFile($"server: {api.Url}\ntoken: abc\n");
        // The host's own RAWORC_API_URL and RAWORC_AUTH_TOKEN are blanked, so only the file is left.
        await using var host = await McpTestHost.StartAsync(new Dictionary<string, string?> { ["RAWORC_API_URL"] = "", ["RAWORC_AUTH_TOKEN"] = "" }, home);
        api.Given(WireMock.RequestBuilders.Request.Create().UsingAnyMethod())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("[]"));

        var result = await host.CallAsync("list_spaces");

        Assert.False(result.IsError ?? false, McpTestHost.Text(result));
        var request = Assert.Single(api.LogEntries).RequestMessage;
        Assert.Equal("/api/v0/spaces", request.Path);
        Assert.Equal("Bearer abc", request.Headers!["Authorization"].Single());
        Assert.Empty(host.Requests); // nothing went to the host's own WireMock
    }
}
