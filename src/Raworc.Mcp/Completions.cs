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
/// The same limits as tools hold: a <c>space</c> that cannot be a space name or a value longer than a name can be
/// gets no suggestions and reaches no API; failures are not kept; the cache is bounded in entries and age.
/// </summary>
internal sealed class Completions(RaworcClient api, RaworcPrompts prompts, RaworcResources resources, string defaultSpace, ILogger logger, TimeProvider? clock = null)
{
    public const int MaxValues = 100;

    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(10);

    /// <summary>Most cached lists (many callers of a shared server): expired ones go first, then the oldest.</summary>
    public const int MaxCacheEntries = 1000;

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

        // A value no name can start (too long) has nothing to complete.
        if (argument.Value is { Length: > RaworcClient.MaxSegmentLength }) return Nothing;
        string? space = context is not null && context.TryGetValue("space", out var s) && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        // Checked as the tools' space argument is: what cannot be a space name is never sent, nor kept as a key.
        if (space is not null && RaworcClient.SegmentProblem(space, "space") is not null) return Nothing;
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

    /// <summary>The values of <paramref name="key"/>, read again once they are older than <see cref="CacheLifetime"/>; a failure is not kept.</summary>
    private Task<List<string>> CachedAsync(string key, Func<CancellationToken, Task<List<string>>> source)
    {
        var now = _clock.GetUtcNow();
        if (_cache.TryGetValue(key, out var entry) && now - entry.At < CacheLifetime && !entry.Values.IsFaulted && !entry.Values.IsCanceled)
            return entry.Values;
        if (_cache.Count >= MaxCacheEntries) Trim(now);
        // Not tied to one request's cancellation: the answer serves the next keystrokes too.
        var fresh = source(CancellationToken.None);
        var added = (now, fresh);
        _cache[key] = added;
        fresh.ContinueWith(t => _cache.TryRemove(KeyValuePair.Create(key, added)), CancellationToken.None,
            TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return fresh;
    }

    /// <summary>Drops expired entries, then the oldest, until there is room for one more.</summary>
    private void Trim(DateTimeOffset now)
    {
        foreach (var stale in _cache.Where(e => now - e.Value.At >= CacheLifetime).ToList())
            _cache.TryRemove(stale);
        int over = _cache.Count - MaxCacheEntries + 1;
        if (over > 0)
            foreach (var oldest in _cache.OrderBy(e => e.Value.At).Take(over).ToList())
                _cache.TryRemove(oldest);
    }

    /// <summary>How many lists are cached (tests).</summary>
    internal int CachedCount => _cache.Count;
}
