using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using ModelContextProtocol.Protocol;

namespace Raworc.Mcp;

/// <summary>
/// Keeps the long texts of tool results and resources out of the SDK's serialization. The SDK turns a handler's result
/// into a JSON tree and then writes it, and the JSON writer escapes each string into a buffer six times its length
/// (any character might need six): 3 MB for one answer at the <see cref="ResultBudget"/>, escaped twice on the way and
/// rented from the shared pools, which keep such buffers per thread and per core. A few concurrent large answers then
/// held more memory than all the rest of the process. So a text of <see cref="MinLength"/> characters or more leaves the
/// handler as a short placeholder, and the output stream (<see cref="LargeTextStream"/>) writes the text where the placeholder
/// would go, escaped a chunk at a time. What the client reads is the same text.
/// </summary>
internal static class LargeTexts
{
    /// <summary>Shorter texts go the SDK's way: their escaping buffers are small enough for the pools to keep.</summary>
    public const int MinLength = 16 * 1024;

    /// <summary>
    /// Starts every placeholder: a NUL, which the JSON writer always escapes (so its escaped form is known) and which
    /// no one types; then letters and spaces only, which no JSON encoder escapes. A 32-digit id follows.
    /// </summary>
    internal const string Marker = "\0raworc large text ";

    internal const int IdLength = 32;

    private static readonly ConcurrentDictionary<string, string> Waiting = new(StringComparer.Ordinal);

    private static readonly AsyncLocal<Scope?> CurrentScope = new();

    /// <summary>Replaces each long text block of <paramref name="result"/> by a placeholder; returns the same result.</summary>
    public static CallToolResult Defer(CallToolResult result)
    {
        foreach (var block in result.Content.OfType<TextContentBlock>())
            block.Text = Defer(block.Text);
        return result;
    }

    /// <summary>Replaces each long text of <paramref name="result"/> by a placeholder; returns the same result.</summary>
    public static ReadResourceResult Defer(ReadResourceResult result)
    {
        foreach (var contents in result.Contents.OfType<TextResourceContents>())
            contents.Text = Defer(contents.Text);
        return result;
    }

    /// <summary>
    /// Until disposed, the texts deferred in the current flow belong to the returned scope, which forgets those never
    /// written (the client went away before its answer): an HTTP request's texts live no longer than the request.
    /// </summary>
    public static IDisposable BeginScope()
    {
        var scope = new Scope(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    /// <summary>No text is waiting: no output can meet a placeholder it has to replace.</summary>
    internal static bool NoneWaiting => Waiting.IsEmpty;

    /// <summary>Takes the text a placeholder stands for; false if it is not one, or was written or forgotten already.</summary>
    internal static bool TryClaim(string placeholder, [NotNullWhen(true)] out string? text) => Waiting.TryRemove(placeholder, out text);

    private static string Defer(string text)
    {
        if (text.Length < MinLength) return text;
        string placeholder = Marker + Guid.NewGuid().ToString("N");
        Waiting[placeholder] = text;
        CurrentScope.Value?.Add(placeholder);
        return placeholder;
    }

    private sealed class Scope(Scope? outer) : IDisposable
    {
        private readonly Lock _lock = new();
        private List<string>? _placeholders; // most requests defer nothing
        private bool _disposed;

        public void Add(string placeholder)
        {
            lock (_lock)
            {
                // A call that outlives its request (aborted) has no response left to be written in.
                if (_disposed) Waiting.TryRemove(placeholder, out _);
                else (_placeholders ??= []).Add(placeholder);
            }
        }

        public void Dispose()
        {
            lock (_lock)
            {
                _disposed = true;
                foreach (var placeholder in _placeholders ?? []) Waiting.TryRemove(placeholder, out _);
                _placeholders = null;
            }
            CurrentScope.Value = outer;
        }
    }
}
