using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http;

namespace Raworc.Mcp.Http.SignIn;

/// <summary>
/// The sign-in page and its error pages: plain HTML, no script, one inline style allowed by its hash, readable from a
/// phone to a desktop. Everything a client chose (its name, its redirect) is HTML-encoded.
/// </summary>
internal static class SignInPage
{
    /// <summary>What the page shows and posts.</summary>
    public sealed record Form(string? ClientName, string Destination, bool OnThisComputer, int Level, string Request, string FormToken);

    private const string Style = """
        *{box-sizing:border-box}
        body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;padding:24px 16px;background:#f4f5f7;color:#1d2330;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        main{width:100%;max-width:420px;background:#fff;border:1px solid #e1e4ea;border-radius:12px;padding:28px 24px;box-shadow:0 1px 3px rgba(20,30,50,.06)}
        .brand{font-weight:700;letter-spacing:.02em;color:#3b4a6b;font-size:14px;text-transform:uppercase;margin:0 0 16px}
        h1{font-size:22px;line-height:1.3;margin:0 0 12px}
        p{margin:0 0 12px}
        .app{font-weight:600;overflow-wrap:anywhere}
        .access{background:#f4f6fb;border-radius:8px;padding:12px 14px;margin:16px 0}
        .access strong{display:block;font-size:14px;color:#3b4a6b}
        label{display:block;font-weight:600;font-size:14px;margin:14px 0 6px}
        input[type=text],input[type=password]{width:100%;padding:11px 12px;font:inherit;border:1px solid #c5cad5;border-radius:8px;background:#fff;color:inherit}
        input:focus{outline:2px solid #2f5bd3;outline-offset:1px;border-color:#2f5bd3}
        .check{display:flex;gap:10px;align-items:flex-start;font-weight:400;margin:16px 0 4px}
        .check input{margin-top:5px;width:18px;height:18px}
        .buttons{display:flex;gap:12px;margin-top:22px}
        button{flex:1;padding:12px;font:inherit;font-weight:600;border-radius:8px;cursor:pointer;border:1px solid #2f5bd3}
        .allow{background:#2f5bd3;color:#fff}
        .cancel{background:#fff;color:#2f5bd3}
        .error{background:#fdecec;border:1px solid #f3b9b9;color:#8a1c1c;border-radius:8px;padding:10px 12px;margin:0 0 14px}
        .note{font-size:13px;color:#5b6577;margin:18px 0 0}
        """;

    private static readonly string StyleHash = "'sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style))) + "'";

    /// <summary>The sign-in form, with <paramref name="message"/> above it after a failed attempt.</summary>
    public static Task ShowFormAsync(HttpContext context, int status, Form form, string formAction, string? message = null)
    {
        var html = new StringBuilder();
        string app = form.ClientName is null ? "An application that gave no name" : Encode(form.ClientName);
        html.Append("<p class=\"brand\">Raworc</p><h1>Sign in to allow access</h1>");
        if (message is not null) html.Append("<p class=\"error\" role=\"alert\">").Append(Encode(message)).Append("</p>");
        html.Append("<p><span class=\"app\">").Append(app).Append("</span> wants to use your Raworc account.</p>");
        html.Append("<div class=\"access\"><strong>It asks to</strong>").Append(Encode(SignInScopes.Describe(form.Level))).Append(".</div>");
        html.Append("<p>After you sign in you will be sent back to <span class=\"app\">").Append(Encode(form.Destination)).Append("</span>")
            .Append(form.OnThisComputer ? " (an application on this computer)" : "").Append(".</p>");
        html.Append("<form method=\"post\" action=\"/authorize\">");
        html.Append("<input type=\"hidden\" name=\"request\" value=\"").Append(Encode(form.Request)).Append("\">");
        html.Append("<input type=\"hidden\" name=\"csrf\" value=\"").Append(Encode(form.FormToken)).Append("\">");
        html.Append("<label for=\"username\">Raworc account</label><input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" required autofocus>");
        html.Append("<label for=\"password\">Password</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>");
        if (form.Level > 1)
            html.Append("<label class=\"check\"><input type=\"checkbox\" name=\"read_only\" value=\"1\"><span>Read-only access: let it read, but not change anything</span></label>");
        // Allow first: Enter in a field submits with the first button.
        html.Append("<div class=\"buttons\"><button type=\"submit\" name=\"decision\" value=\"allow\" class=\"allow\">Allow</button>");
        html.Append("<button type=\"submit\" name=\"decision\" value=\"cancel\" class=\"cancel\" formnovalidate>Cancel</button></div></form>");
        html.Append("<p class=\"note\">Your password goes to Raworc only; this server keeps no password. Access lasts until your Raworc sign-in expires.</p>");
        return WriteAsync(context, status, "Sign in – Raworc", html.ToString(), formAction);
    }

    /// <summary>A page that ends the sign-in: the request cannot go on, and why.</summary>
    public static Task ShowErrorAsync(HttpContext context, int status, string title, string message) =>
        WriteAsync(context, status, title + " – Raworc",
            $"<p class=\"brand\">Raworc</p><h1>{Encode(title)}</h1><p class=\"error\" role=\"alert\">{Encode(message)}</p>" +
            "<p class=\"note\">Close this window and connect again from your application.</p>", formAction: null);

    private static Task WriteAsync(HttpContext context, int status, string title, string body, string? formAction)
    {
        var headers = context.Response.Headers;
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/html; charset=utf-8";
        // Chromium applies form-action to the redirect that follows the POST too: the client's redirect must be allowed.
        headers.ContentSecurityPolicy = $"default-src 'none'; style-src {StyleHash}; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action {formAction ?? "'none'"}";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers.Pragma = "no-cache";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XContentTypeOptions = "nosniff";
        string page = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
            $"<meta name=\"robots\" content=\"noindex\"><title>{Encode(title)}</title><style>{Style}</style></head><body><main>{body}</main></body></html>";
        return context.Response.WriteAsync(page);
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
