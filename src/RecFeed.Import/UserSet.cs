namespace RecFeed.Import;

/// <summary>
/// The user ids an import has seen, one bit each in chunks allocated as ids appear: a row per user is checked for
/// every user read, whichever shard keeps it, at 1/8 byte per user instead of a row's worth.
/// </summary>
public sealed class UserSet
{
    private const int ChunkShift = 22; // 4M users, 512 KiB per chunk
    private const ulong ChunkMask = (1UL << ChunkShift) - 1;

    private ulong[]?[] _chunks = [];

    /// <summary>Adds <paramref name="user"/>; false if it was already there.</summary>
    public bool Add(ulong user)
    {
        var index = user >> ChunkShift;
        if (index >= (ulong)_chunks.Length)
            Array.Resize(ref _chunks, (int)Math.Max(index + 1, (ulong)_chunks.Length * 2));
        var chunk = _chunks[index] ??= new ulong[(1 << ChunkShift) / 64];
        var bit = 1UL << (int)(user & 63);
        ref var word = ref chunk[(user & ChunkMask) >> 6];
        if ((word & bit) != 0)
            return false;
        word |= bit;
        return true;
    }
}
