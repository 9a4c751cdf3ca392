using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Raworc.Client;

/// <summary>
/// The one exception the client throws for a failed call: an HTTP error answered by the API, a transport failure
/// (<see cref="StatusCode"/> is null), a timeout, a response that cannot be read, or missing credentials.
/// Messages never contain tokens, passwords or secret values.
/// </summary>
public sealed class RaworcApiException : Exception
{
    /// <summary>Error codes the client itself assigns when the API gave none.</summary>
    public static class Codes
    {
        public const string Network = "NETWORK_ERROR";
        public const string Timeout = "TIMEOUT";
        public const string InvalidResponse = "INVALID_RESPONSE";
        public const string NotConfigured = "NOT_CONFIGURED";
        public const string Http = "HTTP_ERROR";

        /// <summary>A password change was refused because the current password given is wrong.</summary>
        public const string WrongCurrentPassword = "WRONG_CURRENT_PASSWORD";
        public const string TooLarge = "RESPONSE_TOO_LARGE";
        public const string Redirect = "REDIRECT_REFUSED";

        /// <summary>This server's own memory budget was spent by other answers for the whole timeout; retrying is safe.</summary>
        public const string Busy = "SERVER_BUSY";
    }

    public RaworcApiException(int? statusCode, string errorCode, string message, string operation, Exception? inner = null)
        : base(message, inner)
    {
        StatusCode = statusCode;
        ErrorCode = errorCode;
        Operation = operation;
    }

    /// <summary>HTTP status, or null when no response was received.</summary>
    public int? StatusCode { get; }

    /// <summary>The API's error code (e.g. <c>NOT_FOUND</c>) or one of <see cref="Codes"/>.</summary>
    public string ErrorCode { get; }

    /// <summary>The call that failed, e.g. <c>GET spaces/default</c>.</summary>
    public string Operation { get; }

    /// <summary>The failure an error response describes; <paramref name="secrets"/> are masked in what the API wrote.</summary>
    internal static RaworcApiException FromResponse(string operation, ApiResponse response, SecretMask secrets)
    {
        var (code, message) = DescribeFailure(response);
        return new RaworcApiException(response.Status, code, secrets.Apply(message), operation);
    }

    private static (string Code, string Message) DescribeFailure(ApiResponse response)
    {
        var body = response.Body;
        if (body.Length > 0 && TryReadEnvelope(body, out var code, out var message))
            return (code, message);

        string text = body.Length == 0 ? "" : Encoding.UTF8.GetString(body).Trim();
        if (text.Length == 0)
        {
            return (response.Status switch { 401 => "UNAUTHORIZED", 404 => "NOT_FOUND", _ => Codes.Http }, response.Status switch
            {
                401 => "the token is missing, invalid or expired",
                403 => "the credentials are not allowed to do this",
                404 => "no such route on the server (check that RAWORC_API_URL ends in /api/v0)",
                405 => "the server does not allow this method on this route",
                408 => "the server timed out waiting for the request",
                429 => "too many requests",
                500 => "internal server error",
                502 => "bad gateway",
                503 => "the service is unavailable",
                504 => "the gateway timed out",
                _ => $"HTTP {response.Status} with an empty body",
            });
        }

        if (LooksLikeHtml(response.ContentType, text))
            return (Codes.Http, $"HTTP {response.Status}: the server answered with an HTML page instead of the Raworc API's JSON (a proxy, gateway or wrong RAWORC_API_URL?)");

        // Framework rejections (400/415/422) come as plain text, e.g. "Failed to deserialize the JSON body ...".
        return (response.Status == 422 ? "UNPROCESSABLE_ENTITY" : Codes.Http, Truncate(text, MaxQuotedLength));
    }

    private static bool TryReadEnvelope(byte[] body, out string code, out string message)
    {
        code = message = "";
        try
        {
            var envelope = JsonSerializer.Deserialize(body, RaworcJsonContext.Default.ErrorEnvelope);
            if (envelope?.Error is { Message.Length: > 0 } error)
            {
                code = string.IsNullOrEmpty(error.Code) ? Codes.Http : error.Code;
                message = Truncate(error.Message, MaxQuotedLength);
                return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    /// <summary>The most of an API's error text quoted in a message.</summary>
    private const int MaxQuotedLength = 500;

    internal static bool LooksLikeHtml(string? contentType, string text) =>
        contentType is "text/html" || text.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) ||
        text.StartsWith("<html", StringComparison.OrdinalIgnoreCase);

    internal static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>A fully read HTTP response; read inside the resilience pipeline so a body cut mid-way can be retried.</summary>
internal sealed record ApiResponse(int Status, byte[] Body, string? ContentType, TimeSpan? RetryAfter)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? header)
    {
        if (header is null) return null;
        if (header.Delta is { } delta) return delta;
        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
