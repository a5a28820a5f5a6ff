namespace RecFeed.Feed;

/// <summary>Parses the two inputs of <c>GET /feed/{userId}?size=N</c> without allocating.</summary>
public static class FeedRequest
{
    /// <summary>Decimal digits only, 1 to 10 of them, at most 4294967295: no sign, no spaces, no hex.</summary>
    public static bool TryParseUserId(ReadOnlySpan<char> text, out uint userId) => TryParseDigits(text, uint.MaxValue, out userId);

    /// <summary>
    /// Finds <c>size</c> in a raw query string (<c>?a=1&amp;size=5</c>, or empty). Absent means
    /// <paramref name="defaultSize"/>; present it must appear once with an integer in [1, <paramref name="max"/>].
    /// Other parameters are ignored.
    /// </summary>
    public static bool TryParseSize(ReadOnlySpan<char> query, int max, int defaultSize, out int size)
    {
        size = defaultSize;
        if (query.StartsWith('?'))
            query = query[1..];
        var found = false;
        while (!query.IsEmpty)
        {
            var end = query.IndexOf('&');
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            var eq = pair.IndexOf('=');
            var name = eq < 0 ? pair : pair[..eq];
            if (!name.SequenceEqual("size"))
                continue;
            if (found || eq < 0 || !TryParseDigits(pair[(eq + 1)..], (uint)max, out var value) || value == 0)
                return false;
            found = true;
            size = (int)value;
        }
        return true;
    }

    private static bool TryParseDigits(ReadOnlySpan<char> text, uint max, out uint value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10)
            return false;
        ulong v = 0;
        foreach (var c in text)
        {
            var digit = (uint)(c - '0');
            if (digit > 9)
                return false;
            v = v * 10 + digit;
        }
        if (v > max)
            return false;
        value = (uint)v;
        return true;
    }
}
