using System.Reflection;
using Parquet;
using Parquet.Schema;
using RecFeed.Import;
using static RecFeed.Tests.Support.ParquetFiles;

namespace RecFeed.Tests.Import;

/// <summary>Bad Parquet rows and files: rows are 1-based across all row groups, columns named as in the schema.</summary>
public sealed class ParquetImportErrorTests : IDisposable
{
    private readonly ImportHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<string> FailWideAsync(WideRow[] rows, Types? types = null, int rowsPerGroup = 2, ImportSettings? settings = null)
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, rows, types, rowsPerGroup);
        var message = await _h.FailAsync((settings ?? new ImportSettings { Input = input }) with { Input = input });
        Assert.StartsWith($"{input}: ", message);
        return message[(input.Length + 2)..];
    }

    [Fact]
    public async Task Zero_item_id_in_a_later_row_group()
    {
        Assert.Equal("row 4, column items (item 3): item id 0 is out of range 1..4294967295",
            await FailWideAsync([new(0, [1]), new(1, [2]), new(2, [3]), new(3, [4, 5, 0, 6]), new(4, [7])]));
    }

    [Fact]
    public async Task Negative_item_id()
    {
        Assert.Equal("row 2, column items (item 1): item id -7 is out of range 1..4294967295",
            await FailWideAsync([new(0, [1]), new(1, [-7])], Types.Int32));
    }

    [Fact]
    public async Task Item_id_past_uint32()
    {
        Assert.Equal("row 1, column items (item 2): item id 4294967296 is out of range 1..4294967295",
            await FailWideAsync([new(0, [1, 4294967296])]));
    }

    [Fact]
    public async Task Null_element_in_a_list()
    {
        Assert.Equal("row 5, column items (item 2): item is null",
            await FailWideAsync([new(0, [1]), new(1, null), new(2, []), new(3, [4]), new(4, [5, null, 6])]));
    }

    [Fact]
    public async Task Null_user_id()
    {
        Assert.Equal("row 2, column user_id: user_id is null",
            await FailWideAsync([new(0, [1]), new(null, [2])], Types.Int64 with { NullableIds = true }));
    }

    [Fact]
    public async Task Negative_user_id()
    {
        Assert.Equal("row 3, column user_id: user id -3 is out of range 0..4294967295",
            await FailWideAsync([new(0, [1]), new(1, [2]), new(-3, [2])], Types.Int32));
    }

    [Fact]
    public async Task User_id_outside_users_option()
    {
        var input = _h.Path("recs.parquet");
        Assert.Equal("row 2, column user_id: user id 9 is outside --users 3 (ids 0..2)",
            await FailWideAsync([new(0, [1]), new(9, [2])], settings: new ImportSettings { Input = input, Users = 3 }));
    }

    [Fact]
    public async Task Repeated_user()
    {
        Assert.Equal("row 3, column user_id: user 0 already had a row (--allow-duplicates keeps the last one)",
            await FailWideAsync([new(0, [1]), new(1, [2]), new(0, [3])]));
    }

    [Fact]
    public async Task Long_shape_user_whose_rows_are_not_consecutive()
    {
        var input = _h.Path("long.parquet");
        await WriteLongAsync(input, [new(0, 1, 1), new(1, 2, 1), new(1, 3, 2), new(0, 4, 1), new(0, 5, 2)], rowsPerGroup: 2);

        Assert.Equal($"{input}: row 4, column user_id: user 0 already had a row (--allow-duplicates keeps the last one); " +
            "in the long shape a user's rows must be consecutive (sort by user_id)",
            await _h.FailAsync(new ImportSettings { Input = input, Long = true }));
    }

    [Theory]
    [InlineData(0, "row 3, column user_id: user_id is null")]
    [InlineData(1, "row 3, column item: item is null")]
    [InlineData(2, "row 3, column rank: rank is null")]
    public async Task Long_shape_null_in_any_column(int column, string expected)
    {
        var input = _h.Path("long.parquet");
        LongRow bad = column switch { 0 => new(null, 1, 1), 1 => new(1, null, 1), _ => new(1, 1, null) };
        await WriteLongAsync(input, [new(0, 1, 1), new(0, 2, 2), bad], Types.Int64 with { NullableIds = true });

        Assert.Equal($"{input}: {expected}", await _h.FailAsync(new ImportSettings { Input = input, Long = true }));
    }

    [Fact]
    public async Task Missing_column_lists_the_columns_there_are()
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, [new(0, [1])], itemsColumn: "recs");

        Assert.Equal($"{input}: no column items (columns: user_id, recs)", await _h.FailAsync(new ImportSettings { Input = input }));
    }

    [Fact]
    public async Task Wide_file_read_as_long_names_the_list_column()
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, [new(0, [1])]);

        Assert.Equal($"{input}: no column item (columns: user_id, items)", await _h.FailAsync(new ImportSettings { Input = input, Long = true }));
        Assert.Equal($"{input}: column items holds lists or groups; expected one integer per row",
            await _h.FailAsync(new ImportSettings { Input = input, Long = true, ItemsColumn = "items" }));
    }

    [Fact]
    public async Task Long_file_read_as_wide_says_to_use_long()
    {
        var input = _h.Path("long.parquet");
        await WriteLongAsync(input, [new(0, 1, 1)]);

        Assert.Equal($"{input}: column item is not a list of integers (use --long for one row per item)",
            await _h.FailAsync(new ImportSettings { Input = input, ItemsColumn = "item" }));
    }

    [Fact]
    public async Task Non_integer_column_type()
    {
        var input = _h.Path("recs.parquet");
        var user = new DataField<double>("user_id");
        var items = new ListField("items", new DataField<int>("element"));
        await using (var stream = File.Create(input))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, items), stream))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(user, (ReadOnlyMemory<double>)new[] { 1.0 });
            await group.WriteAllPartsAsync<int>((DataField)items.Item, new[] { 5 }, new[] { 2 }, new[] { 0 }, default);
        }

        Assert.Equal($"{input}: column user_id has type Double; expected int32, int64 or uint32", await _h.FailAsync(new ImportSettings { Input = input }));
    }

    [Fact]
    public async Task Not_a_parquet_file()
    {
        var input = _h.WriteText("recs.parquet", "user_id,items\n0,1 2 3\n");

        var message = await _h.FailAsync(new ImportSettings { Input = input });

        Assert.StartsWith($"{input}: not a readable Parquet file (", message);
    }

    [Fact]
    public async Task Truncated_parquet_file()
    {
        var input = _h.Path("recs.parquet");
        await WriteWideAsync(input, [new(0, [1, 2, 3]), new(1, [4])]);
        var bytes = await File.ReadAllBytesAsync(input);
        await File.WriteAllBytesAsync(input, bytes[..(bytes.Length / 2)]);

        var message = await _h.FailAsync(new ImportSettings { Input = input });

        Assert.StartsWith($"{input}: not a readable Parquet file (", message);
    }

    /// <summary>
    /// A row group whose footer promises more rows than its column chunks hold (a writer bug, a hand-edited or
    /// corrupt footer; Parquet.Net refuses to write one, so the footer is rewritten): one line, not an index error.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Row_group_promising_more_rows_than_its_columns_hold(bool longShape)
    {
        var input = _h.Path("recs.parquet");
        if (longShape)
            await WriteLongAsync(input, [new(0, 5, 1), new(0, 6, 2), new(1, 7, 1)]);
        else
            await WriteWideAsync(input, [new(0, [5, 6]), new(1, [7]), new(2, [8])]);
        await RewriteFooterAsync(input, footer => footer.RowGroups[0].NumRows = 5);

        var message = await _h.FailAsync(new ImportSettings { Input = input, Long = longShape });

        Assert.Equal($"{input}: row group 1: column user_id holds 3 rows, the row group promises 5 (malformed metadata)", message);
    }

    /// <summary>Replaces a Parquet file's footer (the Thrift FileMetaData before the last 8 bytes) with an edited copy.</summary>
    private static async Task RewriteFooterAsync(string path, Action<Parquet.Meta.FileMetaData> edit)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        var footerLength = BitConverter.ToInt32(bytes, bytes.Length - 8);
        var footerStart = bytes.Length - 8 - footerLength;
        Parquet.Meta.FileMetaData footer;
        await using (var reader = await ParquetReader.CreateAsync(path))
            footer = reader.Metadata!;
        edit(footer);
        using var rewritten = new MemoryStream();
        rewritten.Write(bytes, 0, footerStart);
        var start = rewritten.Position;
        // Parquet.Net keeps its Thrift writer internal; reflection is the least code that writes a footer it reads.
        var writerType = typeof(ParquetReader).Assembly.GetType("Parquet.Meta.Proto.ThriftCompactProtocolWriter", throwOnError: true)!;
        var writer = Activator.CreateInstance(writerType, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [rewritten], null);
        typeof(Parquet.Meta.FileMetaData).GetMethod("Write", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [writerType])!
            .Invoke(footer, [writer]);
        var length = (int)(rewritten.Position - start);
        rewritten.Write(BitConverter.GetBytes(length));
        rewritten.Write("PAR1"u8);
        await File.WriteAllBytesAsync(path, rewritten.ToArray());
    }
}
