using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Raworc.Client;

/// <summary>
/// Reads the client configuration from the environment, falling back to the Raworc CLI's login file
/// (<c>~/.raworc/auth.yaml</c>, keys <c>server</c> and <c>token</c>) so that a user logged in with
/// <c>raworc auth</c> needs no configuration. Records where each value came from.
/// </summary>
/// <remarks>
/// The login file is read only when the environment leaves the URL or the credentials open, bounded in size and
/// nesting, and only as a regular file. A problem with it is a warning (<see cref="Warnings"/>), never a failure:
/// the other sources still apply. Its token is used only for the server it was written for.
/// </remarks>
public sealed record RaworcSettings
{
    public const string ApiUrlVariable = "RAWORC_API_URL";
    public const string TokenVariable = "RAWORC_AUTH_TOKEN";
    public const string UsernameVariable = "RAWORC_USERNAME";
    public const string PasswordVariable = "RAWORC_PASSWORD";
    public const string TimeoutVariable = "RAWORC_TIMEOUT";

    /// <summary>The CLI writes two short lines; anything bigger is not its file.</summary>
    public const int MaxAuthFileBytes = 16 * 1024;

    /// <summary>Shortest and longest RAWORC_TIMEOUT, in seconds.</summary>
    public const double MinTimeoutSeconds = 0.1, MaxTimeoutSeconds = 3600;

    public required RaworcClientOptions Options { get; init; }

    /// <summary>Where the API URL came from: the variable name, the auth file path, or "default".</summary>
    public required string ApiUrlSource { get; init; }

    /// <summary>Where the credentials came from, or null when there are none.</summary>
    public string? CredentialSource { get; init; }

    /// <summary>The CLI auth file that was looked at (whether or not it exists).</summary>
    public required string AuthFilePath { get; init; }

    /// <summary>Problems with the auth file, one line each naming it; the settings were made without the part concerned.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Reads settings from the given variables (the process environment when null).</summary>
    /// <exception cref="FormatException">A variable is malformed or out of range; the message names it.</exception>
    public static RaworcSettings Load(Func<string, string?>? getVariable = null, string? homeDirectory = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getVariable(name) is { Length: > 0 } value ? value.Trim() : null;

        homeDirectory ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string authFile = Path.Combine(homeDirectory, ".raworc", "auth.yaml");
        var warnings = new List<string>();

        string? url = Get(ApiUrlVariable), token = Get(TokenVariable), user = Get(UsernameVariable), password = getVariable(PasswordVariable);
        Uri? envUrl = url is null ? null : ParseUrl(url, ApiUrlVariable);
        if (token is not null && RaworcClient.TokenProblem(token) is { } tokenProblem)
            throw new FormatException($"{TokenVariable} {tokenProblem}; it must be the token alone, printable ASCII without spaces.");
        string? credentialSource = token is not null ? TokenVariable
            : user is not null && !string.IsNullOrEmpty(password) ? $"{UsernameVariable}/{PasswordVariable}"
            : null;

        var cli = envUrl is not null && credentialSource is not null ? null : CliAuthFile.Read(authFile, warnings);

        Uri apiUrl;
        string apiUrlSource;
        if (envUrl is not null)
        {
            apiUrl = envUrl;
            apiUrlSource = ApiUrlVariable;
        }
        else if (cli?.Server is { } server)
        {
            apiUrl = server;
            apiUrlSource = authFile;
        }
        else
        {
            apiUrl = RaworcClientOptions.DefaultApiUrl;
            apiUrlSource = "default";
        }

        if (credentialSource is null && cli?.Token is { } cliToken)
        {
            // The file's token belongs to the file's server (the hosted API when it names none), and goes nowhere else.
            var tokenServer = cli.Server ?? RaworcClientOptions.DefaultApiUrl;
            if (SameApi(tokenServer, apiUrl))
            {
                token = cliToken;
                credentialSource = authFile;
            }
            else
            {
                warnings.Add($"{authFile} holds a token for {Display(tokenServer)}, not for {ApiUrlVariable} ({Display(apiUrl)}): it is not sent there. " +
                    $"Set {TokenVariable} (or {UsernameVariable} and {PasswordVariable}) for that server.");
            }
        }

        var timeout = TimeSpan.FromSeconds(30);
        if (Get(TimeoutVariable) is { } seconds)
        {
            if (!double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ||
                !(value >= MinTimeoutSeconds && value <= MaxTimeoutSeconds))
                throw new FormatException($"{TimeoutVariable} must be a number of seconds from {MinTimeoutSeconds} to {MaxTimeoutSeconds}, got '{seconds}'.");
            timeout = TimeSpan.FromSeconds(value);
        }

        string? usedPassword = string.IsNullOrEmpty(password) ? null : password;
        return new RaworcSettings
        {
            Options = new RaworcClientOptions
            {
                ApiUrl = apiUrl,
                Token = token,
                Username = user,
                Password = usedPassword,
                Timeout = timeout,
            },
            ApiUrlSource = apiUrlSource,
            CredentialSource = credentialSource,
            AuthFilePath = authFile,
            Warnings = warnings,
        };
    }

    /// <summary>A URL as it may be shown: scheme, host, port and path, never a user name or password.</summary>
    public static string Display(Uri url) =>
        url.IsAbsoluteUri ? url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped) : url.OriginalString;

    private static bool SameApi(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0 &&
        string.Equals(a.AbsolutePath.TrimEnd('/'), b.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);

    /// <exception cref="FormatException">Not an http(s) URL, or one carrying a user name or password.</exception>
    private static Uri ParseUrl(string value, string source)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new FormatException($"{source}: '{HideUserInfo(value)}' is not an http(s) URL (expected e.g. https://api.remoteagent.com/api/v0).");
        // HTTP clients do not send URL credentials, and a URL is printed in logs and errors: refuse them outright.
        if (uri.UserInfo.Length > 0)
            throw new FormatException($"{source}: the URL {Display(uri)} carries a user name or password (user:password@), which raworc-mcp " +
                $"never sends nor prints; remove it and use {UsernameVariable} and {PasswordVariable} or {TokenVariable}.");
        return uri;
    }

    /// <summary>A malformed URL with whatever sits between "://" and "@" hidden.</summary>
    private static string HideUserInfo(string value)
    {
        int start = value.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return value;
        int hostEnd = value.IndexOfAny(['/', '?', '#'], start + 3);
        int at = value.LastIndexOf('@', hostEnd < 0 ? value.Length - 1 : hostEnd - 1);
        return at > start ? value[..(start + 3)] + "…@" + value[(at + 1)..] : value;
    }

    private sealed record CliAuthFile(Uri? Server, string? Token)
    {
        /// <summary>The CLI writes a flat mapping; this much nesting is already more than it ever writes.</summary>
        private const int MaxDepth = 4;

        /// <summary>The file's server and token, or null when it is absent or unusable (then a warning says why).</summary>
        public static CliAuthFile? Read(string path, List<string> warnings)
        {
            string? text;
            try
            {
                text = ReadBounded(path, warnings);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                warnings.Add($"{path} could not be read ({e.Message}); it is ignored.");
                return null;
            }
            if (text is null) return null;

            Dictionary<string, string> values;
            try
            {
                values = ParseFlatMapping(text);
            }
            catch (Exception e) when (e is YamlException or FormatException or InvalidOperationException)
            {
                warnings.Add($"{path} is not the YAML the Raworc CLI writes ({OneLine(e.Message)}); it is ignored.");
                return null;
            }

            Uri? server = null;
            if (values.TryGetValue("server", out var serverText))
            {
                try
                {
                    server = ParseUrl(serverText, path);
                }
                catch (FormatException e)
                {
                    warnings.Add($"{e.Message} The file is ignored.");
                    return null;
                }
                // The CLI stores the server root and adds /api/v0 itself.
                if (!server.AbsolutePath.TrimEnd('/').EndsWith("/api/v0", StringComparison.Ordinal))
                    server = new Uri(server.AbsoluteUri.TrimEnd('/') + "/api/v0");
            }

            string? token = values.GetValueOrDefault("token");
            if (token is not null && RaworcClient.TokenProblem(token) is { } problem)
            {
                warnings.Add($"{path}: the token {problem}; it is ignored.");
                token = null;
            }
            return new CliAuthFile(server, token);
        }

        /// <summary>The file's text; null (with a warning when it matters) when it is missing, not a regular file, or too big.</summary>
        private static string? ReadBounded(string path, List<string> warnings)
        {
            var info = new FileInfo(path);
            if (!info.Exists) return null;
            // A FIFO, a device or a socket reports no size; opening a FIFO would block until someone writes to it.
            if (info.Length == 0)
            {
                warnings.Add($"{path} is empty or not a regular file; it is ignored.");
                return null;
            }
            if (info.Length > MaxAuthFileBytes)
            {
                warnings.Add($"{path} is {info.Length:N0} bytes, more than the {MaxAuthFileBytes / 1024} KB a Raworc CLI login file can be; it is ignored.");
                return null;
            }
            if (!OperatingSystem.IsWindows() &&
                (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
                warnings.Add($"{path} holds a token and is readable by other users; restrict it with: chmod 600 {path}");

            var bytes = new byte[MaxAuthFileBytes + 1];
            int total = 0, read;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
                while (total < bytes.Length && (read = stream.Read(bytes, total, bytes.Length - total)) > 0)
                    total += read;
            if (total > MaxAuthFileBytes)
            {
                warnings.Add($"{path} is more than the {MaxAuthFileBytes / 1024} KB a Raworc CLI login file can be; it is ignored.");
                return null;
            }
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, total);
            }
            catch (DecoderFallbackException)
            {
                warnings.Add($"{path} is not UTF-8 text; it is ignored.");
                return null;
            }
        }

        /// <summary>
        /// The scalar values of the top-level mapping, read as a stream of YAML events so that nesting is bounded
        /// (a document tree would recurse once per level). A file that is not a mapping has no values.
        /// </summary>
        private static Dictionary<string, string> ParseFlatMapping(string text)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _)) return values;
            parser.Consume<DocumentStart>();
            if (!parser.TryConsume<MappingStart>(out _))
            {
                SkipNode(parser, 0);
                return values;
            }
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                string? key = parser.TryConsume<Scalar>(out var keyScalar) ? keyScalar.Value : SkipNode(parser, 1);
                if (parser.TryConsume<Scalar>(out var value))
                {
                    if (key is not null && value.Value.Trim() is { Length: > 0 } trimmed) values[key] = trimmed;
                }
                else
                {
                    SkipNode(parser, 1);
                }
            }
            return values;
        }

        /// <summary>Consumes one node of any kind; returns null so a complex key reads as no key.</summary>
        private static string? SkipNode(IParser parser, int depth)
        {
            int open = 0;
            do
            {
                var e = parser.Consume<ParsingEvent>();
                if (e is MappingStart or SequenceStart && depth + ++open > MaxDepth)
                    throw new FormatException($"nested more than {MaxDepth} levels deep");
                if (e is MappingEnd or SequenceEnd) open--;
            }
            while (open > 0);
            return null;
        }

        private static string OneLine(string text) => text.ReplaceLineEndings(" ");
    }
}
