using RecFeed.Import;
using RecFeed.Tests.Support;
using static RecFeed.Tests.Support.ParquetFiles;

namespace RecFeed.Tests.Import;

public sealed class ParquetImportTests : IDisposable
{
    private static readonly WideRow[] Wide =
    [
        new(5, [50, 51, 52]),
        new(1, [10]),
        new(3, null),
        new(0, [1, 2, 3, 4, 5]),
        new(4, []),
        new(2, [20, 21, 20]),
        new(7, [4294967295, 70]),
    ];

    private static readonly uint[][] WideExpected =
        [[1, 2, 3, 4], [10], [20, 21], [], [], [50, 51, 52], [], [4294967295, 70]];

    private readonly ImportHarness _h = new();

    public void Dispose() => _h.Dispose();

    public static TheoryData<string, int> IdTypes => new()
    {
        { "int32", int.MaxValue }, { "int64", int.MaxValue }, { "uint32", int.MaxValue }, { "nullable-int64", int.MaxValue },
        { "int32", 2 }, { "int64", 3 }, { "uint32", 1 },
    };

    private static Types TypesNamed(string name) => name switch
    {
        // The largest item id does not fit int32 items; Wide_shape_with_int32_items covers those.
        "int32" => new Types(typeof(int), typeof(long), typeof(int)),
        "int64" => Types.Int64,
        "uint32" => new Types(typeof(uint), typeof(uint), typeof(uint)),
        _ => Types.Int64 with { NullableIds = true },
    };

    [Theory]
    [MemberData(nameof(IdTypes))]
    public async Task Wide_shape_becomes_rows_by_user_id_whatever_the_id_type_and_row_groups(string idType, int rowsPerGroup)
    {
        var types = TypesNamed(idType);
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, Wide, types, rowsPerGroup);

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, ItemsPerUser = 4 });

        Assert.Equal(WideExpected, rows);
        Assert.StartsWith($"imported {input} into {_h.Output}: 8 users (1 without a row), 7 rows, 12 items; cut 1 users (1 items), padded 6, " +
            "skipped 0 rows, dropped 1 repeated items,", _h.Stdout);
    }

    [Fact]
    public async Task Wide_shape_with_int32_items_and_custom_column_names()
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, [new(1, [3, 2, 1]), new(0, [9])], Types.Int32, userColumn: "uid", itemsColumn: "recs");

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, UserColumn = "uid", ItemsColumn = "recs" });

        Assert.Equal([[9u], [3u, 2u, 1u]], rows);
    }

    [Fact]
    public async Task Skipped_rows_in_the_middle_of_a_row_group_leave_later_rows_intact()
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input,
            [new(0, [1, 2]), new(1, [3, 0, 4]), new(null, [5, 6]), new(2, [7, null, 8]), new(3, [9, 10]), new(0, [11]), new(4, [12])],
            Types.Int64 with { NullableIds = true });

        var rows = await _h.ImportAsync(new ImportSettings { Input = input, SkipBadRows = true });

        Assert.Equal([[1u, 2u], [], [], [9u, 10u], [12u]], rows);
        Assert.Contains("5 users (2 without a row), 7 rows, 5 items;", _h.Stdout);
        Assert.Contains("skipped 4 rows", _h.Stdout);
    }

    [Fact]
    public async Task Long_shape_orders_each_users_items_by_rank_across_row_groups()
    {
        var input = _h.Path("long.parquet");
        LongRow[] rows =
        [
            new(4, 40, 2), new(4, 41, 1), new(4, 42, 3),
            new(1, 10, 5), new(1, 11, 0), new(1, 12, 5), new(1, 13, 2),
            new(0, 1, 1), new(0, 1, 2), new(0, 2, 3),
        ];
        await WriteLongAsync(input, rows, Types.Int32, rowsPerGroup: 4);

        var imported = await _h.ImportAsync(new ImportSettings { Input = input, Long = true, ItemsPerUser = 3 });

        Assert.Equal([[1u, 2u], [11u, 13u, 10u], [], [], [41u, 40u, 42u]], imported);
        Assert.Contains("5 users (2 without a row), 10 rows, 8 items; cut 1 users (1 items), padded 1, skipped 0 rows, dropped 1 repeated items,", _h.Stdout);
    }

    [Fact]
    public async Task Long_shape_with_int64_ids_and_a_bad_row_skipped_drops_only_that_item()
    {
        var input = _h.Path("long.parquet");
        await WriteLongAsync(input,
            [new(2, 20, 1), new(2, 0, 2), new(2, 22, 3), new(null, 5, 1), new(3, 30, null), new(3, 31, 1)],
            Types.Int64 with { NullableIds = true });

        var imported = await _h.ImportAsync(new ImportSettings { Input = input, Long = true, SkipBadRows = true });

        Assert.Equal([[], [], [20u, 22u], [31u]], imported);
        Assert.Contains("skipped 3 rows", _h.Stdout);
    }

    [Fact]
    public async Task Long_shape_with_allow_duplicates_keeps_a_users_last_run_of_rows()
    {
        var input = _h.Path("long.parquet");
        await WriteLongAsync(input, [new(0, 1, 1), new(0, 2, 2), new(1, 3, 1), new(0, 4, 1)]);

        var imported = await _h.ImportAsync(new ImportSettings { Input = input, Long = true, AllowDuplicates = true });

        Assert.Equal([[4u], [3u]], imported);
        Assert.Contains("replaced 1 users", _h.Stdout);
    }
}
