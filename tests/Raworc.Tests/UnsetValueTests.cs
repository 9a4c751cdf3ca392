using System.Globalization;
using Raworc.Client;
using Raworc.Mcp;

namespace Raworc.Tests;

/// <summary>
/// Claude Desktop starts a bundle's server with every variable its form maps, whether or not the user filled the
/// field in: an optional field left empty arrives as "" or, when it has no default, as the literal text
/// <c>${user_config.name}</c>. Either one must read as unset, for every variable, in every mode; a real value must
/// never be mistaken for one.
/// </summary>
public sealed class UnsetValueTests
{
    /// <summary>Every variable the server reads: the documented ones and the two only tests use.</summary>
    private static readonly string[] VariableNames =
    [
        .. EnvironmentVariables.All.Where(v => !v.Conventional).Select(v => v.Name),
        ServerConfiguration.PollIntervalVariable,
        ServerConfiguration.ConsentTimeoutVariable,
    ];

    public static TheoryData<string> Variables() => new(VariableNames);

    private static readonly string[] UnsetValues = ["", "   ", "${user_config.value}", " ${user_config.default_space} ", "${user_config.}"];

    /// <summary>stdio, the HTTP mode, doctor and --manifest all load their configuration the same way.</summary>
    private static readonly string[][] CommandLines = [[], ["http"], ["doctor"], ["--manifest"], ["http", "doctor"], ["http", "--manifest"]];

    [Theory]
    [MemberData(nameof(Variables))]
    public void An_empty_value_or_an_unexpanded_placeholder_is_the_same_as_no_variable(string variable)
    {
        foreach (var arguments in CommandLines)
        {
            var flags = CommandLine.Parse(arguments);
            string unset = Describe(ServerConfiguration.Load(_ => null, McpTestHost.EmptyHome(), flags));
            foreach (var value in UnsetValues)
            {
                var loaded = ServerConfiguration.Load(name => name == variable ? value : null, McpTestHost.EmptyHome(), flags);
                Assert.True(unset == Describe(loaded), $"{variable}='{value}' with [{string.Join(' ', arguments)}]:\n{Describe(loaded)}\ninstead of\n{unset}");
            }
        }
    }

    [Fact]
    public void Every_variable_unexpanded_at_once_gives_the_defaults()
    {
        string? Unexpanded(string name) => VariableNames.Contains(name) ? $"${{user_config.{name.ToLowerInvariant()}}}" : null;
        var configuration = ServerConfiguration.Load(Unexpanded, McpTestHost.EmptyHome(), CommandLine.Parse([]));

        Assert.Equal(RaworcClientOptions.DefaultApiUrl, configuration.Raworc.Options.ApiUrl);
        Assert.Equal("default", configuration.Raworc.ApiUrlSource);
        Assert.Null(configuration.Raworc.CredentialSource);
        Assert.Null(configuration.Raworc.Options.Token);
        Assert.Null(configuration.Raworc.Options.Username);
        Assert.Null(configuration.Raworc.Options.Password);
        Assert.Equal("default", configuration.DefaultSpace);
        Assert.Equal(TimeSpan.FromSeconds(30), configuration.Raworc.Options.Timeout);
        Assert.False(configuration.ReadOnly);
        Assert.False(configuration.AllowDestructive);
        Assert.Null(configuration.Toolsets);
    }

    [Fact]
    public void An_unexpanded_token_leaves_the_login_file_and_the_account_to_supply_credentials()
    {
        string home = McpTestHost.EmptyHome();
        Directory.CreateDirectory(Path.Combine(home, ".raworc"));
        string authFile = Path.Combine(home, ".raworc", "auth.yaml");
        File.WriteAllText(authFile, "server: http://127.0.0.1:9000\ntoken: from-the-file\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(authFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var fromFile = ServerConfiguration.Load(name => name switch
        {
            RaworcSettings.TokenVariable => "${user_config.auth_token}",
            RaworcSettings.ApiUrlVariable => "${user_config.api_url}",
            _ => null,
        }, home);
        Assert.Equal("from-the-file", fromFile.Raworc.Options.Token);
        Assert.Equal(authFile, fromFile.Raworc.CredentialSource);
        Assert.Equal("http://127.0.0.1:9000/api/v0", fromFile.Raworc.Options.ApiUrl.AbsoluteUri);

        var account = ServerConfiguration.Load(name => name switch
        {
            RaworcSettings.TokenVariable => "${user_config.auth_token}",
            RaworcSettings.UsernameVariable => "assistant",
            RaworcSettings.PasswordVariable => "pa$$word",
            _ => null,
        }, McpTestHost.EmptyHome());
        Assert.Null(account.Raworc.Options.Token);
        Assert.Equal("RAWORC_USERNAME/RAWORC_PASSWORD", account.Raworc.CredentialSource);
        Assert.Equal("pa$$word", account.Raworc.Options.Password);
    }

    [Fact]
    public void An_unexpanded_password_is_no_password()
    {
        var configuration = ServerConfiguration.Load(name => name switch
        {
            RaworcSettings.UsernameVariable => "assistant",
            RaworcSettings.PasswordVariable => "${user_config.password}",
            _ => null,
        }, McpTestHost.EmptyHome());

        Assert.Null(configuration.Raworc.Options.Password);
        Assert.Null(configuration.Raworc.CredentialSource);
    }

    [Theory]
    [InlineData("a${user_config.password}")]
    [InlineData("${user_config.a}${user_config.b}")]
    [InlineData("${user_config.a} and ${user_config.b}")]
    [InlineData("${user_config.a")]
    [InlineData("${HOME}")]
    [InlineData("$$")]
    [InlineData(" pass word ")]
    public void Text_that_only_looks_like_a_placeholder_is_a_real_value(string value) =>
        Assert.Equal(value, ServerConfiguration.UsableValue(value));

    [Fact]
    public void Form_values_arrive_as_strings_and_read_as_their_types()
    {
        var configuration = ServerConfiguration.Load(name => name switch
        {
            ServerConfiguration.ReadOnlyVariable => "true",
            ServerConfiguration.AllowDestructiveVariable => "false",
            RaworcSettings.TimeoutVariable => "45",
            ServerConfiguration.ToolsetsVariable => "sessions, messages",
            _ => null,
        }, McpTestHost.EmptyHome());

        Assert.True(configuration.ReadOnly);
        Assert.False(configuration.AllowDestructive);
        Assert.Equal(TimeSpan.FromSeconds(45), configuration.Raworc.Options.Timeout);
        Assert.Equal(["messages", "sessions"], configuration.Toolsets!.Order());
    }

    [Fact]
    public void Help_says_that_empty_and_unexpanded_values_are_unset() =>
        Assert.Contains("A variable that is empty, or still a literal ${user_config.name} (a field of the Claude Desktop bundle's form left empty), is unset.",
            CommandLine.HelpText().ReplaceLineEndings(" "));

    /// <summary>Everything a configuration decides, as text (its records hold lists, which compare by reference).</summary>
    private static string Describe(ServerConfiguration c) => string.Join("\n",
        $"api {c.Raworc.Options.ApiUrl} from {c.Raworc.ApiUrlSource}; credentials from {c.Raworc.CredentialSource ?? "nowhere"}",
        $"token {c.Raworc.Options.Token ?? "-"} user {c.Raworc.Options.Username ?? "-"} password {c.Raworc.Options.Password ?? "-"}",
        $"timeout {c.Raworc.Options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}; warnings {string.Join(" | ", c.Raworc.Warnings)}",
        $"space {c.DefaultSpace}; log {c.LogLevel} json {c.JsonLogs}",
        $"read-only {c.ReadOnly} destructive {c.AllowDestructive} secret values {c.AllowSecretValues}",
        $"toolsets {(c.Toolsets is null ? "all" : string.Join(",", c.Toolsets.Order()))}; tools {(c.Tools is null ? "-" : string.Join(",", c.Tools.Order()))}",
        $"poll {c.PollInterval.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} consent {c.ConsentTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}",
        $"transport {c.Transport}; port {c.Http.Port} host {c.Http.ListenHost} origins {string.Join(",", c.Http.AllowedOrigins.Order())}",
        $"shared {c.Http.SharedCredentials} drain {c.Http.Drain.TotalSeconds.ToString(CultureInfo.InvariantCulture)} rate {c.Http.RateLimit}");
}
