namespace Raworc.Mcp;

/// <summary>
/// The most text one answer carries to the model (a tool result, a resource, a prompt): a model's context is small,
/// and one user's huge response must not become a huge line on the wire. Longer text is cut, with a note saying how
/// much was left out and how to see the rest.
/// </summary>
internal static class ResultBudget
{
    /// <summary>UTF-8 bytes of text per answer.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>Room kept under <see cref="MaxBytes"/> for the note.</summary>
    private const int NoteRoom = 1024;

    /// <summary><paramref name="text"/> when it fits; else its start with a note ending in <paramref name="howToSeeMore"/>.</summary>
    public static string Cut(string text, string howToSeeMore)
    {
        // Three UTF-8 bytes at most per UTF-16 unit: shorter text cannot be over.
        if (text.Length <= MaxBytes / 3) return text;
        long total = Utf8Length(text, text.Length, long.MaxValue, out _);
        if (total <= MaxBytes) return text;

        long kept = Utf8Length(text, text.Length, MaxBytes - NoteRoom, out int end);
        return string.Concat(text.AsSpan(0, end),
            $"\n\n[raworc-mcp: cut here. The full text is {total:N0} bytes of UTF-8; the first {kept:N0} are shown and {total - kept:N0} left out " +
            $"(answers are limited to {MaxBytes / 1024} KB). {howToSeeMore}]");
    }

    /// <summary>UTF-8 length of the longest prefix within <paramref name="limit"/> bytes, never splitting a surrogate pair.</summary>
    private static long Utf8Length(string text, int count, long limit, out int end)
    {
        long bytes = 0;
        int i = 0;
        while (i < count)
        {
            char c = text[i];
            int units = 1, size;
            if (c < 0x80) size = 1;
            else if (c < 0x800) size = 2;
            else if (char.IsHighSurrogate(c) && i + 1 < count && char.IsLowSurrogate(text[i + 1])) (size, units) = (4, 2);
            else size = 3;
            if (bytes + size > limit) break;
            bytes += size;
            i += units;
        }
        end = i;
        return bytes;
    }
}
