using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace RecFeed.Http.FastPath;

/// <summary>
/// What each ASCII byte may be in the parts of a request the fast lane reads, as one table of flags: a lookup a
/// byte is cheaper than a vectorised search on the few bytes of a target, a header name or a host. The sets are
/// exactly the ones <see cref="LaneRequest"/> documents; a byte of 0x80 or above is in none of them.
/// </summary>
internal static class LaneBytes
{
    /// <summary>Letters, digits and <c>/?=&amp;-_</c>: nothing Kestrel would decode or normalise in a target.</summary>
    public const byte Target = 1;

    /// <summary>RFC 9110 token characters: a header name.</summary>
    public const byte Token = 2;

    /// <summary>Letters, digits, <c>.</c> and <c>-</c>: a host name Kestrel's host check takes.</summary>
    public const byte Host = 4;

    /// <summary>
    /// How many bytes at the start of <paramref name="bytes"/> have <paramref name="flag"/>: its length, or the index
    /// of the first byte that has not.
    /// </summary>
    public static int Span(ReadOnlySpan<byte> bytes, byte flag)
    {
        ref var classes = ref MemoryMarshal.GetReference(Classes);
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            // Classes has 128 entries: the bound is checked here, once, and not again by the read.
            if (b >= 128 || (Unsafe.Add(ref classes, b) & flag) == 0)
                return i;
        }
        return bytes.Length;
    }

    /// <summary>Flags by byte, 0x00 to 0x7F (generated from the three sets; LaneRequestEquivalenceTests checks each byte).</summary>
    private static ReadOnlySpan<byte> Classes =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x00
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0x10
        0, 2, 0, 2, 2, 2, 3, 2, 0, 0, 2, 2, 0, 7, 6, 1, // 0x20  !"#$%&'()*+,-./
        7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 1, 0, 1, // 0x30  0-9 :;<=>?
        0, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 0x40  @A-O
        7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 2, 3, // 0x50  P-Z [\]^_
        2, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, // 0x60  `a-o
        7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 0, 2, 0, 2, 0, // 0x70  p-z {|}~ DEL
    ];
}
