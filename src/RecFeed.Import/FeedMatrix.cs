using System.Numerics;
using System.Runtime.InteropServices;
using RecFeed.Native;

namespace RecFeed.Import;

/// <summary>
/// The users × items matrix an import fills, in chunks of consecutive users allocated when a user in them first
/// appears. User ids may come sparse and in any order, and their maximum is only known at the end, so memory
/// follows the users actually seen instead of being sized (or resized, briefly doubling) up front.
/// A row is all zeros until written; rows are written by one thread and read by many once writing is over.
/// Rows are indexed by row number: the user id, or with one shard kept, the user's row in that shard.
/// </summary>
public sealed unsafe class FeedMatrix : IDisposable
{
    /// <summary>Chunks stay near this size: big enough for huge pages, small enough that sparse ids waste little.</summary>
    private const ulong TargetChunkBytes = 64 << 20;

    private readonly int _shift;
    private readonly ulong _mask;
    private readonly ulong _chunkBytes;
    private NativeSlab?[] _chunks = [];

    public FeedMatrix(int itemsPerUser)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(itemsPerUser, 1);
        ItemsPerUser = itemsPerUser;
        var rowBytes = (ulong)itemsPerUser * sizeof(uint);
        _shift = BitOperations.Log2(Math.Max(1, TargetChunkBytes / rowBytes));
        _mask = (1UL << _shift) - 1;
        _chunkBytes = rowBytes << _shift;
    }

    public int ItemsPerUser { get; }

    /// <summary>Native bytes held by the chunks allocated so far.</summary>
    public ulong AllocatedBytes { get; private set; }

    /// <summary>A row to fill in place.</summary>
    public Span<uint> Row(ulong row)
    {
        var index = row >> _shift;
        if (index >= (ulong)_chunks.Length)
            Array.Resize(ref _chunks, (int)Math.Max(index + 1, (ulong)_chunks.Length * 2));
        var chunk = _chunks[index] ??= AllocateChunk();
        return new Span<uint>((uint*)chunk.Pointer + (row & _mask) * (ulong)ItemsPerUser, ItemsPerUser);
    }

    /// <summary>Copies a row (zeros if it was never written) into <paramref name="destination"/>.</summary>
    public void CopyRow(ulong row, Span<uint> destination)
    {
        var stored = Stored(row);
        stored.CopyTo(destination);
        destination[stored.Length..].Clear();
    }

    /// <summary>Ids before the row's padding: 0 for a row never written.</summary>
    public int RowLength(ulong row)
    {
        var stored = Stored(row);
        var end = stored.IndexOf(0u);
        return end < 0 ? stored.Length : end;
    }

    /// <summary>A row as stored, padding included; empty if its chunk was never allocated.</summary>
    private ReadOnlySpan<uint> Stored(ulong row)
    {
        var index = row >> _shift;
        var chunk = index < (ulong)_chunks.Length ? _chunks[index] : null;
        return chunk is null ? [] : new ReadOnlySpan<uint>((uint*)chunk.Pointer + (row & _mask) * (ulong)ItemsPerUser, ItemsPerUser);
    }

    private NativeSlab AllocateChunk()
    {
        var slab = new NativeSlab(_chunkBytes);
        NativeMemory.Clear(slab.Pointer, (nuint)_chunkBytes);
        AllocatedBytes += _chunkBytes;
        return slab;
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks)
            chunk?.Dispose();
        _chunks = [];
    }
}
