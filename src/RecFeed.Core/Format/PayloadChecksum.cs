using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace RecFeed.Format;

/// <summary>
/// The payload checksum is a two-level XxHash3-64: the payload (every byte after the header) is cut into
/// <see cref="BlockSize"/> blocks, each block is hashed, and the checksum is the XxHash3-64 of the block hashes
/// written one after another as little-endian ulongs. Blocks are independent, so writers and loaders hash them
/// in parallel and straight from the buffer they are already copying.
/// </summary>
public sealed class PayloadChecksum
{
    public const int BlockSize = 4 << 20;

    private readonly ulong[] _blockHashes;

    public PayloadChecksum(ulong payloadLength) => _blockHashes = new ulong[BlockCount(payloadLength)];

    public static int BlockCount(ulong payloadLength) => checked((int)((payloadLength + BlockSize - 1) / BlockSize));

    /// <summary>Records the hash of one block; safe to call from several threads for different blocks.</summary>
    public void AddBlock(int blockIndex, ReadOnlySpan<byte> block) => _blockHashes[blockIndex] = XxHash3.HashToUInt64(block);

    public ulong Value => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(_blockHashes.AsSpan()));
}
