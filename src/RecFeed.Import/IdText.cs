using System.Text;

namespace RecFeed.Import;

/// <summary>Ids written as decimal text, as in CSV, TSV and fallback files.</summary>
internal static class IdText
{
    /// <summary>Parses a decimal integer; null if it is one, else why not. Values past ±10^18 read as out of range.</summary>
    public static string? Parse(ReadOnlySpan<byte> text, string what, out long value)
    {
        value = 0;
        var negative = !text.IsEmpty && text[0] == '-';
        var digits = !text.IsEmpty && text[0] is (byte)'-' or (byte)'+' ? text[1..] : text;
        if (digits.IsEmpty || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            return $"{what} \"{Encoding.UTF8.GetString(text)}\" is not a number";
        if (digits.Length > 18)
            return $"{what} {Encoding.UTF8.GetString(text)} is out of range";
        foreach (var d in digits)
            value = value * 10 + (d - '0');
        if (negative)
            value = -value;
        return null;
    }
}
