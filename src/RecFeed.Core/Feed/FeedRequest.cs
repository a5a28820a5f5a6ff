using System.Numerics;

namespace RecFeed.Feed;

/// <summary>
/// Parses the two inputs of <c>GET /feed/{userId}?size=N</c> without allocating, from Kestrel's decoded path and
/// query (<c>char</c>) or from the request's own bytes (the fast lane's <c>byte</c>): one rule for both, the element
/// type a type argument, so each is compiled on its own without a conversion or a call between them.
/// </summary>
public static class FeedRequest
{
    /// <summary>Decimal digits only, 1 to 10 of them, at most 4294967295: no sign, no spaces, no hex.</summary>
    public static bool TryParseUserId<TChar>(ReadOnlySpan<TChar> text, out uint userId)
        where TChar : unmanaged, IBinaryInteger<TChar> => TryParseDigits(text, uint.MaxValue, out userId);

    /// <summary>
    /// Finds <c>size</c> in a raw query string (<c>?a=1&amp;size=5</c>, or empty). Absent means
    /// <paramref name="defaultSize"/>; present it must appear once with an integer in [1, <paramref name="max"/>].
    /// Other parameters are ignored.
    /// </summary>
    public static bool TryParseSize<TChar>(ReadOnlySpan<TChar> query, int max, int defaultSize, out int size)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        size = defaultSize;
        if (!query.IsEmpty && query[0] == TChar.CreateTruncating('?'))
            query = query[1..];
        var found = false;
        while (!query.IsEmpty)
        {
            var end = query.IndexOf(TChar.CreateTruncating('&'));
            var pair = end < 0 ? query : query[..end];
            query = end < 0 ? default : query[(end + 1)..];
            var eq = pair.IndexOf(TChar.CreateTruncating('='));
            var name = eq < 0 ? pair : pair[..eq];
            if (!IsSize(name))
                continue;
            if (found || eq < 0 || !TryParseDigits(pair[(eq + 1)..], (uint)max, out var value) || value == 0)
                return false;
            found = true;
            size = (int)value;
        }
        return true;
    }

    private static bool IsSize<TChar>(ReadOnlySpan<TChar> name) where TChar : unmanaged, IBinaryInteger<TChar> =>
        name.Length == 4 && name[0] == TChar.CreateTruncating('s') && name[1] == TChar.CreateTruncating('i')
        && name[2] == TChar.CreateTruncating('z') && name[3] == TChar.CreateTruncating('e');

    private static bool TryParseDigits<TChar>(ReadOnlySpan<TChar> text, uint max, out uint value)
        where TChar : unmanaged, IBinaryInteger<TChar>
    {
        value = 0;
        if (text.IsEmpty || text.Length > 10)
            return false;
        ulong v = 0;
        foreach (var c in text)
        {
            var digit = uint.CreateTruncating(c) - '0';
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
