using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Raworc.Client;
using Raworc.Mcp.Prompts;
using Raworc.Mcp.Resources;

namespace Raworc.Mcp;

/// <summary>
/// <c>completion/complete</c> for prompt arguments and resource-template parameters: space names, agent names (of the
/// space already chosen in the context, else the default space) and session ids, read from the API and kept for a
/// few seconds so that typing does not call the API on every key. Best effort: a failing API gives no suggestions.
/// </summary>
internal sealed class Completions(RaworcClient api, RaworcPrompts prompts, RaworcResources resources, string defaultSpace, ILogger logger, TimeProvider? clock = null)
{
    public const int MaxValues = 100;

    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Beyond this many cached lists (many callers of a shared server), expired ones are dropped.</summary>
    private const int MaxCacheEntries = 1000;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, Task<List<string>> Values)> _cache = new(StringComparer.Ordinal);

    private static readonly CompleteResult Nothing = new() { Completion = new Completion { Values = [], Total = 0, HasMore = false } };

    public async ValueTask<CompleteResult> CompleteAsync(RequestContext<CompleteRequestParams> request, CancellationToken ct)
    {
        var p = request.Params;
        if (p?.Argument is not { } argument) return Nothing;
        IDictionary<string, string>? context = p.Context?.Arguments;

        bool known = p.Ref switch
        {
            PromptReference prompt => prompts.All.Any(d => d.Listing.Name == prompt.Name && d.Listing.Arguments?.Any(a => a.Name == argument.Name) == true),
            ResourceTemplateReference template => resources.Definitions.Any(t => t.UriTemplate == template.Uri && t.UriTemplate.Contains($"{{{argument.Name}}}", StringComparison.Ordinal)),
            _ => false,
        };
        if (!known) return Nothing;

        string? space = context is not null && context.TryGetValue("space", out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        Func<CancellationToken, Task<List<string>>>? source = argument.Name switch
        {
            "space" => async c => [.. (await api.ListSpacesAsync(c).ConfigureAwait(false)).Select(x => x.Name)],
            "agent" => async c => [.. (await api.ListAgentsAsync(space ?? defaultSpace, c).ConfigureAwait(false)).Select(x => x.Name)],
            "session_id" => async c => [.. (await api.ListSessionsAsync(space, null, c).ConfigureAwait(false)).Select(x => x.Id)],
            _ => null,
        };
        if (source is null) return Nothing;
        string key = argument.Name switch
        {
            "agent" => $"agent\n{space ?? defaultSpace}",
            "session_id" => $"session_id\n{space}",
            _ => argument.Name,
        };
        // Over HTTP each caller has their own token, and sees only what it may see: never another caller's answers.
        if (api.CallerKey is { } caller) key = $"{caller}\n{key}";

        List<string> values;
        try
        {
            values = await CachedAsync(key, source).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RaworcApiException or ArgumentException)
        {
            logger.LogDebug("No completions for {Argument}: {Message}", argument.Name, e.Message);
            return Nothing;
        }

        string prefix = argument.Value ?? "";
        // A value longer than a name can be is no name to suggest, and would only bloat the answer.
        var matches = values.Where(v => v.Length <= RaworcClient.MaxSegmentLength && v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal).ToList();
        return new CompleteResult
        {
            Completion = new Completion { Values = [.. matches.Take(MaxValues)], Total = matches.Count, HasMore = matches.Count > MaxValues },
        };
    }

    /// <summary>The values of <paramref name="key"/>, read again once they are older than <see cref="CacheLifetime"/> or failed.</summary>
    private Task<List<string>> CachedAsync(string key, Func<CancellationToken, Task<List<string>>> source)
    {
        var now = _clock.GetUtcNow();
        if (_cache.Count > MaxCacheEntries)
            foreach (var stale in _cache.Where(e => now - e.Value.At >= CacheLifetime).ToList())
                _cache.TryRemove(stale);
        if (_cache.TryGetValue(key, out var entry) && now - entry.At < CacheLifetime && !entry.Values.IsFaulted && !entry.Values.IsCanceled)
            return entry.Values;
        // Not tied to one request's cancellation: the answer serves the next keystrokes too.
        var fresh = source(CancellationToken.None);
        _cache[key] = (now, fresh);
        return fresh;
    }
}
