using System.Diagnostics;
using System.Globalization;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.State;

// Snapshot cost at scale: serve N distinct random users (size 1) per round, then take one snapshot, as the
// periodic snapshotter does. The time is measured around StateKeeper.WriteIfChanged, which holds the service's
// swap lock from start to end, so it is the time a reload would wait. Then a restore of what was written.
//   dotnet run -c Release --project bench/SnapshotCost -- DATA STATE [active per round = 10000] [rounds = 20]
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: SnapshotCost DATA STATE [active-users-per-round] [rounds]");
    return 2;
}
var active = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
File.Delete(args[1]);

var load = Stopwatch.StartNew();
using var service = new FeedService(FeedSlab.Load(args[0]), new FeedCounters());
Console.WriteLine($"{service.Slab.UserCount} users x {service.Slab.ItemsPerUser} items loaded in {load.Elapsed.TotalSeconds:F1} s");
var keeper = new StateKeeper(service, args[1], new SnapshotStatistics());
var random = new Random(42);
var items = new uint[1];
for (var round = 0; round < rounds; round++)
{
    for (var i = 0; i < active; i++)
        service.Serve((uint)random.NextInt64((long)service.Slab.UserCount), items, out _);
    var clock = Stopwatch.StartNew();
    var snapshot = keeper.WriteIfChanged();
    var held = clock.Elapsed;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round,3}: {snapshot?.Bytes ?? 0,12} bytes written, lock held {held.TotalMilliseconds,9:F1} ms, " +
        $"{snapshot?.UsersPastStart ?? 0} users past the start, state file {new FileInfo(args[1]).Length} bytes"));
}
keeper.Dispose();

// What a restart pays for the journal: the base plus every record, read, verified and applied.
using var restarted = new FeedService(FeedSlab.Load(args[0]), new FeedCounters());
using var restoring = new StateKeeper(restarted, args[1], new SnapshotStatistics());
var restoreClock = Stopwatch.StartNew();
var restored = restoring.Restore();
Console.WriteLine($"restore: {restored.Outcome}, base + {restored.Records} records, {restored.UsersPastStart} users past the start, " +
    $"{restoreClock.Elapsed.TotalMilliseconds:F0} ms");
return 0;
