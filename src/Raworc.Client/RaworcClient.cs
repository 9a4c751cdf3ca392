using System.Buffers;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Raworc.Client;

/// <summary>
/// A typed client for the Raworc REST API v0 (server 0.3.0). One method per API operation, grouped by area in the
/// partial files beside this one. Every failure surfaces as <see cref="RaworcApiException"/>. Every operation is
/// written async/await, so that a bad argument (a name that is no safe path segment) fails the returned task
/// rather than the call itself.
/// </summary>
/// <remarks>
/// Idempotent calls (GET, PUT, DELETE) are retried on network errors and 408/429/502/503/504 with exponential
/// back-off and jitter, honouring <c>Retry-After</c>; POST and PATCH are never replayed. The configured timeout
/// bounds the whole call. With a username and password the client logs in on first need and once more on a 401.
/// </remarks>
public sealed partial class RaworcClient : IDisposable
{
    private static readonly HashSet<int> TransientStatuses = [408, 429, 502, 503, 504];

    private readonly HttpClient _http;
    private readonly RaworcClientOptions _options;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _timeout;
    private readonly ResiliencePipeline<ApiResponse> _retry;
    private readonly SemaphoreSlim _loginLock = new(1, 1);
    private readonly AsyncLocal<Caller?> _caller = new();
    private volatile string? _token;

    /// <param name="options">Where and how to connect.</param>
    /// <param name="logger">Receives one line per call (method, path, status, time) at Debug; never bodies or headers.</param>
    /// <param name="handler">The HTTP handler; by default one that honours HTTPS_PROXY/HTTP_PROXY/NO_PROXY.</param>
    public RaworcClient(RaworcClientOptions options, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _token = string.IsNullOrEmpty(options.Token) ? null : options.Token;
        options.Secrets.Add(options.Token);
        // A password equal to the user name would mask the name everywhere it is shown, and hides nothing.
        if (options.Password != options.Username) options.Secrets.Add(options.Password);
        options.Secrets.AddContextual(() => _caller.Value?.Token);

        // Relative paths resolve under the base only when it ends in '/'.
        var baseUri = options.ApiUrl.AbsoluteUri.EndsWith('/') ? options.ApiUrl : new Uri(options.ApiUrl.AbsoluteUri + "/");
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = System.Net.DecompressionMethods.All,
            // Redirects are followed by SendOnceAsync, within the API's own origin only.
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseUri,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // the Polly timeout bounds each call
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.TryParseAdd(options.UserAgent);

        _timeout = new ResiliencePipelineBuilder().AddTimeout(options.Timeout).Build();
        // Polly's retry strategy needs at least one retry: a single attempt is no strategy at all.
        _retry = options.MaxAttempts <= 1 ? ResiliencePipeline<ApiResponse>.Empty : new ResiliencePipelineBuilder<ApiResponse>()
            .AddRetry(new RetryStrategyOptions<ApiResponse>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: HttpRequestException or IOException } => true,
                    { Result: { } r } => TransientStatuses.Contains(r.Status) && !(r.RetryAfter > options.MaxRetryAfter),
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
                OnRetry = args =>
                {
                    string why = args.Outcome.Exception is { } e ? e.GetType().Name : $"HTTP {args.Outcome.Result!.Status}";
                    _logger.LogInformation("Retrying after {Reason} (attempt {Attempt} of {Max}) in {Delay} ms",
                        why, args.AttemptNumber + 2, options.MaxAttempts, (int)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>The API base URL this client talks to.</summary>
    public Uri ApiUrl => _options.ApiUrl;

    /// <summary>The credentials this client knows, to be masked in any text that leaves the process.</summary>
    public SecretMask Secrets => _options.Secrets;

    /// <summary>How many redirects within the API's origin one request may follow.</summary>
    public const int MaxRedirects = 5;

    public void Dispose()
    {
        _http.Dispose();
        _loginLock.Dispose();
    }

    // ---- request helpers used by the per-area files ----

    internal Task<T> GetAsync<T>(string path, JsonTypeInfo<T> responseType, CancellationToken ct, bool authenticated = true) =>
        ExecuteAsync(HttpMethod.Get, path, null, authenticated, response => Read(response, responseType, HttpMethod.Get, path), ct);

    internal Task<T> SendAsync<TBody, T>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType,
        JsonTypeInfo<T> responseType, CancellationToken ct, bool authenticated = true) =>
        ExecuteAsync(method, path, JsonSerializer.SerializeToUtf8Bytes(body, bodyType), authenticated, response => Read(response, responseType, method, path), ct);

    internal Task<T> SendAsync<T>(HttpMethod method, string path, JsonTypeInfo<T> responseType, CancellationToken ct) =>
        ExecuteAsync(method, path, null, true, response => Read(response, responseType, method, path), ct);

    /// <summary>A call whose success has no payload: any body is ignored.</summary>
    internal Task SendAsync(HttpMethod method, string path, CancellationToken ct, bool authenticated = true) =>
        ExecuteAsync(method, path, null, authenticated, static _ => true, ct);

    /// <summary>A call whose success has no payload: any body is ignored.</summary>
    internal Task SendAsync<TBody>(HttpMethod method, string path, TBody body, JsonTypeInfo<TBody> bodyType, CancellationToken ct) =>
        ExecuteAsync(method, path, JsonSerializer.SerializeToUtf8Bytes(body, bodyType), true, static _ => true, ct);

    /// <summary>Escapes a name or id as exactly one path segment; rejects values that cannot be one.</summary>
    internal static string Segment(string? value, string what) =>
        SegmentProblem(value, what) is { } problem
            ? throw new ArgumentException(problem)
            // EscapeDataString escapes '/', '?', '#', '%' and every non-ASCII character, so the value stays one segment.
            : Uri.EscapeDataString(value!);

    /// <summary>Why a name or id cannot be one URL path segment, or null when it can. Quotes the value only when it is short.</summary>
    public static string? SegmentProblem(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
            return $"The {what} must not be empty.";
        if (value is "." or "..")
            return $"'{value}' is not a valid {what}.";
        if (value.Length > MaxSegmentLength)
            return $"The {what} is {value.Length} characters long; the limit is {MaxSegmentLength}.";
        return null;
    }

    /// <summary>
    /// Why no Raworc space can have this name, or null when one can: Raworc creates spaces only with names of letters,
    /// digits, '_', '.' and '-'. Never quotes the name (it may be made to mislead); points at the first character
    /// that does not fit.
    /// </summary>
    public static string? SpaceNameProblem(string name)
    {
        if (SegmentProblem(name, "space name") is { } problem) return problem;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '.' or '-'))
                return $"No Raworc space can have this name: space names hold only letters, digits, '_', '.' and '-', and character {i + 1} is U+{(int)c:X4}.";
        }
        return null;
    }

    /// <summary>
    /// Why a token cannot be sent as <c>Authorization: Bearer</c> (it must be printable ASCII without spaces), or null
    /// when it can. Never quotes the token.
    /// </summary>
    public static string? TokenProblem(string token)
    {
        for (int i = 0; i < token.Length; i++)
        {
            char c = token[i];
            if (c is '\r' or '\n') return $"contains a line break (at character {i + 1})";
            if (c is ' ' or '\t') return $"contains a space (at character {i + 1})";
            if (c < '!' || c > '~') return $"contains a character that cannot be sent in an HTTP header (at character {i + 1})";
        }
        return token.Length == 0 ? "is empty" : null;
    }

    /// <summary>Longest name or id accepted in a URL path.</summary>
    public const int MaxSegmentLength = 1024;

    internal static string Query(string path, params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? path : $"{path}?{string.Join('&', present)}";
    }

    // ---- the pipeline ----

    /// <summary>Runs the call and reads its response within RAWORC_TIMEOUT: sending, retries, the body and its parsing.</summary>
    /// <param name="checksPassword">The call checks a password of its own: a 401 may mean that password is wrong, not the token.</param>
    private async Task<T> ExecuteAsync<T>(HttpMethod method, string path, byte[]? body, bool authenticated, Func<ApiResponse, T> read,
        CancellationToken ct, bool checksPassword = false)
    {
        string operation = $"{method.Method} {path}";
        // A caller's own scope (a whole tool call) holds a large response's gate until it is done; else this call's.
        using var scope = LargeResponseGate.BeginScope();
        try
        {
            return await _timeout.ExecuteAsync(
                async token => read(await ExecuteAuthenticatedAsync(method, path, body, authenticated, checksPassword, operation, token).ConfigureAwait(false)),
                ct).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e) when (LargeResponseGate.CurrentWasCutWhileWaiting)
        {
            throw new RaworcApiException(null, RaworcApiException.Codes.Busy,
                $"this server was busy reading other large answers and could not read this one within {_options.Timeout.TotalSeconds:0.#} s (RAWORC_TIMEOUT); the Raworc API answered, nothing was changed by the wait, and the call can simply be made again",
                operation, e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new RaworcApiException(null, RaworcApiException.Codes.Timeout,
                $"no answer from the Raworc API at {_options.ApiUrl} within {_options.Timeout.TotalSeconds:0.#} s (RAWORC_TIMEOUT)", operation, e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            throw new RaworcApiException(null, RaworcApiException.Codes.Network,
                $"could not reach the Raworc API at {_options.ApiUrl}: {_options.Secrets.Apply(Describe(e))}", operation, e);
        }
    }

    private async Task<ApiResponse> ExecuteAuthenticatedAsync(HttpMethod method, string path, byte[]? body, bool authenticated,
        bool checksPassword, string operation, CancellationToken ct)
    {
        string? token = authenticated ? await GetTokenAsync(operation, ct).ConfigureAwait(false) : null;
        var response = await SendWithRetriesAsync(method, path, body, token, ct).ConfigureAwait(false);

        // The API answers a wrong password and a rejected token alike; a token that still reads auth/me was not the problem.
        if (response.Status == 401 && checksPassword && token is not null &&
            (await SendOnceAsync(HttpMethod.Get, "auth/me", null, token, ct).ConfigureAwait(false)).IsSuccess)
            throw WrongCurrentPassword(operation);

        // A 401 means the request was not processed, so even a POST may be sent again with a fresh token.
        if (response.Status == 401 && authenticated && _options.HasCredentials && _caller.Value is null)
        {
            token = await RefreshTokenAsync(token, operation, ct).ConfigureAwait(false);
            response = await SendWithRetriesAsync(method, path, body, token, ct).ConfigureAwait(false);
            if (response.Status == 401 && checksPassword) throw WrongCurrentPassword(operation); // the token is fresh
        }

        if (authenticated && _caller.Value is { } caller) CallerTokenChecked?.Invoke(caller.Key, response.Status != 401);
        if (response.Status == 401 && authenticated && _caller.Value is not null)
            throw new RaworcApiException(401, RaworcApiException.FromResponse(operation, response, _options.Secrets).ErrorCode,
                "the caller's bearer token was rejected (invalid or expired)", operation);
        if (!response.IsSuccess)
            throw RaworcApiException.FromResponse(operation, response, _options.Secrets);
        return response;
    }

    private static RaworcApiException WrongCurrentPassword(string operation) =>
        new(401, RaworcApiException.Codes.WrongCurrentPassword, "the current password is wrong; nothing was changed", operation);

    private ValueTask<ApiResponse> SendWithRetriesAsync(HttpMethod method, string path, byte[]? body, string? token, CancellationToken ct)
    {
        bool idempotent = method == HttpMethod.Get || method == HttpMethod.Put || method == HttpMethod.Delete;
        return idempotent
            ? _retry.ExecuteAsync(static (state, t) => state.self.SendOnceAsync(state.method, state.path, state.body, state.token, t),
                (self: this, method, path, body, token), ct)
            : SendOnceAsync(method, path, body, token, ct);
    }

    private async ValueTask<ApiResponse> SendOnceAsync(HttpMethod method, string path, byte[]? body, string? token, CancellationToken ct)
    {
        string operation = $"{method.Method} {path}";
        var target = new Uri(_http.BaseAddress!, path);
        long started = Stopwatch.GetTimestamp();
        for (int redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(method, target);
            if (token is not null)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(body);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            if (status is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                target = CheckRedirect(status, method, target, location, redirects, operation);
                continue;
            }

            byte[] bytes = await ReadBodyAsync(response, operation, ct).ConfigureAwait(false);
            _logger.LogDebug("{Method} {Path} -> {Status} in {Elapsed} ms", method.Method, path, status,
                (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return new ApiResponse(status, bytes, response.Content.Headers.ContentType?.MediaType,
                ApiResponse.ReadRetryAfter(response.Headers.RetryAfter));
        }
    }

    /// <summary>
    /// Where a redirect may be followed: only within the API's own origin (scheme, host and port), so that neither a
    /// token nor a login body ever reaches another server; and only keeping the method (307, 308, or any for a GET).
    /// </summary>
    private Uri CheckRedirect(int status, HttpMethod method, Uri from, Uri location, int redirects, string operation)
    {
        var next = location.IsAbsoluteUri ? location : new Uri(from, location);
        var api = _http.BaseAddress!;
        string? refusal =
            next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps ? $"to a {next.Scheme}: URL"
            : Uri.Compare(next, api, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0
                ? $"to another origin ({next.Scheme}://{next.Authority}) than the API's ({api.Scheme}://{api.Authority})"
            : status is 301 or 302 or 303 && method != HttpMethod.Get ? $"with HTTP {status}, which would turn the {method.Method} into a GET"
            : redirects >= MaxRedirects ? $"more than {MaxRedirects} times"
            : null;
        if (refusal is null) return next;
        throw new RaworcApiException(status, RaworcApiException.Codes.Redirect,
            $"the API redirected {operation} {refusal}; raworc-mcp follows redirects only within the API's origin (same scheme, host and port) and sent nothing there. Set RAWORC_API_URL to the API's final address",
            operation);
    }

    /// <summary>Reads the body up to <see cref="RaworcClientOptions.MaxResponseBytes"/>, and not a byte more.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, string operation, CancellationToken ct)
    {
        int max = _options.MaxResponseBytes;
        RaworcApiException TooLarge(string size) => new((int)response.StatusCode, RaworcApiException.Codes.TooLarge,
            $"the API's response is {size}, over the {max / 1024.0 / 1024:0.#} MB raworc-mcp reads; it was not read further", operation);

        long? declared = response.Content.Headers.ContentLength;
        if (declared > max) throw TooLarge($"{declared:N0} bytes");
        using var claims = LargeResponseGate.StartRead(_options.Budget, CallerKey ?? "");
        if (declared > LargeResponseGate.LargeResponseBytes) await claims.ClaimThroughGateAsync(declared.Value, ct).ConfigureAwait(false);
        else await claims.ClaimAsync(declared ?? LargeResponseGate.UnknownLengthReservation, ct).ConfigureAwait(false);

        using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        if (declared is { } length)
        {
            // The usual case: one exact buffer. A body cut short throws EndOfStreamException, an IOException, retried like a reset.
            var body = new byte[length];
            await stream.ReadExactlyAsync(body, ct).ConfigureAwait(false);
            return body;
        }

        // Chunked or decompressed: the size is known only at the end, so it is checked and claimed as the bytes come.
        var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                long grown = buffer.Length + read;
                if (grown > max) throw TooLarge($"more than {max:N0} bytes");
                if (buffer.Length <= LargeResponseGate.LargeResponseBytes && grown > LargeResponseGate.LargeResponseBytes)
                    await claims.EnterGateAsync(ct).ConfigureAwait(false);
                if (grown > claims.Claimed) await claims.GrowAsync(grown - claims.Claimed, ct).ConfigureAwait(false);
                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        claims.Finish(buffer.Length);
        return buffer.ToArray();
    }

    private static T Read<T>(ApiResponse response, JsonTypeInfo<T> type, HttpMethod method, string path)
    {
        string operation = $"{method.Method} {path}";
        if (response.Body.Length == 0)
            throw new RaworcApiException(response.Status, RaworcApiException.Codes.InvalidResponse,
                $"HTTP {response.Status} with an empty body where JSON was expected", operation);
        try
        {
            return JsonSerializer.Deserialize(response.Body, type)
                ?? throw new JsonException("the body is the JSON literal null");
        }
        catch (JsonException e)
        {
            // The start is enough to recognise a page; decoding all of a large body would double it in memory.
            string text = System.Text.Encoding.UTF8.GetString(response.Body.AsSpan(0, Math.Min(response.Body.Length, 1024))).TrimStart();
            string what = RaworcApiException.LooksLikeHtml(response.ContentType, text)
                ? "an HTML page instead of JSON (a proxy, gateway or wrong RAWORC_API_URL?)"
                : $"a body that is not the expected JSON ({e.Message})";
            throw new RaworcApiException(response.Status, RaworcApiException.Codes.InvalidResponse,
                $"HTTP {response.Status} with {what}", operation, e);
        }
    }

    private static string Describe(Exception e)
    {
        // HttpRequestException often says "see inner exception"; the inner one names the real cause.
        var messages = new List<string>();
        for (var current = e; current is not null && messages.Count < 3; current = current.InnerException)
            if (!messages.Any(m => m.Contains(current.Message, StringComparison.Ordinal)))
                messages.Add(current.Message.TrimEnd('.'));
        return string.Join(": ", messages);
    }

    // ---- authentication ----

    /// <summary>
    /// Makes the calls of the current async flow (one request of a remote caller) carry <paramref name="token"/>
    /// instead of this client's own credentials, until the returned scope is disposed. Other flows are not affected,
    /// so concurrent callers never share a token. A caller's 401 is reported as is: there is no login to retry with.
    /// </summary>
    /// <exception cref="ArgumentException">The token is empty or cannot be sent in a header.</exception>
    public IDisposable ActAs(string token)
    {
        if (TokenProblem(token) is { } problem)
            throw new ArgumentException($"The bearer token {problem}.", nameof(token));
        var previous = _caller.Value;
        _caller.Value = new Caller(token);
        return new CallerScope(_caller, previous);
    }

    /// <summary>
    /// Identifies whose credentials the current flow's calls carry, for keys of per-caller caches: null for this
    /// client's own credentials, else a digest of the caller's token (never the token itself).
    /// </summary>
    public string? CallerKey => _caller.Value?.Key;

    /// <summary>The digest by which a token is known to caches and limits: 32 hex digits of its SHA-256, never the token.</summary>
    public static string TokenKey(string token) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), 0, 16);

    /// <summary>
    /// Raised when the API answers a call made with a caller's token (<see cref="ActAs"/>): with the token's
    /// <see cref="TokenKey"/> and whether the API accepted it (anything but 401). A shared server uses it to stop
    /// forwarding tokens the API has just rejected.
    /// </summary>
    public event Action<string, bool>? CallerTokenChecked;

    private sealed class Caller(string token)
    {
        public string Token { get; } = token;

        public string Key => field ??= TokenKey(Token);
    }

    private sealed class CallerScope(AsyncLocal<Caller?> slot, Caller? previous) : IDisposable
    {
        public void Dispose() => slot.Value = previous;
    }

    private async ValueTask<string> GetTokenAsync(string operation, CancellationToken ct)
    {
        if (_caller.Value is { } caller) return caller.Token;
        if (_token is { } token) return token;
        if (!_options.HasCredentials)
            throw new RaworcApiException(null, RaworcApiException.Codes.NotConfigured,
                "no Raworc credentials are configured: set RAWORC_AUTH_TOKEN, or RAWORC_USERNAME and RAWORC_PASSWORD, or log in with the Raworc CLI (raworc auth)",
                operation);
        return await RefreshTokenAsync(null, operation, ct).ConfigureAwait(false);
    }

    /// <summary>Logs in unless another caller already replaced <paramref name="rejected"/> with a newer token.</summary>
    private async Task<string> RefreshTokenAsync(string? rejected, string operation, CancellationToken ct)
    {
        await _loginLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_token is { } current && current != rejected) return current;
            _logger.LogInformation("Logging in to {ApiUrl} as {User}", _options.ApiUrl, _options.Username);
            try
            {
                var login = await LoginCoreAsync(_options.Username!, _options.Password!, ct).ConfigureAwait(false);
                // Without this check a 200 lacking "token" would be sent on as "Authorization: Bearer" with no token.
                if (string.IsNullOrWhiteSpace(login.Token))
                    throw new RaworcApiException(200, RaworcApiException.Codes.InvalidResponse,
                        "the login response has no token", operation);
                _options.Secrets.Add(login.Token);
                if (TokenProblem(login.Token) is { } problem)
                    throw new RaworcApiException(200, RaworcApiException.Codes.InvalidResponse,
                        $"the login response's token {problem}", operation);
                _token = login.Token;
                return login.Token;
            }
            catch (RaworcApiException e) when (e.StatusCode == 401)
            {
                throw new RaworcApiException(401, e.ErrorCode,
                    $"logging in as '{_options.Username}' (to {operation}) failed ({e.Message}): check RAWORC_USERNAME and RAWORC_PASSWORD", e.Operation, e);
            }
        }
        finally
        {
            _loginLock.Release();
        }
    }
}
