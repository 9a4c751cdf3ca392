using System.Globalization;
using System.Text;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;
using Raworc.Mcp.Tools;

namespace Raworc.Mcp.Resources;

/// <summary>
/// Read-only MCP resources over the Raworc API, addressed by <c>raworc://</c> URIs: a space, an agent, a space's
/// latest build, a session and a session's transcript. Declared explicitly (no attribute scanning). Names in URIs are
/// percent-encoded; they are decoded here and escaped again by the client as path segments.
/// </summary>
internal sealed class RaworcResources(RaworcClient api)
{
    public const string Scheme = "raworc://";
    public const string Json = "application/json";
    public const string PlainText = "text/plain";

    private IReadOnlyList<ResourceDefinition>? _definitions;

    /// <summary>Every resource, in listing order.</summary>
    public IReadOnlyList<ResourceDefinition> Definitions => _definitions ??=
    [
        new("raworc://spaces/{space}", "space", "Space", "A space: description, settings, active flag.", Json,
            async (v, ct) => ToolJson.Serialize(await api.GetSpaceAsync(v[0], ct).ConfigureAwait(false))),
        new("raworc://spaces/{space}/agents/{agent}", "agent", "Agent", "An agent of a space: source repository and branch, status.", Json,
            async (v, ct) => ToolJson.Serialize(await api.GetAgentAsync(v[0], v[1], ct).ConfigureAwait(false))),
        new("raworc://spaces/{space}/builds/latest", "latest-build", "Latest build",
            "A space's most recent build: status (pending, building, completed, failed), image tag, error.", Json,
            async (v, ct) => ToolJson.Serialize(await api.GetLatestBuildAsync(v[0], ct).ConfigureAwait(false))),
        new("raworc://sessions/{session_id}", "session", "Session", "A session: state, space, parent, timestamps, metadata.", Json,
            async (v, ct) => ToolJson.Serialize(await api.GetSessionAsync(v[0], ct).ConfigureAwait(false))),
        new("raworc://sessions/{session_id}/transcript", "transcript", "Session transcript",
            "A session's conversation as readable text, oldest message first: one block per message with its role and time.", PlainText,
            (v, ct) => TranscriptAsync(v[0], ct), InstructionNote: "the conversation as text"),
    ];

    /// <summary>The resource templates as the server instructions name them: "a, b and c (note)".</summary>
    public static string DescribeTemplates(IReadOnlyList<ResourceDefinition> definitions)
    {
        var named = definitions.Select(d => d.UriTemplate + (d.InstructionNote is null ? "" : $" ({d.InstructionNote})")).ToList();
        return named.Count == 1 ? named[0] : string.Join(", ", named[..^1]) + " and " + named[^1];
    }

    public static string SpaceUri(string space) => Scheme + "spaces/" + Uri.EscapeDataString(space);

    public ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(RequestContext<ListResourceTemplatesRequestParams> request, CancellationToken ct) =>
        ValueTask.FromResult(new ListResourceTemplatesResult { ResourceTemplates = [.. Definitions.Select(d => d.ToTemplate())] });

    /// <summary>The concrete resources: one per space.</summary>
    public async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> request, CancellationToken ct)
    {
        var spaces = await Call(() => api.ListSpacesAsync(ct)).ConfigureAwait(false);
        return new ListResourcesResult
        {
            Resources = [.. spaces.Select(s => new Resource
            {
                Uri = SpaceUri(s.Name),
                Name = s.Name,
                Title = $"Space {s.Name}",
                Description = string.IsNullOrWhiteSpace(s.Description) ? $"The Raworc space '{s.Name}'." : s.Description,
                MimeType = Json,
            })],
        };
    }

    public async ValueTask<ReadResourceResult> ReadAsync(RequestContext<ReadResourceRequestParams> request, CancellationToken ct)
    {
        // A large API response (a transcript page) is formatted, cut and collected inside the gate's scope, not only read.
        using var largeResponses = LargeResponseGate.BeginScope();
        try
        {
            return await ReadCoreAsync(request.Params?.Uri ?? "", ct).ConfigureAwait(false);
        }
        finally
        {
            MemoryBudget.AfterCall(largeResponses.TookGate);
        }
    }

    private async Task<ReadResourceResult> ReadCoreAsync(string uri, CancellationToken ct)
    {
        string[] path = Parse(uri) ?? throw NotFound(uri);
        var (definition, values) = Definitions.Select(d => (Definition: d, Values: d.Match(path))).FirstOrDefault(m => m.Values is not null);
        if (definition is null) throw NotFound(uri);
        string mimeType = definition.MimeType;
        string text = await Call(() => definition.Read(values!, ct)).ConfigureAwait(false);
        string howToSeeMore = path is ["sessions", _, "transcript"]
            ? "get_messages (session_id, limit, offset) pages through the messages."
            : "The matching get_ tool returns the same data.";
        text = ResultBudget.Cut(api.Secrets.Apply(text), howToSeeMore);
        return new ReadResourceResult { Contents = [new TextResourceContents { Uri = uri, MimeType = mimeType, Text = text }] };
    }

    /// <summary>The decoded path segments of a <c>raworc://</c> URI, or null when it is not one of ours.</summary>
    internal static string[]? Parse(string uri)
    {
        if (!uri.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || uri.IndexOfAny(['?', '#']) >= 0) return null;
        string[] segments = uri[Scheme.Length..].Split('/');
        if (segments.Any(s => s.Length == 0)) return null;
        try
        {
            return [.. segments.Select(Uri.UnescapeDataString)];
        }
        catch (UriFormatException)
        {
            return null;
        }
    }

    /// <summary>Messages per page read for a transcript: small enough that a page of long messages stays a modest response.</summary>
    internal const int TranscriptPageSize = 200;

    /// <summary>
    /// The messages (paged through), one block per message, oldest first to the second; paging stops once the text read is over the
    /// <see cref="ResultBudget"/>, since no more of it could be shown. A page over the client's read limit is asked for
    /// again in quarters, down to single messages; a single message over it ends the transcript there.
    /// </summary>
    private async Task<string> TranscriptAsync(string sessionId, CancellationToken ct)
    {
        var session = await api.GetSessionAsync(sessionId, ct).ConfigureAwait(false);
        var messages = new List<Message>();
        var read = new HashSet<string>(StringComparer.Ordinal);
        int offset = 0;
        long characters = 0;
        int pageSize = TranscriptPageSize;
        bool complete = false;
        while (characters <= ResultBudget.MaxBytes)
        {
            List<Message> batch;
            try
            {
                batch = await api.ListMessagesAsync(sessionId, pageSize, offset, ct).ConfigureAwait(false);
            }
            catch (RaworcApiException e) when (e.ErrorCode == RaworcApiException.Codes.TooLarge)
            {
                if (pageSize == 1) break;
                pageSize = Math.Max(1, pageSize / 4);
                continue;
            }
            bool last = batch.Count < pageSize;
            if (!last && OlderThanTheLastSecond(batch) is > 0 and var older)
            {
                // The messages of one second come in any order, and not the same one at each read: the next page
                // could repeat some of the last second's or skip others. It starts at that second instead, and so
                // reads all of it at once.
                batch = batch[..older];
            }
            var added = batch.Where(m => read.Add(m.Id)).ToList();
            messages.AddRange(added);
            offset += batch.Count;
            characters += added.Sum(m => (long)m.Content.Length);
            if (last)
            {
                complete = true;
                break;
            }
        }
        return FormatTranscript(session, messages, complete);
    }

    /// <summary>The API's order: by timestamp, which has whole seconds; within one second in no defined order.</summary>
    private const string Order = "oldest first to the second (within one second in any order)";

    /// <summary>How many messages of a page come before the first of its last second (listed timestamps have whole seconds).</summary>
    private static int OlderThanTheLastSecond(List<Message> page) => page.FindIndex(m => m.CreatedAt == page[^1].CreatedAt);

    /// <param name="complete">False when more messages follow the ones given.</param>
    internal static string FormatTranscript(Session session, IReadOnlyList<Message> messages, bool complete = true)
    {
        var text = new StringBuilder();
        string count = complete
            ? $"{messages.Count} message{(messages.Count == 1 ? "" : "s")}, {Order}."
            : $"the first {messages.Count} messages, {Order} (more follow: get_messages with offset {messages.Count} reads on).";
        text.Append(CultureInfo.InvariantCulture, $"Session {session.Id} in space '{session.Space}', state {session.State}: {count}\n");
        foreach (var message in messages)
        {
            string time = message.CreatedAt is { } at ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "time unknown";
            text.Append(CultureInfo.InvariantCulture, $"\n--- {message.Role} at {time}\n");
            text.Append(message.Content.TrimEnd()).Append('\n');
        }
        return text.ToString();
    }

    private McpProtocolException NotFound(string uri) =>
        new($"Resource not found: {DisplayText.Quote(uri)}. raworc-mcp serves {string.Join(", ", Definitions.Select(d => d.UriTemplate))}.", McpErrorCode.ResourceNotFound);

    /// <summary>API failures as MCP errors: a missing space, agent, build or session is "resource not found".</summary>
    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RaworcApiException e)
        {
            throw new McpProtocolException(api.Secrets.Apply(ErrorHints.Describe(e)), e.StatusCode == 404 ? McpErrorCode.ResourceNotFound : McpErrorCode.InternalError);
        }
        catch (ArgumentException e)
        {
            throw new McpProtocolException($"Invalid resource URI: {e.Message}", McpErrorCode.InvalidParams);
        }
    }
}
