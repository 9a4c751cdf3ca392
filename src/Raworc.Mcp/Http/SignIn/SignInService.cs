using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Raworc.Client;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// Sign in once (<c>--public-url</c>): this server is its own OAuth 2.1 authorization server in front of Raworc's
/// <c>POST /auth/login</c>, and /mcp a resource server that takes only the access tokens it issued. Nothing is stored:
/// client ids, codes and tokens carry their state sealed with <see cref="SealingKeys"/>, so any replica holding the
/// same keys serves any step. What each endpoint does is in its own file; this holds what they share.
/// </summary>
internal sealed class SignInService : IDisposable
{
    public const string ProtectedResourcePath = "/.well-known/oauth-protected-resource";
    public const string AuthorizationServerPath = "/.well-known/oauth-authorization-server";
    public const string OpenIdConfigurationPath = "/.well-known/openid-configuration";
    public const string AuthorizePath = "/authorize";
    public const string TokenPath = "/token";
    public const string RegisterPath = "/register";

    /// <summary>How long a code may wait for its exchange.</summary>
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(60);

    /// <summary>How long the sign-in page may stay open before its form expires.</summary>
    public static readonly TimeSpan FormLifetime = TimeSpan.FromMinutes(10);

    /// <summary>What a Raworc token is assumed to last when the login response does not say (Raworc's own 24 hours).</summary>
    public static readonly TimeSpan AssumedRaworcLifetime = TimeSpan.FromHours(24);

    public SignInService(RaworcServer raworc, TimeProvider clock, ILogger logger)
    {
        var settings = raworc.Configuration.Http;
        Issuer = settings.PublicUrl ?? throw new InvalidOperationException("sign-in needs a public URL");
        Resource = Issuer + HttpSettings.McpPath;
        Settings = settings;
        Configuration = raworc.Configuration;
        Api = raworc.Client;
        Grants = new SealedGrants(settings.Keys);
        Clock = clock;
        Logger = logger;
        UsedOnce = new UsedOnce(clock);
        NeededLevels = raworc.Tools.ToDictionary(t => t.Name, t => SignInScopes.Needed(t.Definition.Effect), StringComparer.Ordinal);
    }

    /// <summary>The public URL, without a trailing slash.</summary>
    public string Issuer { get; }

    /// <summary>The one audience of this server's access tokens: <c>{Issuer}/mcp</c>.</summary>
    public string Resource { get; }

    public string ResourceMetadataUrl => Issuer + ProtectedResourcePath + HttpSettings.McpPath;

    public HttpSettings Settings { get; }

    public ServerConfiguration Configuration { get; }

    public RaworcClient Api { get; }

    public SealedGrants Grants { get; }

    public TimeProvider Clock { get; }

    public ILogger Logger { get; }

    public UsedOnce UsedOnce { get; }

    public SignInAttempts Attempts { get; } = new();

    /// <summary>The scope level each offered tool needs.</summary>
    public IReadOnlyDictionary<string, int> NeededLevels { get; }

    public long Now => Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The paths sign-in answers (not /mcp): they take no Origin check of their own, CORS or a CSRF token instead.</summary>
    public static bool Owns(PathString path) =>
        path.StartsWithSegments("/.well-known") || path == AuthorizePath || path == TokenPath || path == RegisterPath;

    public void Map(WebApplication app)
    {
        var metadata = new SignInMetadata(this);
        var registration = new ClientRegistrationEndpoint(this);
        var authorize = new AuthorizeEndpoint(this);
        var token = new TokenEndpoint(this);
        app.MapMethods(ProtectedResourcePath + HttpSettings.McpPath, ["GET", "OPTIONS"], SignInCors.Wrap(metadata.ProtectedResourceAsync));
        app.MapMethods(ProtectedResourcePath, ["GET", "OPTIONS"], SignInCors.Wrap(metadata.ProtectedResourceAsync));
        app.MapMethods(AuthorizationServerPath, ["GET", "OPTIONS"], SignInCors.Wrap(metadata.AuthorizationServerAsync));
        app.MapMethods(OpenIdConfigurationPath, ["GET", "OPTIONS"], SignInCors.Wrap(metadata.AuthorizationServerAsync));
        app.MapMethods(RegisterPath, ["POST", "OPTIONS"], SignInCors.Wrap(registration.RegisterAsync));
        app.MapMethods(TokenPath, ["POST", "OPTIONS"], SignInCors.Wrap(token.ExchangeAsync));
        app.MapGet(AuthorizePath, authorize.ShowAsync);
        app.MapPost(AuthorizePath, authorize.SubmitAsync);
    }

    /// <summary>Writes a JSON body with <paramref name="write"/> filling one object; never cached.</summary>
    public static Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }
        return context.Response.Body.WriteAsync(buffer.WrittenMemory).AsTask();
    }

    /// <summary>An OAuth error (RFC 6749 §5.2 shape).</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string error, string description) =>
        WriteJsonAsync(context, status, json =>
        {
            json.WriteString("error", error);
            json.WriteString("error_description", description);
        });

    public void Dispose() => Attempts.Dispose();
}
