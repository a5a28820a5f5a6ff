using RecFeed.Format;
using RecFeed.Generation;

namespace RecFeed.Tests.Support;

/// <summary>Feeds files for tests, written through the real writer.</summary>
public static class TestFeeds
{
    /// <summary>Explicit rows (shorter rows are padded with 0) and an explicit fallback list.</summary>
    public sealed class ListSource(IReadOnlyList<uint[]> rows, uint[] fallback) : IFeedSource
    {
        public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

        public void WriteRow(ulong user, Span<uint> destination)
        {
            destination.Clear();
            rows[(int)user].CopyTo(destination);
        }
    }

    public static FeedFileHeader WriteLists(string path, IReadOnlyList<uint[]> rows, uint[] fallback, int itemsPerUser, uint shardIndex = 0, uint shardCount = 1) =>
        FeedFileWriter.Write(path, FeedFileHeader.Create((ulong)rows.Count, itemsPerUser, fallback.Length, 0, shardIndex, shardCount), new ListSource(rows, fallback));

    public static FeedFileHeader WriteRandom(string path, ulong users, int itemsPerUser = 20, int fallback = 50, ulong seed = 7, uint maxItemId = 1_000_000) =>
        FeedFileWriter.Write(path, FeedFileHeader.Create(users, itemsPerUser, fallback, seed), new RandomFeedSource(seed, maxItemId, itemsPerUser));
}
