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
            var category = Rune.GetUnicodeCategory(rune);
            if (rune.Value is '\'' or '\\' || category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse)
                text.Append(rune.Value <= 0xFFFF ? "\\u" : "\\U").Append(rune.Value.ToString(rune.Value <= 0xFFFF ? "X4" : "X8", CultureInfo.InvariantCulture));
            else
                text.Append(rune.ToString());
        }
        return text.Append('\'').ToString();
    }
}
