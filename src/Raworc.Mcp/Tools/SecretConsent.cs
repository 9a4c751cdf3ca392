using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;

namespace Raworc.Mcp.Tools;

/// <summary>
/// Secret values reach the model only with the user's consent: given once by configuration (--allow-secret-values),
/// or asked per call. A client on MCP 2026-07-28 or later is asked through a multi round-trip request (MRTR): the call
/// answers with an input-required result holding the question and a sealed request state, and the client retries the
/// call with the user's answer and that state. Any replica holding the same keys can check the state, so this works
/// over stateless HTTP as over stdio. An older client over stdio is asked with an elicitation request while the call
/// waits; an older client over stateless HTTP cannot be asked (its answer could reach another replica) and is refused.
/// </summary>
/// <remarks>
/// The state binds the answer to the caller (a digest of the Raworc token in effect, or the server's own
/// credentials), the tool, a digest of its arguments and the names they resolve to, and an expiry of
/// <see cref="ServerConfiguration.ConsentTimeout"/>; a random id makes it single-use within this process. A state that
/// fails any check is a protocol error (invalid params) naming the check, never a result with values.
/// </remarks>
internal sealed class SecretConsent(ToolContext context)
{
    /// <summary>What the request state is sealed for: no other sealed text of this server opens as one.</summary>
    public const string Purpose = "secret-consent";

    /// <summary>The key of the question in the input requests, and of the answer in the input responses.</summary>
    public const string InputKey = "allow_secret_values";

    /// <summary>The boolean field of the question's form: exactly true allows.</summary>
    public const string AllowField = "allow";

    /// <summary>The first protocol revision whose clients answer input-required results.</summary>
    public const string MrtrProtocolVersion = "2026-07-28";

    private const string ServerCredentials = "server credentials";
    private const string WithoutValues = "Without show_values the tool returns the keys and descriptions.";

    private readonly ReplayGuard _answered = new(context.Waits.Clock);

    private ServerConfiguration Configuration => context.Configuration;

    private ToolResults Results => context.Results;

    /// <summary>
    /// Null when the values may be shown; otherwise the result that refuses them. The names are checked first, so that
    /// the user is never asked about a call that cannot be made.
    /// </summary>
    /// <param name="what">What would be shown, in words, with every name quoted (<see cref="DisplayText.Quote"/>).</param>
    /// <exception cref="InputRequiredException">The user is to be asked (MRTR): the client retries with the answer.</exception>
    /// <exception cref="McpProtocolException">The retry's request state fails a check (invalid params).</exception>
    /// <param name="nameProblems">Why each name in the call cannot exist, or null where it can.</param>
    public async Task<CallToolResult?> CheckAsync(ToolCall call, string tool, string what, params string?[] nameProblems)
    {
        var problems = nameProblems.OfType<string>().ToList();
        if (problems.Count > 0) return Results.InvalidArguments(tool, problems.Select(p => p.TrimEnd('.')));
        if (Configuration.AllowSecretValues) return null;

        var server = call.Request.Server;
        if (AnswersInputRequests(server)) return CheckThroughRetry(call, tool, what);
        if (Configuration.Transport == TransportKind.Http)
            return Results.Error("Secret values are hidden from the model unless the user allows it, and this shared HTTP server can ask the user only " +
                $"through a client on MCP {MrtrProtocolVersion} or later that supports elicitation; this client is not one. " +
                "Its operator can allow them for every caller by starting it with --allow-secret-values " +
                $"({ServerConfiguration.AllowSecretValuesVariable}=true). {WithoutValues}");
        if (server.ClientCapabilities?.Elicitation is null) return ClientCannotAsk();
        return await AskAndWaitAsync(call, what).ConfigureAwait(false);
    }

    /// <summary>
    /// A client of the revision that replaced server-to-client requests with input-required results. The SDK also says
    /// MRTR is supported for older clients of a stateful session, by turning the result into an elicitation request:
    /// those keep the plain elicitation, with its answer timeout.
    /// </summary>
    private static bool AnswersInputRequests(McpServer server) =>
        server.IsMrtrSupported && string.CompareOrdinal(server.NegotiatedProtocolVersion ?? "", MrtrProtocolVersion) >= 0;

    private CallToolResult ClientCannotAsk() =>
        Results.Error("Secret values are hidden from the model unless the user allows it, and this client cannot ask the user. " +
            $"The user can allow them by starting raworc-mcp with --allow-secret-values ({ServerConfiguration.AllowSecretValuesVariable}=true). " +
            WithoutValues);

    private CallToolResult NotAllowed() => Results.Error($"The user did not allow showing secret values. {WithoutValues}");

    private static ElicitRequestParams Question(string what) => new()
    {
        Message = $"The assistant asks to read {what} from Raworc. The values will be shown to the model. Allow it?",
        RequestedSchema = new ElicitRequestParams.RequestSchema
        {
            Properties = new Dictionary<string, ElicitRequestParams.PrimitiveSchemaDefinition>
            {
                [AllowField] = new ElicitRequestParams.BooleanSchema { Title = "Show the secret values", Default = false },
            },
            Required = [AllowField],
        },
    };

    /// <summary>Exactly "accept" with the field exactly true: the protocol's action names are lower case, and anything else is a no.</summary>
    private static bool IsClearYes(ElicitResult? answer) =>
        answer?.Action == "accept" && answer.Content?.TryGetValue(AllowField, out var allow) == true && allow.ValueKind == JsonValueKind.True;

    // ---- a client of 2026-07-28 or later: the question in the result, the answer in the retry ----

    private CallToolResult? CheckThroughRetry(ToolCall call, string tool, string what)
    {
        var parameters = call.Request.Params!;
        var binding = new Binding(context.Client.CallerKey ?? ServerCredentials, tool, ArgumentsDigest(call.Arguments, what));
        if (parameters.RequestState is { } state)
        {
            var opened = Open(state, binding);
            // No answer to our question: ask it again rather than fail (the protocol's advice).
            if (parameters.InputResponses?.TryGetValue(InputKey, out var response) == true)
            {
                switch (_answered.TryUse(opened.Id, opened.Expires))
                {
                    case ReplayCheck.AlreadyUsed:
                        throw Invalid(tool, "it was already used: each answer of the user allows one call. Call the tool again to ask again");
                    case ReplayCheck.Full:
                        return Results.Error("This server holds as many consent answers as it can for now; nothing was shown. Try again in a few minutes.");
                }
                return IsClearYes(ReadAnswer(response)) ? null : NotAllowed();
            }
        }
        if (!AsksForms(call.Request.Server.ClientCapabilities)) return ClientCannotAsk();
        throw new InputRequiredException(
            new Dictionary<string, InputRequest> { [InputKey] = InputRequest.ForElicitation(Question(what)) },
            Seal(binding));
    }

    /// <summary>A form question needs the elicitation capability in form mode (an empty elicitation object means form).</summary>
    private static bool AsksForms(ClientCapabilities? capabilities) =>
        capabilities?.Elicitation is { } elicitation && (elicitation.Form is not null || elicitation.Url is null);

    private static ElicitResult? ReadAnswer(InputResponse response)
    {
        try
        {
            return response.Deserialize(InputResponse.ElicitResultJsonTypeInfo);
        }
        catch (JsonException)
        {
            return null; // not an answer, so not a yes
        }
    }

    /// <summary>Who asks, with which tool, about what: the answer counts only for the same.</summary>
    private sealed record Binding(string Caller, string Tool, string Arguments);

    private string Seal(Binding binding)
    {
        var state = new ConsentState(
            Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            binding.Caller,
            binding.Tool,
            binding.Arguments,
            (context.Waits.Clock.GetUtcNow() + Configuration.ConsentTimeout).ToUnixTimeMilliseconds());
        return context.Keys.Seal(Purpose, JsonSerializer.SerializeToUtf8Bytes(state, ToolJsonContext.Default.ConsentState));
    }

    private (UInt128 Id, DateTimeOffset Expires) Open(string sealedState, Binding binding)
    {
        ConsentState? state = null;
        if (context.Keys.TryOpen(Purpose, sealedState, out var payload))
        {
            try
            {
                state = JsonSerializer.Deserialize(payload, ToolJsonContext.Default.ConsentState);
            }
            catch (JsonException)
            {
            }
        }
        if (state is null || !UInt128.TryParse(state.Id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
            throw Invalid(binding.Tool, "this server did not issue it, or it was changed (it opens only with the keys of the server that sealed it). " +
                "Call the tool again without it to be asked again");
        var expires = DateTimeOffset.FromUnixTimeMilliseconds(state.Expires);
        if (context.Waits.Clock.GetUtcNow() >= expires)
            throw Invalid(binding.Tool, $"it expired: the user's answer counts for {Configuration.ConsentTimeout.TotalSeconds:0.#} s after the question. " +
                "Call the tool again to be asked again");
        if (state.Caller != binding.Caller)
            throw Invalid(binding.Tool, "it was issued to another caller. Call the tool again to be asked yourself");
        if (state.Tool != binding.Tool)
            throw Invalid(binding.Tool, "it was issued for another tool. Call the tool again to be asked about this one");
        if (state.Arguments != binding.Arguments)
            throw Invalid(binding.Tool, "it was issued for this tool with other arguments. Call the tool again to be asked about these");
        return (id, expires);
    }

    private static McpProtocolException Invalid(string tool, string problem) =>
        new($"Invalid params for tools/call {tool}: the consent question's requestState is refused: {problem}.", McpErrorCode.InvalidParams);

    /// <summary>
    /// A digest of the arguments as resolved (older names renamed, nulls dropped, members in ordinal order, so that a
    /// client re-encoding the same call still matches) and of what they name once defaults apply (the default space
    /// may differ between servers).
    /// </summary>
    private static string ArgumentsDigest(IEnumerable<KeyValuePair<string, JsonElement>> arguments, string what)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            foreach (var (name, value) in arguments.Where(a => a.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                         .OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                writer.WritePropertyName(name);
                WriteCanonical(writer, value);
            }
            writer.WriteEndObject();
            writer.WriteStringValue(what);
            writer.WriteEndArray();
        }
        return Convert.ToHexString(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var member in value.EnumerateObject().OrderBy(m => m.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in value.EnumerateArray()) WriteCanonical(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                writer.WriteStringValue(value.GetString());
                break;
            default:
                value.WriteTo(writer); // numbers as written, true, false, null
                break;
        }
    }

    // ---- an older client over stdio: the question sent while the call waits ----

    private async Task<CallToolResult?> AskAndWaitAsync(ToolCall call, string what)
    {
        // An unanswered question must not hold the call (and the secret request) open forever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(call.Cancellation);
        deadline.CancelAfter(Configuration.ConsentTimeout);
        ElicitResult answer;
        try
        {
            answer = await call.Request.Server.ElicitAsync(Question(what), deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!call.Cancellation.IsCancellationRequested)
        {
            return Results.Error($"The user did not answer within {Configuration.ConsentTimeout.TotalSeconds:0.#} s whether to show secret values; nothing was shown. " +
                WithoutValues);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Results.Error($"Could not ask the user to allow secret values ({e.Message}); nothing was shown.");
        }
        return IsClearYes(answer) ? null : NotAllowed();
    }
}

/// <summary>What a consent question's sealed request state holds (see <see cref="SecretConsent"/>).</summary>
/// <param name="Id">Random, 128 bits in hex: what makes the answer single-use.</param>
/// <param name="Caller">A digest of the caller's Raworc token, or "server credentials".</param>
/// <param name="Tool">The tool asked about.</param>
/// <param name="Arguments">A digest of its arguments and of what they name.</param>
/// <param name="Expires">When the answer stops counting, in Unix milliseconds.</param>
internal sealed record ConsentState(string Id, string Caller, string Tool, string Arguments, long Expires);
