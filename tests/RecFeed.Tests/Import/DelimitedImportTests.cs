using RecFeed.Import;

namespace RecFeed.Tests.Import;

public sealed class DelimitedImportTests : IDisposable
{
    private readonly ImportHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("recs.csv", "user_id,items\n7,10 11 12\n2,20 21\n0,30\n")]
    [InlineData("recs.csv", "7,10 11 12\n2,20 21\n0,30")]
    [InlineData("recs.tsv", "user_id\titems\n7\t10,11,12\n2\t20,21\n0\t30\n")]
    [InlineData("recs.tsv", "7\t10,11,12\n2\t20,21\n0\t30\n")]
    [InlineData("recs.csv", "\uFEFFuser,recs\r\n7,\"[10, 11, 12]\"\r\n\r\n2,\"20 21\"\r\n0,[30]\r\n")]
    public async Task Sparse_unsorted_ids_with_or_without_header_become_rows_by_user_id(string name, string text)
    {
        var rows = await _h.ImportAsync(new ImportSettings { Input = _h.WriteText(name, text), ItemsPerUser = 3 });

        Assert.Equal([[30u], [], [20u, 21u], [], [], [], [], [10u, 11u, 12u]], rows);
        Assert.StartsWith($"imported {_h.Path(name)} into {_h.Output}: 8 users (5 without a row), 3 rows, 6 items; cut 0 users (0 items), padded 2,",
            _h.Stdout);
    }

    [Fact]
    public async Task Long_lists_are_cut_short_ones_padded_and_repeats_dropped_keeping_the_first()
    {
        var input = _h.WriteText("recs.csv", "0,5 6 5 7 8 9\n1,4 4\n2,1 2 3\n");

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, ItemsPerUser = 3 });

        Assert.Equal([[5u, 6u, 7u], [4u], [1u, 2u, 3u]], rows);
        Assert.Contains("3 rows, 7 items; cut 1 users (2 items), padded 1, skipped 0 rows, dropped 2 repeated items, replaced 0 users;", _h.Stdout);
    }

    [Fact]
    public async Task Users_option_sets_the_user_count_beyond_the_largest_id()
    {
        var rows = await _h.ImportAsync(new ImportSettings { Input = _h.WriteText("recs.csv", "1,9\n"), Users = 4 });

        Assert.Equal([[], [9u], [], []], rows);
        Assert.Contains("4 users (3 without a row)", _h.Stdout);
    }

    [Fact]
    public async Task Fallback_top_is_the_items_in_most_users_lists_ties_to_the_smaller_id()
    {
        var input = _h.WriteText("recs.csv", "0,9 5 7\n1,5 7 3\n2,7 3 1\n3,8 9\n");

        await _h.ImportAsync(new ImportSettings { Input = input, FallbackTop = 4 });

        Assert.Equal([7u, 3u, 5u, 9u], ImportHarness.Fallback(_h.Output));
        Assert.Contains("fallback 4 (top 4)", _h.Stdout);
    }

    [Fact]
    public async Task Fallback_file_gives_the_list_in_file_order_without_repeats()
    {
        var input = _h.WriteText("recs.csv", "0,1 2\n");
        var fallback = _h.WriteText("popular.txt", "42\n\n17\r\n42\n 5 \n");

        await _h.ImportAsync(new ImportSettings { Input = input, FallbackFile = fallback });

        Assert.Equal([42u, 17u, 5u], ImportHarness.Fallback(_h.Output));
        Assert.Contains("fallback 3 (popular.txt)", _h.Stdout);
    }

    [Fact]
    public async Task Allow_duplicates_keeps_the_last_row_and_takes_the_replaced_items_out_of_the_counts()
    {
        var input = _h.WriteText("recs.csv", "0,1 2 3\n1,4\n0,5\n");

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, AllowDuplicates = true, FallbackTop = 10 });

        Assert.Equal([[5u], [4u]], rows);
        Assert.Contains("3 rows, 2 items; cut 0 users (0 items), padded 2, skipped 0 rows, dropped 0 repeated items, replaced 1 users;", _h.Stdout);
        Assert.Equal([4u, 5u], ImportHarness.Fallback(_h.Output));
    }

    [Fact]
    public async Task Skip_bad_rows_counts_bad_rows_and_keeps_the_first_of_repeated_users()
    {
        var input = _h.WriteText("recs.csv", "user_id,items\n0,1 2\n1,0\nx,5\n2,3\n0,9\n3,4 abc\n");

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, SkipBadRows = true });

        Assert.Equal([[1u, 2u], [], [3u]], rows);
        Assert.Contains("3 users (1 without a row), 6 rows, 3 items;", _h.Stdout);
        Assert.Contains("skipped 4 rows", _h.Stdout);
    }

    [Fact]
    public async Task A_list_longer_than_the_read_buffer_is_read_whole()
    {
        var items = Enumerable.Range(1_000_000, 200_000).ToArray();
        var input = _h.WriteText("recs.csv", $"0,{string.Join(' ', items)}\n1,7\n");

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, ItemsPerUser = 65535 });

        Assert.Equal(items.Take(65535).Select(i => (uint)i), rows[0]);
        Assert.Equal([7u], rows[1]);
        Assert.Contains("cut 1 users (134,465 items)", _h.Stdout);
    }

    [Fact]
    public async Task Format_option_overrides_the_file_name()
    {
        var rows = await _h.ImportAsync(new ImportSettings { Input = _h.WriteText("recs.txt", "0\t3,4\n"), Format = InputFormat.Tsv });

        Assert.Equal([[3u, 4u]], rows);
    }
}
