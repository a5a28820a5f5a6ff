using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Writes the body; <paramref name="destination"/> must hold <see cref="Length"/> bytes (checked). With room for
    /// <see cref="MaxLength"/>, as every answer asks, each id is converted in one register and stored whole, and the
    /// bytes past the body the last store reached are left as they are; without it, each id goes through a scratch
    /// buffer and is copied after its bounds check. Runs once per item of every answer.
    /// </summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<uint> items)
    {
        if (destination.Length < MaxLength(items.Length))
            return WriteChecked(destination, items);
        ref var start = ref MemoryMarshal.GetReference(destination);
        start = (byte)'[';
        nuint at = 1;
        foreach (var item in items)
        {
            // At most ten bytes written for an id, and MaxLength counts eleven with its comma: no check needed.
            at += WriteId(ref Unsafe.Add(ref start, at), item);
            Unsafe.Add(ref start, at++) = (byte)','; // the last one becomes the closing bracket
        }
        if (items.IsEmpty)
            at++;
        Unsafe.Add(ref start, at - 1) = (byte)']';
        return (int)at;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WriteChecked(Span<byte> destination, ReadOnlySpan<uint> items)
    {
        if (destination.Length < 2)
            ThrowTooSmall();
        Span<byte> id = stackalloc byte[16];
        destination[0] = (byte)'[';
        var at = 1;
        foreach (var item in items)
        {
            var digits = (int)WriteId(ref MemoryMarshal.GetReference(id), item);
            if (destination.Length - at <= digits)
                ThrowTooSmall();
            id[..digits].CopyTo(destination[at..]);
            at += digits;
            destination[at++] = (byte)',';
        }
        if (items.IsEmpty)
            at++;
        destination[at - 1] = (byte)']';
        return at;
    }

    /// <summary>Decimal digits of <paramref name="value"/>: one add and a shift, from a table by its highest bit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Digits(uint value) => (int)((value + DigitsTable[BitOperations.Log2(value)]) >> 32);

    /// <summary>
    /// Writes <paramref name="value"/>'s digits at <paramref name="at"/> and returns how many: up to eight in one
    /// 8-byte store (whose bytes past them the caller overwrites or leaves), nine or ten as their first one or two
    /// and then eight; never more than ten bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nuint WriteId(ref byte at, uint value)
    {
        var digits = Digits(value);
        if (value < 100_000_000)
        {
            Unsafe.WriteUnaligned(ref at, EightDigits(value) >> ((sizeof(ulong) - digits) * 8));
            return (nuint)digits;
        }
        var high = value / 100_000_000; // 1 to 42
        if (high >= 10)
        {
            at = (byte)('0' + high / 10);
            at = ref Unsafe.Add(ref at, 1);
            high %= 10;
        }
        at = (byte)('0' + high);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref at, 1), EightDigits(value % 100_000_000));
        return (nuint)digits;
    }

    /// <summary>
    /// <paramref name="value"/> (below 10^8) as eight ASCII digits, zero-padded, the first in the lowest byte: split
    /// into halves of four digits in 32-bit lanes, each lane into two of 16 bits (÷100 as ×10486 ≫ 20), each of those
    /// into bytes (÷10 as ×103 ≫ 10); both multiplications are exact below 10,000 and 100, and no lane overflows
    /// into the next.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong EightDigits(uint value)
    {
        var high = value / 10_000;
        var x = high | ((ulong)(value - high * 10_000) << 32);
        var hundreds = ((x * 10486) >> 20) & 0x0000_007F_0000_007F;
        x = hundreds | ((x - hundreds * 100) << 16);
        var tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
        x = tens | ((x - tens * 10) << 8);
        return x + 0x3030_3030_3030_3030;
    }

    /// <summary>
    /// By the value's highest set bit i, with d the digits of 2^i: (d &lt;&lt; 32) when no power of ten has that bit, else
    /// ((d + 1) &lt;&lt; 32) − 10^d, so that adding the value carries into the count exactly from 10^d up (Lemire's
    /// digit count).
    /// </summary>
    private static ReadOnlySpan<ulong> DigitsTable =>
    [
        4294967296, 4294967296, 4294967296, 8589934582, 8589934592, 8589934592, 12884901788, 12884901888, 12884901888,
        17179868184, 17179869184, 17179869184, 17179869184, 21474826480, 21474836480, 21474836480, 25769703776,
        25769803776, 25769803776, 30063771072, 30064771072, 30064771072, 30064771072, 34349738368, 34359738368,
        34359738368, 38554705664, 38654705664, 38654705664, 41949672960, 42949672960, 42949672960,
    ];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooSmall() => throw new ArgumentException("destination is smaller than the body", "destination");
}
