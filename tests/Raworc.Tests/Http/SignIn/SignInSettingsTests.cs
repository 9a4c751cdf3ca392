using Raworc.Mcp;
using Raworc.Mcp.Http;

namespace Raworc.Tests.Http.SignIn;

/// <summary>The sign-in settings: the public URL, the sealing keys, redirect schemes, raw tokens, token lifetime.</summary>
public sealed class SignInSettingsTests
{
    private static HttpSettings Load(string[] flags, params (string Name, string Value)[] variables)
    {
        var env = variables.ToDictionary(v => v.Name, v => v.Value);
        return ServerConfiguration.Load(name => env.GetValueOrDefault(name), McpTestHost.EmptyHome(), CommandLine.Parse(["http", .. flags])).Http;
    }

    private static string Error(string[] flags, params (string Name, string Value)[] variables) =>
        Assert.Throws<FormatException>(() => Load(flags, variables)).Message;

    [Fact]
    public void Without_a_public_url_sign_in_is_off_and_the_keys_are_still_there_made_at_start()
    {
        var settings = Load([]);
        Assert.False(settings.SignIn);
        Assert.Null(settings.PublicUrl);
        Assert.True(settings.Keys.Generated);
        Assert.Equal(1, settings.Keys.Count);
        Assert.Same(settings.Keys, (settings with { Port = 1 }).Keys);
    }

    [Theory]
    [InlineData("https://mcp.example.com", "https://mcp.example.com")]
    [InlineData("https://MCP.Example.com/", "https://mcp.example.com")]
    [InlineData("https://mcp.example.com:8443", "https://mcp.example.com:8443")]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080")]
    [InlineData("http://localhost:9", "http://localhost:9")]
    [InlineData("http://[::1]:9", "http://[::1]:9")]
    public void The_public_url_is_an_origin_without_a_trailing_slash(string given, string issuer)
    {
        var settings = Load(["--public-url", given]);
        Assert.True(settings.SignIn);
        Assert.Equal(issuer, settings.PublicUrl);
        Assert.Equal(issuer, Load([], (HttpSettings.PublicUrlVariable, given)).PublicUrl);
    }

    [Theory]
    [InlineData("http://mcp.example.com", "must use https")]
    [InlineData("http://10.0.0.1", "must use https")]
    [InlineData("https://mcp.example.com/team", "must be an origin without a path")]
    [InlineData("https://mcp.example.com/?a=1", "must be the https URL")]
    [InlineData("https://user:pw@mcp.example.com", "must be the https URL")]
    [InlineData("ftp://mcp.example.com", "must be the https URL")]
    [InlineData("mcp.example.com", "must be the https URL")]
    public void A_bad_public_url_names_the_flag_and_the_problem(string given, string expected)
    {
        Assert.Contains($"--public-url {expected}", Error(["--public-url", given]));
        Assert.Contains($"{HttpSettings.PublicUrlVariable} {expected}", Error([], (HttpSettings.PublicUrlVariable, given)));
    }

    [Fact]
    public void Configured_keys_are_parsed_and_a_bad_one_is_named_by_position_never_quoted()
    {
        string one = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray());
        string two = Convert.ToBase64String(Enumerable.Repeat((byte)2, 32).ToArray());
        var keys = Load([], (HttpSettings.OAuthKeysVariable, $"{one}, {two}")).Keys;
        Assert.False(keys.Generated);
        Assert.Equal(2, keys.Count);

        string message = Error([], (HttpSettings.OAuthKeysVariable, $"{one},not-base64!"));
        Assert.Contains($"{HttpSettings.OAuthKeysVariable}: key 2 of 2 is not base64", message);
        Assert.DoesNotContain("not-base64", message);
        Assert.Contains("is 16 bytes", Error([], (HttpSettings.OAuthKeysVariable, Convert.ToBase64String(new byte[16]))));
    }

    [Fact]
    public void Sign_in_defaults_cursor_redirects_no_raw_tokens_and_one_hour_tokens()
    {
        var settings = Load(["--public-url", "https://mcp.example.com"]);
        Assert.Equal(["cursor"], settings.RedirectSchemes);
        Assert.False(settings.AcceptRaworcTokens);
        Assert.Equal(TimeSpan.FromHours(1), settings.AccessTokenLifetime);
    }

    [Fact]
    public void Sign_in_settings_are_read_from_flags_over_variables()
    {
        var settings = Load(["--public-url", "https://mcp.example.com", "--oauth-redirect-schemes", "cursor, Vscode-Insiders:", "--accept-raworc-tokens",
            "--access-token-seconds", "10"], (HttpSettings.AccessTokenSecondsVariable, "99"));
        Assert.Equal(["cursor", "vscode-insiders"], settings.RedirectSchemes.Order());
        Assert.True(settings.AcceptRaworcTokens);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.AccessTokenLifetime);

        var fromVariables = Load([], (HttpSettings.PublicUrlVariable, "https://mcp.example.com"), (HttpSettings.RedirectSchemesVariable, "none"),
            (HttpSettings.AcceptRaworcTokensVariable, "true"), (HttpSettings.AccessTokenSecondsVariable, "600"));
        Assert.Empty(fromVariables.RedirectSchemes);
        Assert.True(fromVariables.AcceptRaworcTokens);
        Assert.Equal(TimeSpan.FromMinutes(10), fromVariables.AccessTokenLifetime);
    }

    [Theory]
    [InlineData("9")]
    [InlineData("3601")]
    [InlineData("an hour")]
    public void An_access_token_lifetime_outside_10_to_3600_seconds_is_refused(string seconds) =>
        Assert.Contains("--access-token-seconds must be a number of seconds between 10 and 3600",
            Error(["--public-url", "https://mcp.example.com", "--access-token-seconds", seconds]));

    [Theory]
    [InlineData("https", "not a private-use scheme")]
    [InlineData("javascript", "not a private-use scheme")]
    [InlineData("1cursor", "is not a URI scheme")]
    [InlineData("cur sor!", "is not a URI scheme")]
    public void A_redirect_scheme_that_is_not_a_private_use_scheme_is_refused(string schemes, string expected) =>
        Assert.Contains(expected, Error(["--public-url", "https://mcp.example.com", "--oauth-redirect-schemes", schemes]));

    [Theory]
    [InlineData(new[] { "--accept-raworc-tokens" }, "--accept-raworc-tokens")]
    [InlineData(new[] { "--oauth-redirect-schemes", "cursor" }, "--oauth-redirect-schemes")]
    [InlineData(new[] { "--access-token-seconds", "60" }, "--access-token-seconds")]
    public void Sign_in_flags_without_a_public_url_are_refused(string[] flags, string name) =>
        Assert.Contains($"{name} applies only with sign-in: set --public-url", Error(flags));

    [Fact]
    public void A_sign_in_variable_without_a_public_url_is_refused_by_name() =>
        Assert.Contains($"{HttpSettings.AcceptRaworcTokensVariable} applies only with sign-in",
            Error([], (HttpSettings.AcceptRaworcTokensVariable, "true")));

    [Fact]
    public void Sign_in_flags_belong_to_the_http_mode() =>
        Assert.Contains("--public-url applies only to the HTTP mode",
            Assert.Throws<FormatException>(() => CommandLine.Parse(["--public-url", "https://mcp.example.com"])).Message);

    [Fact]
    public void Help_lists_the_sign_in_flags_and_variables()
    {
        string help = CommandLine.HelpText();
        foreach (string name in new[] { "--public-url", "--oauth-redirect-schemes", "--accept-raworc-tokens", "--access-token-seconds",
            HttpSettings.PublicUrlVariable, HttpSettings.OAuthKeysVariable, HttpSettings.RedirectSchemesVariable,
            HttpSettings.AcceptRaworcTokensVariable, HttpSettings.AccessTokenSecondsVariable })
            Assert.Contains(name, help);
    }
}
