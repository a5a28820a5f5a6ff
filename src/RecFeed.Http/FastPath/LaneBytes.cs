using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecFeed.Http.FastPath;

/// <summary>
/// What each ASCII byte may be in the parts of a request the fast lane reads, as one table of flags, and the same
/// sets as nibble tables for 16 bytes at a time. The sets are exactly the ones <see cref="LaneRequest"/> documents; a
/// byte of 0x80 or above is in none of them.
/// </summary>
internal static class LaneBytes
{
    /// <summary>Letters, digits and <c>/?=&amp;-_</c>: nothing Kestrel would decode or normalise in a target.</summary>
    public const byte Target = 1;

    /// <summary>RFC 9110 token characters: a header name.</summary>
    public const byte Token = 2;

    /// <summary>Letters, digits, <c>.</c> and <c>-</c>: a host name Kestrel's host check takes.</summary>
    public const byte Host = 4;

    /// <summary>Visible ASCII and the space, 0x20 to 0x7E: a header line's bytes besides tabs.</summary>
    public const byte Visible = 8;

    /// <summary>
    /// How many bytes of <paramref name="input"/> from <paramref name="start"/> on have <paramref name="flag"/>: all
    /// of them, or up to the first that has not. The input before <paramref name="start"/> is there for the vector
    /// path: fewer than 16 bytes left are read as the last 16 bytes of the input, the ones before start masked off.
    /// Callers pass all the input they have, not just the part they expect to match: the scan stops at the first
    /// byte outside the set anyway.
    /// </summary>
    public static int Span(ReadOnlySpan<byte> input, int start, byte flag)
    {
        if (!Vector128.IsHardwareAccelerated || input.Length < Vector128<byte>.Count)
            return ScalarSpan(input[start..], flag);
        var rows = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(Rows), (nuint)BitOperations.TrailingZeroCount(flag) * 16);
        ref var first = ref MemoryMarshal.GetReference(input);
        var last = (nuint)(input.Length - Vector128<byte>.Count);
        var at = (nuint)(uint)start;
        for (; at < last; at += (nuint)Vector128<byte>.Count)
            if (Outside(Vector128.LoadUnsafe(ref first, at), rows) is var outside and not 0)
                return (int)at - start + BitOperations.TrailingZeroCount(outside);
        // The last 16 bytes, overlapping what was checked or what comes before start: only the lanes from at on count.
        var end = Outside(Vector128.LoadUnsafe(ref first, last), rows) >> (int)(at - last);
        return end == 0 ? input.Length - start : (int)at - start + BitOperations.TrailingZeroCount(end);
    }

    /// <summary>
    /// A bit per byte of <paramref name="v"/> outside the set: a byte is in it when its low nibble's entry in
    /// <paramref name="rows"/> has the bit of its high nibble (a bit for each of the eight ASCII rows of 16 bytes;
    /// none for a high nibble of 8 or more).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Outside(Vector128<byte> v, Vector128<byte> rows)
    {
        var nibble = Vector128.Create((byte)0x0F);
        var columns = Vector128.ShuffleNative(rows, v & nibble);
        var row = Vector128.ShuffleNative(RowBits, Vector128.ShiftRightLogical(v.AsUInt16(), 4).AsByte() & nibble);
        return Vector128.Equals(columns & row, Vector128<byte>.Zero).ExtractMostSignificantBits();
    }

    private static Vector128<byte> RowBits => Vector128.Create((byte)1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0);

    private static int ScalarSpan(ReadOnlySpan<byte> bytes, byte flag)
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

    /// <summary>
    /// For <see cref="Target"/>, <see cref="Token"/>, <see cref="Host"/> and <see cref="Visible"/> in turn, 16 bytes by low nibble: bit h set
    /// when byte 0xhl is in the set. The same sets as <see cref="Classes"/> (LaneRequestEquivalenceTests checks each
    /// byte at every position of a vector).
    /// </summary>
    private static ReadOnlySpan<byte> Rows =>
    [
        0xA8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xFC, 0xF8, 0xF8, 0xF8, 0xF0, 0x50, 0x50, 0x5C, 0x50, 0x7C,
        0xE8, 0xFC, 0xF8, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xF8, 0xF8, 0xF4, 0x54, 0xD0, 0x54, 0xF4, 0x70,
        0xA8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF8, 0xF0, 0x50, 0x50, 0x54, 0x54, 0x50,
        0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0xFC, 0x7C,
    ];

    /// <summary>Flags by byte, 0x00 to 0x7F (generated from the four sets; LaneRequestEquivalenceTests checks each byte).</summary>
    private static ReadOnlySpan<byte> Classes =>
    [
         0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, // 0x00
         0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0, // 0x10
         8, 10,  8, 10, 10, 10, 11, 10,  8,  8, 10, 10,  8, 15, 14,  9, // 0x20  !"#$%&'()*+,-./
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15,  8,  8,  8,  9,  8,  9, // 0x30  0-9 :;<=>?
         8, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, // 0x40  @A-O
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,  8,  8,  8, 10, 11, // 0x50  P-Z [\]^_
        10, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, // 0x60  `a-o
        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,  8, 10,  8, 10,  0, // 0x70  p-z {|}~ DEL
    ];
}
