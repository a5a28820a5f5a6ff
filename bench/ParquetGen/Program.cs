using System.Diagnostics;
using RecFeed.Synthetic;
using RecFeed.Tests.Support;

// usage: ParquetGen OUT USERS ITEMS_PER_USER ROWS_PER_GROUP [full|varied]
// One row per user (user_id int64, items list<int64>), users in order, ITEMS_PER_USER distinct ids in 1..10,000,000
// per user from RandomFeedSource (seed 42), so reruns write the same data. "varied" keeps only the first
// 1..ITEMS_PER_USER of them, the length spread evenly over users, as a real recommender's short and long lists.
if (args.Length is not (4 or 5) || args.Length == 5 && args[4] is not ("full" or "varied"))
{
    Console.Error.WriteLine("usage: ParquetGen OUT USERS ITEMS_PER_USER ROWS_PER_GROUP [full|varied]");
    return 2;
}
var (output, users, itemsPerUser, rowsPerGroup) = (args[0], long.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]));
var varied = args.Length == 5 && args[4] == "varied";
var source = new RandomFeedSource(RandomFeedSource.DefaultSeed, 10_000_000, itemsPerUser);
var started = Stopwatch.GetTimestamp();

IEnumerable<IReadOnlyList<ParquetFiles.WideRow>> Groups()
{
    var row = new uint[itemsPerUser];
    for (var first = 0L; first < users; first += rowsPerGroup)
    {
        var group = new ParquetFiles.WideRow[Math.Min(rowsPerGroup, users - first)];
        for (var i = 0; i < group.Length; i++)
        {
            source.WriteRow((ulong)(first + i), row);
            // The first id is uniform over 1..10,000,000, a multiple of any usual ITEMS_PER_USER: so is the length over 1..ITEMS_PER_USER.
            var length = varied ? 1 + (int)(row[0] % (uint)itemsPerUser) : itemsPerUser;
            group[i] = new ParquetFiles.WideRow(first + i, Array.ConvertAll(row[..length], item => (long?)item));
        }
        yield return group;
    }
}

await ParquetFiles.WriteWideGroupsAsync(output, Groups());
Console.WriteLine($"wrote {output}: {users} users x {(varied ? "1.." : "")}{itemsPerUser} items, {rowsPerGroup} rows per group, " +
    $"{new FileInfo(output).Length} bytes, {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
return 0;
