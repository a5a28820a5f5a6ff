using System.Globalization;
using RecFeed.Feed;
using RecFeed.Slab;
using RecFeed.Sync;

// Position sync cost at scale: two replicas of one feeds file in this process and a Redis. Each round, replica A
// serves N distinct random users (size 1), as a second of traffic with N active users would, then A's sync round
// sends them and B's takes them in. Bytes are RESP bytes on the wire, as counted for /metrics. Round 0 of each is the
// reconcile of a fresh start (every position read once from Redis).
//   dotnet run -c Release --project bench/SyncCost -- DATA redis://HOST:PORT/PREFIX [active per round = 10000] [rounds = 10]
if (args.Length < 2 || RedisAddress.Parse(args[1]) is not ({ } redis, null))
{
    Console.Error.WriteLine("usage: SyncCost DATA redis://HOST:PORT/PREFIX [active-users-per-round] [rounds]");
    return 2;
}
var active = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 10;
var timeout = TimeSpan.FromSeconds(60);

using var a = new FeedService(FeedSlab.Load(args[0]), new FeedCounters());
using var b = new FeedService(FeedSlab.Load(args[0]), new FeedCounters());
Console.WriteLine($"{a.Slab.UserCount} users x {a.Slab.ItemsPerUser} items, {active} active users a round");
var (statsA, statsB) = (new SyncStatistics(), new SyncStatistics());
using var syncA = new PositionSync(a, redis, statsA);
using var syncB = new PositionSync(b, redis, statsB);
await syncA.RoundAsync(timeout, CancellationToken.None);
await syncB.RoundAsync(timeout, CancellationToken.None);
Console.WriteLine($"reconcile at start: A sent {statsA.BytesSent} received {statsA.BytesReceived}; " +
    $"B sent {statsB.BytesSent} received {statsB.BytesReceived} bytes");

var random = new Random(42);
var items = new uint[1];
for (var round = 1; round <= rounds; round++)
{
    for (var i = 0; i < active; i++)
        a.Serve((uint)random.NextInt64((long)a.Slab.UserCount), items, out _);
    var receivedBefore = statsB.BytesReceived;
    var sent = await syncA.RoundAsync(timeout, CancellationToken.None);
    var taken = await syncB.RoundAsync(timeout, CancellationToken.None);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round,3}: A sent {sent.UsersSent,7} users in {sent.BytesSent,9} bytes ({(double)sent.BytesSent / Math.Max(1, sent.UsersSent):F2} a user); " +
        $"B took in {taken.UsersTakenIn,7} users, received {statsB.BytesReceived - receivedBefore,9} bytes, sent {taken.BytesSent} bytes"));
}
return 0;
