using System.IO.Hashing;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.State;

/// <summary>Base for the state file's tests: dataset 1 of <see cref="TwoDatasets"/> as <c>feeds.bin</c> and its default state path.</summary>
public abstract class StateFileTest : TempDirectoryTest
{
    protected StateFileTest(int users, int itemsPerUser)
    {
        Data = Dir.File("feeds.bin");
        StatePath = StateFile.DefaultPath(Data);
        DatasetId = TwoDatasets.Write(Data, dataset: 1, users: users, itemsPerUser: itemsPerUser).DatasetId;
    }

    protected string Data { get; }
    protected string StatePath { get; }
    protected ulong DatasetId { get; }

    protected FeedService Service() => new(FeedSlab.Load(Data), new FeedCounters());

    /// <summary>Journal record 1 of one chunk, <paramref name="body"/>, after the base whose header checksum is <paramref name="seed"/>.</summary>
    protected static byte[] FirstRecord(ulong seed, byte[] body, ulong usersPastStart)
    {
        var record = new byte[JournalRecordHeader.Size + body.Length];
        new JournalRecordHeader
        {
            Sequence = 1,
            ChunkCount = 1,
            UsersPastStart = usersPastStart,
            BodyChecksum = XxHash3.HashToUInt64(body, (long)seed),
        }.WriteTo(record, seed);
        body.CopyTo(record, JournalRecordHeader.Size);
        return record;
    }

    /// <summary>Restores the state file into a fresh service and reads what <paramref name="read"/> asks of it.</summary>
    protected T Restored<T>(Func<FeedService, T> read, out StateRestore restore)
    {
        using var service = Service();
        using var keeper = new StateKeeper(service, StatePath, new SnapshotStatistics());
        restore = keeper.Restore();
        return read(service);
    }
}
