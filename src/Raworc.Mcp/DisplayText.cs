using System.Globalization;
using System.Text;

namespace Raworc.Mcp;

/// <summary>Values from a client or the API as our own messages show them.</summary>
internal static class DisplayText
{
    /// <summary>Longest value quoted; the reader must be able to take in the whole message.</summary>
    public const int MaxQuotedLength = 64;

    /// <summary>
    /// A value in quotes, on one line, with control, format (bidi), separator and quote characters escaped, cut at
    /// <see cref="MaxQuotedLength"/> characters: a value cannot rewrite the message around it (a consent question
    /// above all) nor blow it up.
    /// </summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("'");
        int shown = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (shown++ == MaxQuotedLength)
                return text.Append(CultureInfo.InvariantCulture, $"…' ({value.Length} characters)").ToString();
            if (rune.Value is '\'' or '\\' || Unprintable(rune)) AppendEscaped(text, rune);
            else text.Append(rune.ToString());
        }
        return text.Append('\'').ToString();
    }

    /// <summary>
    /// Text for a log line with every character that could act on a terminal or a log viewer (control characters such
    /// as ESC, BEL and BS, bidi and other format characters, separators) escaped as <c>\uXXXX</c>. Line breaks stay when
    /// <paramref name="keepLineBreaks"/> (the log formatter puts each entry on one line itself).
    /// </summary>
    public static string ForLog(string value, bool keepLineBreaks = false)
    {
        int first = 0;
        while (first < value.Length && !NeedsEscape(value[first], keepLineBreaks)) first++;
        if (first == value.Length) return value; // the usual case, without a copy
        var text = new StringBuilder(value, 0, first, value.Length + 16);
        foreach (var rune in value[first..].EnumerateRunes())
        {
            if (Unprintable(rune) && !(keepLineBreaks && rune.Value is '\r' or '\n')) AppendEscaped(text, rune);
            else text.Append(rune.ToString());
        }
        return text.ToString();
    }

    private static bool NeedsEscape(char c, bool keepLineBreaks) => c is '\r' or '\n'
        ? !keepLineBreaks
        : char.IsSurrogate(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse;

    /// <summary>Characters that are not text a reader sees: control, format (bidi), separators other than space, unpaired halves, private use.</summary>
    private static bool Unprintable(Rune rune) => Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse;

    private static void AppendEscaped(StringBuilder text, Rune rune) =>
        text.Append(rune.Value <= 0xFFFF ? "\\u" : "\\U").Append(rune.Value.ToString(rune.Value <= 0xFFFF ? "X4" : "X8", CultureInfo.InvariantCulture));
}
