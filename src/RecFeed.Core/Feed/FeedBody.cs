using System.Runtime.CompilerServices;

namespace RecFeed.Feed;

/// <summary>The response body: ids as a JSON array of integers with no spaces, e.g. <c>[17,4,99]</c>.</summary>
public static class FeedBody
{
    /// <summary>Exact byte length of the body for <paramref name="items"/>, so Content-Length is known before writing.</summary>
    public static int Length(ReadOnlySpan<uint> items)
    {
        var length = items.Length == 0 ? 2 : items.Length + 1; // brackets and commas
        foreach (var item in items)
            length += Digits(item);
        return length;
    }

    /// <summary>The longest body <paramref name="count"/> items can take: ten digits and a comma each, and the brackets.</summary>
    public static int MaxLength(int count) => count == 0 ? 2 : count * 11 + 1;

    /// <summary>Writes the body; <paramref name="destination"/> must hold <see cref="Length"/> bytes (checked).</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<uint> items)
    {
        destination[0] = (byte)'[';
        var at = 1;
        for (var i = 0; i < items.Length; i++)
        {
            if (i > 0)
                destination[at++] = (byte)',';
            if (!items[i].TryFormat(destination[at..], out var written))
                ThrowTooSmall();
            at += written;
        }
        destination[at++] = (byte)']';
        return at;
    }

    public static int Digits(uint value) => value switch
    {
        < 10 => 1,
        < 100 => 2,
        < 1_000 => 3,
        < 10_000 => 4,
        < 100_000 => 5,
        < 1_000_000 => 6,
        < 10_000_000 => 7,
        < 100_000_000 => 8,
        < 1_000_000_000 => 9,
        _ => 10,
    };

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooSmall() => throw new ArgumentException("destination is smaller than the body", "destination");
}
