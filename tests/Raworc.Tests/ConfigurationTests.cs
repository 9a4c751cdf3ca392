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
    public void Environment_url_with_auth_file_token_mixes_sources()
    {
        string home = HomeWithAuthFile(CliFile);

        var settings = RaworcSettings.Load(Env(("RAWORC_API_URL", "http://127.0.0.1:1234/api/v0")), home);

        Assert.Equal("RAWORC_API_URL", settings.ApiUrlSource);
        Assert.Equal("abc", settings.Options.Token);
        Assert.Equal(AuthFile(home), settings.CredentialSource);
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
    public void Malformed_auth_file_is_a_format_exception_naming_the_file(string yaml)
    {
        string home = HomeWithAuthFile(yaml);

        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(), home));

        Assert.Contains(AuthFile(home), e.Message);
    }

    [Fact]
    public void Malformed_auth_file_fails_even_when_the_environment_has_everything()
    {
        // Reported rather than silently skipped: a broken file is worth knowing about.
        string home = HomeWithAuthFile("server: [oops\n");

        Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(("RAWORC_API_URL", "http://127.0.0.1:1/api/v0"), ("RAWORC_AUTH_TOKEN", "t")), home));
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

    [Fact]
    public void Bad_server_in_the_auth_file_names_the_file()
    {
        string home = HomeWithAuthFile("server: localhost:9000:bad\n");

        var e = Assert.Throws<FormatException>(() => RaworcSettings.Load(Env(), home));

        Assert.Contains(AuthFile(home), e.Message);
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
