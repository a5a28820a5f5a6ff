using Microsoft.Win32.SafeHandles;
using RecFeed.Format;
using RecFeed.Native;

namespace RecFeed.Slab;

/// <summary>
/// Which file a slab was loaded from: inode, length, last write time and dataset id. Two equal identities mean the
/// same bytes for every practical purpose (a rename over the path changes the inode, a rewrite in place the mtime),
/// so a reload of an unchanged file can be skipped without reading or verifying it again.
/// </summary>
public readonly record struct FeedFileIdentity(ulong Inode, long Length, DateTime LastWriteUtc, ulong DatasetId)
{
    internal static FeedFileIdentity Of(SafeFileHandle handle, FeedFileHeader header) =>
        new(LibC.Inode(handle), RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle), header.DatasetId);
}
