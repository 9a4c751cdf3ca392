using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Raworc.Tests.Http.SignIn;

/// <summary>
/// Drives sign-in against <see cref="HttpTestHost"/> as a client and a browser would, over raw HTTP: registration,
/// the sign-in page and its form (cookie included), the redirect, and the token endpoint. Raworc's login (WireMock)
/// takes alice / right and answers <see cref="RaworcToken"/>, valid until <see cref="RaworcExpires"/>.
/// </summary>
public sealed partial class SignInDriver : IAsyncDisposable
{
    public const string Issuer = "https://mcp.example.test";
    public const string Resource = Issuer + "/mcp";
    public const string Redirect = "http://127.0.0.1:43117/callback";
    public const string RaworcToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    public static readonly string Keys = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private SignInDriver(HttpTestHost host, SteppingClock clock)
    {
        Host = host;
        Clock = clock;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseUrl };
    }

    public HttpTestHost Host { get; }

    public SteppingClock Clock { get; }

    /// <summary>No redirects followed, no cookies kept: each step is seen as it is.</summary>
    public HttpClient Http { get; }

    public DateTimeOffset RaworcExpires { get; set; }

    /// <param name="flags">More flags after --public-url; <paramref name="environment"/> more variables after the keys.</param>
    public static async Task<SignInDriver> StartAsync(string[]? flags = null, IDictionary<string, string?>? environment = null, bool loginAnswers = true)
    {
        var clock = new SteppingClock { AutoAdvance = false };
        var env = new Dictionary<string, string?> { ["RAWORC_MCP_OAUTH_KEYS"] = Keys };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>()) env[key] = value;
        var host = await HttpTestHost.StartAsync(["--public-url", Issuer, "--rate-limit", "0", .. flags ?? []], env, clock);
        var driver = new SignInDriver(host, clock) { RaworcExpires = clock.GetUtcNow().AddHours(24) };
        if (loginAnswers)
        {
            host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost().WithBody(new JsonMatcher("""{"user":"alice","pass":"right"}""")))
                .AtPriority(1).RespondWith(Response.Create().WithHeader("Content-Type", "application/json").WithBody(_ => JsonSerializer.Serialize(
                    new Dictionary<string, string> { ["token"] = RaworcToken, ["token_type"] = "Bearer", ["expires_at"] = driver.RaworcExpires.ToString("O") })));
            host.Api.Given(Request.Create().WithPath("/api/v0/auth/login").UsingPost()).AtPriority(10)
                .RespondWith(Response.Create().WithStatusCode(401).WithHeader("Content-Type", "application/json").WithBody("""{"error":"invalid credentials"}"""));
        }
        return driver;
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        string verifier = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (verifier, System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(string path, string json)
    {
        var response = await Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    public async Task<string> RegisterAsync(string? name = "Test client", params string[] redirects)
    {
        var registration = new Dictionary<string, object?> { ["client_name"] = name, ["redirect_uris"] = redirects.Length > 0 ? redirects : [Redirect] };
        var (status, body) = await PostJsonAsync("/register", JsonSerializer.Serialize(registration));
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        return body.GetProperty("client_id").GetString()!;
    }

    public static string AuthorizeUrl(string clientId, string challenge, string redirect = Redirect, string? scope = null, string? resource = Resource, string state = "st-1") =>
        "/authorize?" + string.Join('&', new (string, string?)[]
        {
            ("response_type", "code"), ("client_id", clientId), ("redirect_uri", redirect), ("code_challenge", challenge),
            ("code_challenge_method", "S256"), ("state", state), ("scope", scope), ("resource", resource),
        }.Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));

    /// <summary>The sign-in page as a browser gets it.</summary>
    public sealed record Page(HttpResponseMessage Response, string Html, string? Cookie, string? RequestField, string? CsrfField);

    public async Task<Page> GetPageAsync(string url)
    {
        var response = await Http.GetAsync(url);
        string html = await response.Content.ReadAsStringAsync();
        string? cookie = response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.First().Split(';')[0] : null;
        return new Page(response, html, cookie, Hidden(html, "request"), Hidden(html, "csrf"));
    }

    /// <summary>POSTs the sign-in form; null fields are left out.</summary>
    public Task<HttpResponseMessage> SubmitAsync(Page page, string? username = "alice", string? password = "right", string decision = "allow",
        bool readOnly = false, string? cookie = null, bool withCsrf = true)
    {
        var fields = new List<KeyValuePair<string, string>>();
        void Add(string name, string? value)
        {
            if (value is not null) fields.Add(new(name, value));
        }
        Add("request", page.RequestField);
        if (withCsrf) Add("csrf", page.CsrfField);
        Add("username", username);
        Add("password", password);
        Add("decision", decision);
        if (readOnly) Add("read_only", "1");
        var request = new HttpRequestMessage(HttpMethod.Post, "/authorize") { Content = new FormUrlEncodedContent(fields) };
        if ((cookie ?? page.Cookie) is { } sent) request.Headers.Add("Cookie", sent);
        return Http.SendAsync(request);
    }

    /// <summary>The query parameters of a redirect to the client.</summary>
    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Redirect.Split(':')[0], location.ToString());
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }

    /// <summary>A whole sign-in: registration, page, form; returns the client id, the code and the PKCE verifier.</summary>
    public async Task<(string ClientId, string Code, string Verifier)> SignInAsync(string? scope = null, bool readOnly = false)
    {
        string clientId = await RegisterAsync();
        var (verifier, challenge) = Pkce();
        var page = await GetPageAsync(AuthorizeUrl(clientId, challenge, scope: scope));
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        var parameters = RedirectParameters(await SubmitAsync(page, readOnly: readOnly));
        Assert.Equal("st-1", parameters["state"]);
        Assert.Equal(Issuer, parameters["iss"]);
        return (clientId, parameters["code"], verifier);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> TokenAsync(params (string Name, string Value)[] fields)
    {
        var response = await Http.PostAsync("/token", new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> RedeemAsync(string clientId, string code, string verifier) =>
        TokenAsync(("grant_type", "authorization_code"), ("client_id", clientId), ("code", code), ("code_verifier", verifier), ("redirect_uri", Redirect), ("resource", Resource));

    public Task<(HttpStatusCode Status, JsonElement Body)> RefreshAsync(string clientId, string refreshToken, string? scope = null) =>
        scope is null
            ? TokenAsync(("grant_type", "refresh_token"), ("client_id", clientId), ("refresh_token", refreshToken))
            : TokenAsync(("grant_type", "refresh_token"), ("client_id", clientId), ("refresh_token", refreshToken), ("scope", scope));

    /// <summary>Signed in and redeemed: the token response.</summary>
    public async Task<(string ClientId, JsonElement Tokens)> TokensAsync(string? scope = null, bool readOnly = false)
    {
        var (clientId, code, verifier) = await SignInAsync(scope, readOnly);
        var (status, body) = await RedeemAsync(clientId, code, verifier);
        Assert.True(status == HttpStatusCode.OK, body.ToString());
        return (clientId, body);
    }

    /// <summary>One bit of <paramref name="sealedText"/> flipped, the text still well-formed base64url.</summary>
    public static string FlipOneBit(string sealedText, int bit = 200)
    {
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(sealedText);
        bytes[bit / 8 % bytes.Length] ^= (byte)(1 << (bit % 8));
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    private static string? Hidden(string html, string name) =>
        HiddenField().Matches(html).FirstOrDefault(m => m.Groups[1].Value == name)?.Groups[2].Value is { } value ? WebUtility.HtmlDecode(value) : null;

    [GeneratedRegex("<input type=\"hidden\" name=\"([a-z]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenField();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
