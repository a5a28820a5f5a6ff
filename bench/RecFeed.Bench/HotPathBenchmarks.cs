using BenchmarkDotNet.Attributes;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Synthetic;
using RecFeed.Slab;

namespace RecFeed.Bench;

/// <summary>
/// Each step of a feed request, in process: what is left of the request's cost once the socket and the HTTP
/// parser are taken away. Every one must report 0 B allocated (guarded in CI by HotPathAllocationTests).
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    private const int Users = 100_000;
    private const int ItemsPerUser = 200;
    private const uint Exhausted = 2;

    private readonly uint[] _items = new uint[ItemsPerUser];
    private readonly byte[] _body = new byte[4096];
    private string _directory = "";
    private FeedService _service = null!;
    private uint _nextUser;
    private int _personalCount;

    [Params(FeedFileHeader.Version1, FeedFileHeader.Version2)]
    public uint FormatVersion { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("recfeed-bench").FullName;
        var path = Path.Combine(_directory, "feeds.bin");
        var source = new RandomFeedSource(RandomFeedSource.DefaultSeed, 10_000_000, ItemsPerUser);
        using (var layout = FeedLayout.Plan(FeedFileHeader.Create(Users, ItemsPerUser, 50, RandomFeedSource.DefaultSeed), FormatVersion, source))
            FeedFileWriter.Write(path, layout, source);
        _service = new FeedService(FeedSlab.Load(path), new FeedCounters());
        _personalCount = _service.Serve(1, _items.AsSpan(0, FeedService.DefaultSize), out var count) == FeedOutcome.Served ? count : 0;
        _service.Serve(Exhausted, _items, out _); // reads user 2's whole row: from now on fallback only
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _service.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public uint ParseUserId() => FeedRequest.TryParseUserId("4999999".AsSpan(), out var id) ? id : 0;

    [Benchmark]
    public int ParseSizeAbsent() => FeedRequest.TryParseSize("".AsSpan(), ItemsPerUser, FeedService.DefaultSize, out var size) ? size : 0;

    [Benchmark]
    public int ParseSizeGiven() => FeedRequest.TryParseSize("?size=10".AsSpan(), ItemsPerUser, FeedService.DefaultSize, out var size) ? size : 0;

    /// <summary>A known user: claim the next 10 personal items (CAS on the offset); fallback once the row runs out.</summary>
    [Benchmark]
    public int ServeKnownUser()
    {
        var user = _nextUser++ % Users;
        _service.Serve(user, _items.AsSpan(0, FeedService.DefaultSize), out var count);
        return count;
    }

    /// <summary>A known user past their list: 10 items of their fallback cycle, their 200 own ids skipped, the cursor claimed.</summary>
    [Benchmark]
    public int ServeExhaustedUser()
    {
        _service.Serve(Exhausted, _items.AsSpan(0, FeedService.DefaultSize), out var count);
        return count;
    }

    /// <summary>A user beyond the file: 10 fallback items, the fill path alone.</summary>
    [Benchmark]
    public int ServeFallbackOnly()
    {
        _service.Serve(Users + 1, _items.AsSpan(0, FeedService.DefaultSize), out var count);
        return count;
    }

    /// <summary>Content-Length and body of a 10-item feed.</summary>
    [Benchmark]
    public int FormatBody()
    {
        var items = _items.AsSpan(0, Math.Max(_personalCount, 1));
        return FeedBody.Length(items) + FeedBody.Write(_body, items);
    }

    /// <summary>All of the above for one request, as FeedHandler runs it.</summary>
    [Benchmark]
    public int WholeRequest()
    {
        var user = _nextUser++ % Users;
        if (!FeedRequest.TryParseSize("".AsSpan(), ItemsPerUser, FeedService.DefaultSize, out var size))
            return 0;
        var items = _items.AsSpan(0, size);
        _service.Serve(user, items, out var count);
        return FeedBody.Length(items[..count]) + FeedBody.Write(_body, items[..count]);
    }
}
