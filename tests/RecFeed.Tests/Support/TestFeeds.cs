using RecFeed.Format;
using RecFeed.Synthetic;

namespace RecFeed.Tests.Support;

/// <summary>Feeds files for tests, written through the real writer, in the current format unless a version is named.</summary>
public static class TestFeeds
{
    /// <summary>Both format versions, for tests that run once per version.</summary>
    public static TheoryData<uint> Versions => [FeedFileHeader.Version1, FeedFileHeader.Version2];

    /// <summary>Explicit rows (shorter rows are padded with 0) and an explicit fallback list.</summary>
    public sealed class ListSource(IReadOnlyList<uint[]> rows, uint[] fallback) : IFeedSource
    {
        public uint MaxItemId => rows.SelectMany(r => r).DefaultIfEmpty().Max();

        public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

        public int RowLength(ulong user) => rows[(int)user].Length;

        public void WriteRow(ulong user, Span<uint> destination)
        {
            destination.Clear();
            rows[(int)user].CopyTo(destination);
        }
    }

    public static FeedFileHeader Write(string path, FeedFileHeader shape, IFeedSource source, uint version = FeedFileHeader.CurrentVersion)
    {
        using var layout = FeedLayout.Plan(shape, version, source);
        return FeedFileWriter.Write(path, layout, source);
    }

    public static FeedFileHeader WriteLists(string path, IReadOnlyList<uint[]> rows, uint[] fallback, int itemsPerUser,
        uint shardIndex = 0, uint shardCount = 1, uint version = FeedFileHeader.CurrentVersion) =>
        Write(path, FeedFileHeader.Create((ulong)rows.Count, itemsPerUser, fallback.Length, 0, shardIndex, shardCount),
            new ListSource(rows, fallback), version);

    public static FeedFileHeader WriteRandom(string path, ulong users, int itemsPerUser = 20, int fallback = 50, ulong seed = 7, uint maxItemId = 1_000_000,
        uint version = FeedFileHeader.CurrentVersion) =>
        Write(path, FeedFileHeader.Create(users, itemsPerUser, fallback, seed), new RandomFeedSource(seed, maxItemId, itemsPerUser), version);
}
