using RecFeed.Format;

namespace RecFeed.Tests.Support;

/// <summary>
/// Feeds files whose item ids tell which dataset and which position they come from: dataset d, user u, position p
/// holds d * 10,000,000 + u * 100 + p + 1, and its fallback ids are d * 10,000,000 + 9,000,000 + i. So any served
/// list shows whether it mixes datasets and how far the user had read.
/// </summary>
public static class TwoDatasets
{
    public const uint DatasetStride = 10_000_000;

    public static FeedFileHeader Write(string path, int dataset, int users, int itemsPerUser, int fallback = 40)
    {
        var rows = Enumerable.Range(0, users)
            .Select(u => Enumerable.Range(0, itemsPerUser).Select(p => Item(dataset, u, p)).ToArray())
            .ToList();
        var fallbackIds = Enumerable.Range(0, fallback).Select(i => (uint)(dataset * DatasetStride + 9_000_000 + i)).ToArray();
        return TestFeeds.WriteLists(path, rows, fallbackIds, itemsPerUser);
    }

    /// <summary>Dataset 1 as <c>one.bin</c> and dataset 2 as <c>two.bin</c> in <paramref name="dir"/>, same shape, different ids.</summary>
    public static (string One, string Two) WriteBoth(TempDirectory dir, int users, int itemsPerUser)
    {
        var (one, two) = (dir.File("one.bin"), dir.File("two.bin"));
        Write(one, dataset: 1, users, itemsPerUser);
        Write(two, dataset: 2, users, itemsPerUser);
        return (one, two);
    }

    public static uint Item(int dataset, int user, int position) => (uint)(dataset * DatasetStride + user * 100 + position + 1);

    public static int DatasetOf(uint item) => (int)(item / DatasetStride);

    /// <summary>The read position a personal item reveals.</summary>
    public static int PositionOf(uint item) => (int)(item % DatasetStride % 100) - 1;

    public static uint[] Parse(string json) =>
        json.Trim('[', ']', '\n') is { Length: > 0 } inner ? [.. inner.Split(',').Select(uint.Parse)] : [];
}
