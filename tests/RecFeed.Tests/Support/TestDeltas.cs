using RecFeed.Format;
using RecFeed.Slab;

namespace RecFeed.Tests.Support;

/// <summary>Delta files for tests, written through the real writer beside a base (<c>BASE.deltas/NAME</c>).</summary>
public static class TestDeltas
{
    /// <summary>Writes <paramref name="rows"/> (local row → new list) as <c>BASE.deltas/<paramref name="name"/></c>; returns its path.</summary>
    public static string Write(string basePath, string name, IReadOnlyDictionary<ulong, uint[]> rows)
    {
        var folder = DeltaFolderOf(basePath);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        DeltaFileWriter.Write(path, FeedSlab.ReadHeader(basePath), [.. rows.OrderBy(r => r.Key).Select(r => (r.Key, r.Value))], flushToDisk: false);
        return path;
    }

    public static string DeltaFolderOf(string basePath) => basePath + ".deltas";

    /// <summary>The new list of user <paramref name="user"/> in a test delta: ids that say "delta" and the user.</summary>
    public static uint[] NewList(int user, int length, int delta = 1) =>
        [.. Enumerable.Range(0, length).Select(p => (uint)(80_000_000 + delta * 1_000_000 + user * 100 + p + 1))];
}
