using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>Error text for the model: what failed, the API's own words, and the next step when one is known.</summary>
internal static class ErrorHints
{
    public static string Describe(RaworcApiException e)
    {
        string head = e.StatusCode is { } status
            ? $"Raworc API error (HTTP {status} {e.ErrorCode} on {e.Operation}): {e.Message}"
            : $"Raworc API call {e.Operation} failed ({e.ErrorCode}): {e.Message}";
        if (!head.EndsWith('.')) head += ".";
        return NextStep(e) is { } next ? $"{head} Next step: {next}" : head;
    }

    private static string? NextStep(RaworcApiException e)
    {
        string m = e.Message;
        bool Has(string text) => m.Contains(text, StringComparison.OrdinalIgnoreCase);

        return (e.StatusCode, e.ErrorCode) switch
        {
            (null, RaworcApiException.Codes.Timeout) => "retry; if it keeps happening the API is slow or unreachable (raise RAWORC_TIMEOUT, or check the network).",
            (null, RaworcApiException.Codes.Busy) => "retry in a few seconds: this MCP server was busy with other large answers; nothing is wrong with the API or the request.",
            (null, RaworcApiException.Codes.Network) => "check RAWORC_API_URL and the network or proxy (HTTPS_PROXY, NO_PROXY); health_check tests the connection.",
            (_, RaworcApiException.Codes.TooLarge) => "ask for less (a smaller limit, an offset, latest) where the tool allows it; otherwise the API's answer is too big to pass on.",
            (_, RaworcApiException.Codes.Redirect) => "the user must set RAWORC_API_URL to the API's real address; retrying will not help.",
            (null, RaworcApiException.Codes.NotConfigured) => "the user must configure credentials for raworc-mcp and restart it.",
            (401, RaworcApiException.Codes.WrongCurrentPassword) => "ask the user for the account's current password; do not guess it.",
            (401, _) when e.Operation.EndsWith("auth/login", StringComparison.Ordinal) => "the user must fix RAWORC_USERNAME and RAWORC_PASSWORD.",
            (401, _) when Has("caller's bearer token") => "the user must put a fresh Raworc token (tokens expire after 24 hours) in the Authorization header of their MCP client's configuration for this server; whoami checks it.",
            (401, _) => "the token was rejected: tokens expire after 24 hours. The user should set a fresh RAWORC_AUTH_TOKEN (or RAWORC_USERNAME and RAWORC_PASSWORD so raworc-mcp can log in by itself); whoami checks the credentials.",
            (403, _) => "the service account lacks a role for this; see list_role_bindings.",
            (400, _) when Has("ANTHROPIC_API_KEY") => "create the secret with create_secret (name ANTHROPIC_API_KEY) in that space, build the space (create_build, then wait_for_build) if it has no completed build, then retry.",
            (400, _) when Has("must be built") || Has("image tag") => "run create_build for the space and wait_for_build until it is completed, then retry.",
            (400, _) when Has("already closed") => "the session is already closed; restore_session reopens it.",
            (400, _) when Has("only closed sessions") => "only closed sessions can be restored; get_session shows the current state.",
            (400, _) when Has("default space") => "the default space cannot be deleted.",
            (404, "NOT_FOUND") when Has("session") => "list_sessions shows the existing sessions and their ids.",
            (404, "NOT_FOUND") when Has("secret") => "list_secrets shows the secret keys of the space.",
            (404, "NOT_FOUND") when Has("agent") => "list_agents shows the agents of the space.",
            (404, "NOT_FOUND") when Has("no builds") => "create_build starts the space's first build.",
            (404, "NOT_FOUND") when Has("build") => "get_latest_build shows the space's most recent build and its build_id.",
            (404, "NOT_FOUND") when Has("space") => "list_spaces shows the existing spaces.",
            (404, "NOT_FOUND") when Has("service account") => "list_service_accounts shows the existing accounts.",
            (404, "NOT_FOUND") when Has("binding") => "list_role_bindings shows the existing bindings (they are addressed by role name).",
            (404, "NOT_FOUND") when Has("role") => "list_roles shows the existing roles.",
            (409, _) => "it already exists: use the matching get_ or update_ tool, or pick another name.",
            (422, _) or (415, _) or (400, RaworcApiException.Codes.Http) => "the API rejected the request as malformed; check the arguments against the tool's schema.",
            (429, _) => "the API is rate limiting; wait a little before calling again.",
            (500, "DATABASE_ERROR") when e.Operation == "POST service-accounts" =>
                "Raworc 0.3.0 cannot create service accounts (its insert names a column the table lacks); names must also match [A-Za-z0-9_.-]+. A server upgrade or an administrator with database access can create the account.",
            (500, "DATABASE_ERROR") when e.Operation.StartsWith("POST role-bindings", StringComparison.Ordinal) => "the role may not exist (list_roles) or the binding may exist already (list_role_bindings): the API reports both as a database error.",
            (500, _) when e.Operation.StartsWith("DELETE spaces/", StringComparison.Ordinal) && !e.Operation.Contains("/secrets/") && !e.Operation.Contains("/agents/") =>
                "a space that has (or had) sessions cannot be deleted, even after they were terminated; deactivate it with update_space (active false) instead.",
            (500, _) when IsPost(e, "/agents") =>
                "Raworc 0.3.0 answers 500 when the space does not exist: check that it does with get_space (create_space makes it), then create the agent again.",
            (500, _) when IsPost(e, "/messages") =>
                "if the session was closed: Raworc 0.3.0 does not reopen it for a message, stores nothing, and leaves it marked idle with its container stopped; call close_session, then restore_session, then send again.",
            (500, "INTERNAL_ERROR" or "DATABASE_ERROR" or "CRYPTO_ERROR") =>
                "Raworc hides the cause of its 500 errors, and they mostly come from the request itself (something it names that does not exist, a value the database refuses), so the same call will likely fail again: check the arguments and that what they name exists (the get_ and list_ tools). If they are right, report it to the Raworc operators.",
            (int status, _) when status >= 500 => "a server-side failure; retry later, and if it persists report it to the Raworc operators.",
            _ => null,
        };
    }

    /// <summary>A POST to <c>spaces/{space}…</c> or <c>sessions/{id}…</c> whose route ends in <paramref name="tail"/>.</summary>
    private static bool IsPost(RaworcApiException e, string tail) =>
        (e.Operation.StartsWith("POST spaces/", StringComparison.Ordinal) || e.Operation.StartsWith("POST sessions/", StringComparison.Ordinal))
        && e.Operation.EndsWith(tail, StringComparison.Ordinal);
}
