using System.Numerics;
using System.Runtime.InteropServices;
using RecFeed.Slab;

namespace RecFeed.Import;

/// <summary>
/// The users × items matrix an import fills, in chunks of consecutive users allocated when a user in them first
/// appears. User ids may come sparse and in any order, and their maximum is only known at the end, so memory
/// follows the users actually seen instead of being sized (or resized, briefly doubling) up front.
/// A row is all zeros until written; rows are written by one thread and read by many once writing is over.
/// </summary>
public sealed unsafe class FeedMatrix : IDisposable
{
    /// <summary>Chunks stay near this size: big enough for huge pages, small enough that sparse ids waste little.</summary>
    private const ulong TargetChunkBytes = 64 << 20;

    private readonly int _shift;
    private readonly ulong _mask;
    private readonly ulong _chunkBytes;
    private Chunk?[] _chunks = [];

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

    /// <summary>One more than the largest user id written; 0 before the first row.</summary>
    public ulong UserCount { get; private set; }

    /// <summary>Native bytes held by the chunks allocated so far.</summary>
    public ulong AllocatedBytes { get; private set; }

    public bool HasRow(ulong user)
    {
        var chunk = ChunkOf(user);
        return chunk is not null && chunk.Has(user & _mask);
    }

    /// <summary>A user's row to fill in place; marks the user as having a row.</summary>
    public Span<uint> Row(ulong user)
    {
        var index = user >> _shift;
        if (index >= (ulong)_chunks.Length)
            Array.Resize(ref _chunks, (int)Math.Max(index + 1, (ulong)_chunks.Length * 2));
        var chunk = _chunks[index] ??= AllocateChunk();
        var local = user & _mask;
        chunk.Mark(local);
        UserCount = Math.Max(UserCount, user + 1);
        return new Span<uint>((uint*)chunk.Slab.Pointer + local * (ulong)ItemsPerUser, ItemsPerUser);
    }

    /// <summary>Copies a user's row (zeros if it never got one) into <paramref name="destination"/>.</summary>
    public void CopyRow(ulong user, Span<uint> destination)
    {
        var chunk = ChunkOf(user);
        if (chunk is null)
        {
            destination.Clear();
            return;
        }
        new ReadOnlySpan<uint>((uint*)chunk.Slab.Pointer + (user & _mask) * (ulong)ItemsPerUser, ItemsPerUser).CopyTo(destination);
    }

    /// <summary>Ids before the row's padding: 0 for a user without a row.</summary>
    public int RowLength(ulong user)
    {
        var chunk = ChunkOf(user);
        if (chunk is null)
            return 0;
        var row = new ReadOnlySpan<uint>((uint*)chunk.Slab.Pointer + (user & _mask) * (ulong)ItemsPerUser, ItemsPerUser);
        var end = row.IndexOf(0u);
        return end < 0 ? row.Length : end;
    }

    private Chunk? ChunkOf(ulong user)
    {
        var index = user >> _shift;
        return index < (ulong)_chunks.Length ? _chunks[index] : null;
    }

    private Chunk AllocateChunk()
    {
        var slab = new NativeSlab(_chunkBytes);
        NativeMemory.Clear(slab.Pointer, (nuint)_chunkBytes);
        AllocatedBytes += _chunkBytes;
        return new Chunk(slab, 1 << _shift);
    }

    public void Dispose()
    {
        foreach (var chunk in _chunks)
            chunk?.Slab.Dispose();
        _chunks = [];
    }

    private sealed class Chunk(NativeSlab slab, int users)
    {
        private readonly ulong[] _present = new ulong[(users + 63) / 64];

        public NativeSlab Slab => slab;

        public bool Has(ulong local) => (_present[local >> 6] & (1UL << (int)(local & 63))) != 0;

        public void Mark(ulong local) => _present[local >> 6] |= 1UL << (int)(local & 63);
    }
}
