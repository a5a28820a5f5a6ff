using System.Runtime.InteropServices;

namespace RecFeed.Native;

/// <summary>
/// The one owner of a block of native memory: 2 MiB aligned so the kernel can back it with huge pages (fewer TLB
/// misses on random user rows), freed exactly once.
/// </summary>
public sealed unsafe class NativeSlab : IDisposable
{
    public const nuint Alignment = 2 << 20;

    private void* _pointer;

    public NativeSlab(ulong length)
    {
        Length = length;
        _pointer = NativeMemory.AlignedAlloc((nuint)Math.Max(length, 1), Alignment);
        if (length >= Alignment && OperatingSystem.IsLinux())
            _ = LibC.MAdvise(_pointer, (nuint)AlignDown(length), LibC.MADV_HUGEPAGE);
    }

    public ulong Length { get; }

    public byte* Pointer => _pointer != null ? (byte*)_pointer : throw new ObjectDisposedException(nameof(NativeSlab));

    public Span<byte> Slice(ulong offset, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + (ulong)length, Length);
        return new Span<byte>(Pointer + offset, length);
    }

    public void Dispose()
    {
        var p = _pointer;
        _pointer = null;
        if (p != null)
            NativeMemory.AlignedFree(p);
    }

    private static ulong AlignDown(ulong length) => length & ~((ulong)Alignment - 1);
}
