using RecFeed.Tests.Support;
using static RecFeed.Tests.Support.ParquetFiles;

namespace RecFeed.Tests.Import;

/// <summary>
/// The published Native AOT binary imports the same recommendations from CSV, wide Parquet and long Parquet, producing
/// byte-identical feeds files; served by the same binary, every user's items come back over HTTP in stored order.
/// This is the proof that Parquet.Net's code path used by import survives trimming and AOT compilation.
/// </summary>
public sealed class ImportEndToEndTests : IDisposable
{
    private const int ItemsPerUser = 10;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Sparse, unsorted users; list lengths 0..14 so some are cut; ids across the whole uint range.</summary>
    private static SortedDictionary<long, long[]> Recommendations()
    {
        var random = new Random(4);
        var lists = new SortedDictionary<long, long[]>();
        foreach (var user in Enumerable.Range(0, 120).Where(u => u % 3 != 1).OrderBy(_ => random.Next()))
        {
            var items = new HashSet<long>();
            var length = random.Next(0, 15);
            while (items.Count < length)
                items.Add(random.Next(4) == 0 ? random.NextInt64(1, 4294967296) : random.Next(1, 200));
            lists[user] = [.. items];
        }
        return lists;
    }

    [Fact]
    public async Task Csv_and_both_parquet_shapes_import_to_the_same_file_and_serve_every_users_items_in_order()
    {
        var lists = Recommendations();
        var shuffled = lists.OrderBy(p => (p.Key * 7919) % 127).ToArray();
        var csv = _dir.File("recs.csv");
        await File.WriteAllLinesAsync(csv, ["user_id,items", .. shuffled.Select(p => $"{p.Key},{string.Join(' ', p.Value)}")]);
        var wide = _dir.File("recs.parquet");
        await WriteWideAsync(wide, [.. shuffled.Select(p => new WideRow(p.Key, p.Value.Length == 0 && p.Key % 2 == 0 ? null : [.. p.Value.Cast<long?>()]))],
            new Types(typeof(int), typeof(long), typeof(int)), rowsPerGroup: 17);
        var longShape = _dir.File("long.parquet");
        // Each user's rows in reverse rank order, so only the sort puts them right; users without items have no rows
        // here, so the long import states the user count with --users.
        await WriteLongAsync(longShape, [.. shuffled.SelectMany(p => p.Value.Select((item, i) => new LongRow(p.Key, item, i)).Reverse())],
            rowsPerGroup: 50);
        var users = (lists.Keys.Max() + 1).ToString();

        var fromCsv = await ImportAsync(csv, "csv.bin");
        var fromWide = await ImportAsync(wide, "wide.bin");
        var fromLong = await ImportAsync(longShape, "long.bin", "--long", "--users", users);

        var bytes = await File.ReadAllBytesAsync(fromCsv);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(fromWide));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(fromLong));

        var fallback = ImportHarness.Fallback(fromWide).ToHashSet();
        await using var server = await ServeProcess.StartAsync(fromWide);
        for (var user = 0L; user <= lists.Keys.Max(); user++)
        {
            var expected = lists.TryGetValue(user, out var list) ? list.Take(ItemsPerUser).Select(i => (uint)i).ToArray() : [];
            var body = await server.Client.GetStringAsync($"/feed/{user}?size={ItemsPerUser}");
            var served = body.Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToArray();
            Assert.True(served.AsSpan().StartsWith(expected), $"user {user}: expected {string.Join(',', expected)} first, got {body}");
            Assert.All(served[expected.Length..], item => Assert.Contains(item, fallback));
        }
    }

    private async Task<string> ImportAsync(string input, string output, params string[] options)
    {
        var path = _dir.File(output);
        var result = await RecFeedProcess.RunAsync(["import", "--from", input, "--out", path, "--items-per-user", ItemsPerUser.ToString(), .. options]);
        Assert.True(result.Code == 0, $"import {input} failed ({result.Code}): {result.Stderr}");
        Assert.StartsWith($"imported {input} into {path}: ", result.Stdout);
        Assert.Equal("", result.Stderr);
        return path;
    }

    [Fact]
    public async Task Bad_row_in_the_binary_is_one_line_on_stderr_and_exit_code_2()
    {
        var input = _dir.File("recs.parquet");
        await WriteWideAsync(input, [new(0, [1, 2]), new(1, [3, 0])], rowsPerGroup: 1);

        var result = await RecFeedProcess.RunAsync("import", "--from", input, "--out", _dir.File("feeds.bin"));

        Assert.Equal(2, result.Code);
        Assert.Equal($"recfeed import: {input}: row 2, column items (item 2): item id 0 is out of range 1..4294967295\n", result.Stderr);
        Assert.False(File.Exists(_dir.File("feeds.bin")));
    }
}
