using System.Diagnostics;
using System.Globalization;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Slab;

// Delta cost at scale: writes a delta listing PERCENT % of DATA's users (random users, full rows of random ids) to
// DATA.deltas/, then applies it over the served base as serve does (FeedReloader.ApplyDeltas: read, verify, build the
// overlay, swap) and reports the time and the bytes the code allocated for it (native: the overlay's own count of
// what it allocated; managed: GC.GetTotalAllocatedBytes) against the delta file's size; then times requests for
// users with and without a delta row. The delta file is removed at the end.
//   dotnet run -c Release --project bench/DeltaCost -- DATA [percent = 1] [requests = 1000000]
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: DeltaCost DATA [percent] [requests]");
    return 2;
}
var data = args[0];
var percent = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1;
var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;

var load = Stopwatch.StartNew();
using var service = new FeedService(FeedSlab.Load(data), new FeedCounters());
var header = service.Slab.Header;
Console.WriteLine($"{header.UserCount} users x {header.ItemsPerUser} items loaded in {load.Elapsed.TotalSeconds:F1} s");

var random = new Random(42);
var listed = new SortedSet<ulong>();
var wanted = (int)Math.Max(1, header.UserCount * percent / 100);
while (listed.Count < wanted)
    listed.Add((ulong)random.NextInt64((long)header.UserCount));
var rows = listed.Select(u => (u, Enumerable.Range(0, (int)header.ItemsPerUser).Select(_ => (uint)random.Next(1, 10_000_000)).Distinct().ToArray()))
    .ToList();
var folder = DeltaFolder.FolderOf(data);
Directory.CreateDirectory(folder);
var path = Path.Combine(folder, $"zz-bench-{Environment.ProcessId}.delta");
var written = DeltaFileWriter.Write(path, header, rows, flushToDisk: false);
rows = null;
GC.Collect();
try
{
    using var reloader = new FeedReloader(service, data, new ReloadStatistics());
    var managed = GC.GetTotalAllocatedBytes(precise: true);
    var clock = Stopwatch.StartNew();
    var scan = reloader.ApplyDeltas();
    var elapsed = clock.Elapsed;
    managed = GC.GetTotalAllocatedBytes(precise: true) - managed;
    if (scan.Added.Count == 0)
    {
        Console.Error.WriteLine($"the delta was not applied{scan.Describe()}");
        return 1;
    }
    var native = service.Current.Overlay!.Bytes;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"apply: {written.UserCount} users ({percent} %), delta file {written.FileLength} bytes, applied in {elapsed.TotalSeconds:F3} s; " +
        $"native {native} bytes, managed {managed} bytes: {(double)(native + (ulong)managed) / written.FileLength:F3} x the file"));

    var response = new uint[10];
    var users = listed.ToArray();
    foreach (var (name, pick) in new (string, Func<uint>)[]
    {
        ("without a delta row", () => { uint u; do { u = (uint)random.NextInt64((long)header.UserCount); } while (listed.Contains(u)); return u; }),
        ("with a delta row", () => (uint)users[random.Next(users.Length)]),
    })
    {
        var ids = Enumerable.Range(0, requests).Select(_ => pick()).ToArray();
        var timer = Stopwatch.StartNew();
        foreach (var id in ids)
            service.Serve(id, response, out _);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"requests {name}: {requests}, {timer.Elapsed.TotalNanoseconds / requests:F0} ns a request"));
    }
}
finally
{
    File.Delete(path);
}
return 0;
