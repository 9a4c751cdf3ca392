using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http;

/// <summary>
/// Who a request comes from, for the limits kept per caller: a digest of its bearer token as parsed (the scheme's case
/// and the spacing around it make no new caller), else its client address. Behind a proxy or ingress the client
/// address is the proxy's, so requests without a token share one budget there.
/// </summary>
internal static class CallerKey
{
    public static string Of(HttpContext context) =>
        CallerCredentials.Problem(context.Request.Headers.Authorization, out string token) is null
            ? "t:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)), 0, 16)
            : "a:" + context.Connection.RemoteIpAddress;
}
