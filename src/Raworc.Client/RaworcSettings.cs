using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Raworc.Client;

/// <summary>
/// Reads the client configuration from the environment, falling back to the Raworc CLI's login file
/// (<c>~/.raworc/auth.yaml</c>, keys <c>server</c> and <c>token</c>) so that a user logged in with
/// <c>raworc auth</c> needs no configuration. Records where each value came from.
/// </summary>
public sealed record RaworcSettings
{
    public const string ApiUrlVariable = "RAWORC_API_URL";
    public const string TokenVariable = "RAWORC_AUTH_TOKEN";
    public const string UsernameVariable = "RAWORC_USERNAME";
    public const string PasswordVariable = "RAWORC_PASSWORD";
    public const string TimeoutVariable = "RAWORC_TIMEOUT";

    public required RaworcClientOptions Options { get; init; }

    /// <summary>Where the API URL came from: the variable name, the auth file path, or "default".</summary>
    public required string ApiUrlSource { get; init; }

    /// <summary>Where the credentials came from, or null when there are none.</summary>
    public string? CredentialSource { get; init; }

    /// <summary>The CLI auth file that was looked at (whether or not it exists).</summary>
    public required string AuthFilePath { get; init; }

    /// <summary>Reads settings from the given variables (the process environment when null).</summary>
    /// <exception cref="FormatException">A value is malformed; the message names the variable or file.</exception>
    public static RaworcSettings Load(Func<string, string?>? getVariable = null, string? homeDirectory = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value.Trim() : null;

        homeDirectory ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string authFile = Path.Combine(homeDirectory, ".raworc", "auth.yaml");
        var cli = CliAuthFile.TryRead(authFile);

        Uri apiUrl;
        string apiUrlSource;
        if (Get(ApiUrlVariable) is { } url)
        {
            apiUrl = ParseUrl(url, ApiUrlVariable);
            apiUrlSource = ApiUrlVariable;
        }
        else if (cli?.Server is { } server)
        {
            // The CLI stores the server root and adds /api/v0 itself.
            apiUrl = ParseUrl(server, authFile);
            if (!apiUrl.AbsolutePath.TrimEnd('/').EndsWith("/api/v0", StringComparison.Ordinal))
                apiUrl = new Uri(apiUrl.AbsoluteUri.TrimEnd('/') + "/api/v0");
            apiUrlSource = authFile;
        }
        else
        {
            apiUrl = RaworcClientOptions.DefaultApiUrl;
            apiUrlSource = "default";
        }

        string? token = Get(TokenVariable), user = Get(UsernameVariable), password = getVariable(PasswordVariable);
        string? credentialSource = token is not null ? TokenVariable
            : user is not null && !string.IsNullOrEmpty(password) ? $"{UsernameVariable}/{PasswordVariable}"
            : null;
        if (credentialSource is null && cli?.Token is { } cliToken)
        {
            token = cliToken;
            credentialSource = authFile;
        }

        var timeout = TimeSpan.FromSeconds(30);
        if (Get(TimeoutVariable) is { } seconds)
        {
            if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0 && value <= 3600))
                throw new FormatException($"{TimeoutVariable} must be a number of seconds between 0 and 3600, got '{seconds}'.");
            timeout = TimeSpan.FromSeconds(value);
        }

        return new RaworcSettings
        {
            Options = new RaworcClientOptions
            {
                ApiUrl = apiUrl,
                Token = token,
                Username = user,
                Password = string.IsNullOrEmpty(password) ? null : password,
                Timeout = timeout,
            },
            ApiUrlSource = apiUrlSource,
            CredentialSource = credentialSource,
            AuthFilePath = authFile,
        };
    }

    private static Uri ParseUrl(string value, string source)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new FormatException($"{source}: '{value}' is not an http(s) URL (expected e.g. https://api.remoteagent.com/api/v0).");
        return uri;
    }

    private sealed record CliAuthFile(string? Server, string? Token)
    {
        public static CliAuthFile? TryRead(string path)
        {
            if (!File.Exists(path)) return null;
            try
            {
                using var reader = File.OpenText(path);
                var yaml = new YamlStream();
                yaml.Load(reader);
                if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) return null;
                string? Scalar(string key) =>
                    root.Children.TryGetValue(new YamlScalarNode(key), out var node) && node is YamlScalarNode { Value: { Length: > 0 } v }
                        ? v.Trim() : null;
                return new CliAuthFile(Scalar("server"), Scalar("token"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException)
            {
                throw new FormatException($"{path} could not be read as YAML: {e.Message}", e);
            }
        }
    }
}
