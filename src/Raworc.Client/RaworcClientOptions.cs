namespace Raworc.Client;

/// <summary>How to reach and authenticate to a Raworc API. Build one by hand or with <see cref="RaworcSettings"/>.</summary>
public sealed record RaworcClientOptions
{
    /// <summary>The hosted API; used when neither RAWORC_API_URL nor the CLI's auth file names a server.</summary>
    public static readonly Uri DefaultApiUrl = new("https://api.remoteagent.com/api/v0");

    /// <summary>Base URL including the <c>/api/v0</c> prefix.</summary>
    public Uri ApiUrl { get; init; } = DefaultApiUrl;

    /// <summary>A bearer token (JWT). Used first when set.</summary>
    public string? Token { get; init; }

    /// <summary>Service-account name; with <see cref="Password"/> the client logs in when it has no (valid) token.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Bounds a whole call: login, every attempt and every back-off delay.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many attempts for idempotent calls (GET, PUT, DELETE); POST and PATCH are sent once.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>First back-off delay; doubles per attempt, with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A <c>Retry-After</c> longer than this is not waited for: the error is returned at once.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest response body read (after decompression). A bigger one fails the call with
    /// <see cref="RaworcApiException.Codes.TooLarge"/> as soon as the limit is passed, and is not fetched again.
    /// </summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    /// <summary>Where response bodies claim their bytes while they are read and used: the process's budget unless a test gives its own.</summary>
    public ByteBudget Budget { get; init; } = ByteBudget.Process;

    /// <summary>
    /// 2 MB: eight times what reaches the model (<c>limit</c> and <c>offset</c> page through more), and low enough
    /// that reading, parsing and formatting the largest answer stays a few tens of MB.
    /// </summary>
    public const int DefaultMaxResponseBytes = 2 * 1024 * 1024;

    /// <summary>
    /// The credentials masked in every error message the client writes; the client adds <see cref="Token"/>,
    /// <see cref="Password"/> and each token it obtains by logging in. Share one to mask more (e.g. a per-request token).
    /// </summary>
    public SecretMask Secrets { get; init; } = new();

    /// <summary>Sent as the User-Agent header.</summary>
    public string UserAgent { get; init; } = "Raworc.Client";

    public bool HasCredentials => !string.IsNullOrEmpty(Username) && !string.IsNullOrEmpty(Password);
}
