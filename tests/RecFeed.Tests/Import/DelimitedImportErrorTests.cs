using RecFeed.Import;

namespace RecFeed.Tests.Import;

/// <summary>Every way a CSV/TSV row can be bad, with the row (1-based line) and column (1-based character) it names.</summary>
public sealed class DelimitedImportErrorTests : IDisposable
{
    private readonly ImportHarness _h = new();

    public void Dispose() => _h.Dispose();

    [Theory]
    [InlineData("recs.csv", "0,1 0 3\n", "row 1, column 5: item id 0 is out of range 1..4294967295")]
    [InlineData("recs.csv", "user_id,items\n1,2\n2,3 -4\n", "row 3, column 5: item id -4 is out of range 1..4294967295")]
    [InlineData("recs.csv", "1,2 x3\n", "row 1, column 5: item id \"x3\" is not a number")]
    [InlineData("recs.csv", "1,4294967296\n", "row 1, column 3: item id 4294967296 is out of range 1..4294967295")]
    [InlineData("recs.csv", "1,99999999999999999999\n", "row 1, column 3: item id 99999999999999999999 is out of range")]
    [InlineData("recs.csv", "1,2\n-1,3\n", "row 2, column 1: user id -1 is out of range 0..4294967295")]
    [InlineData("recs.csv", "1,2\n4294967296,3\n", "row 2, column 1: user id 4294967296 is out of range 0..4294967295")]
    [InlineData("recs.csv", "1,2\nabc,3\n", "row 2, column 1: user id \"abc\" is not a number")]
    [InlineData("recs.csv", "1,2\n,3\n", "row 2, column 1: user id \"\" is not a number")]
    [InlineData("recs.csv", "1,2\n3,4\n1,5\n", "row 3, column 1: user 1 already had a row (--allow-duplicates keeps the last one)")]
    [InlineData("recs.tsv", "1\t2,0\n", "row 1, column 5: item id 0 is out of range 1..4294967295")]
    [InlineData("recs.tsv", "user\titems\n\n1\t2, 3,y\n", "row 3, column 8: item id \"y\" is not a number")]
    public async Task Bad_row_fails_the_import_naming_file_row_and_column(string name, string text, string expected)
    {
        var input = _h.WriteText(name, text);

        Assert.Equal($"{input}: {expected}", await _h.FailAsync(new ImportSettings { Input = input }));
    }

    /// <summary>A line that never ends used to grow the read buffer to the whole file; this one would import as user 0.</summary>
    [Fact]
    public async Task A_line_past_the_length_bound_names_file_and_row_instead_of_growing_without_end()
    {
        var path = _h.Path("recs.csv");
        using (var file = File.Create(path))
        {
            file.Write("user_id,items\n0,"u8);
            var ids = Enumerable.Repeat((byte)'7', 2 << 20).Select((b, i) => i % 2 == 0 ? b : (byte)' ').ToArray();
            for (var written = 0; written <= 16 << 20; written += ids.Length)
                file.Write(ids);
        }

        Assert.Equal($"{path}: row 2 is longer than 16,777,216 bytes (a file without line breaks?)",
            await _h.FailAsync(new ImportSettings { Input = path }));
    }

    [Fact]
    public async Task User_id_outside_users_option_is_a_bad_row()
    {
        var input = _h.WriteText("recs.csv", "0,1\n5,1\n");

        Assert.Equal($"{input}: row 2, column 1: user id 5 is outside --users 2 (ids 0..1)",
            await _h.FailAsync(new ImportSettings { Input = input, Users = 2 }));
    }

    [Fact]
    public async Task Missing_input_is_bad_input()
    {
        var input = _h.Path("nope.csv");

        Assert.Equal($"{input}: no such file", await _h.FailAsync(new ImportSettings { Input = input }));
    }

    [Fact]
    public async Task Unknown_extension_without_format_asks_for_one()
    {
        var input = _h.WriteText("recs.txt", "0,1\n");

        Assert.Equal($"{input}: cannot tell the format from the name; pass --format parquet, csv or tsv",
            await _h.FailAsync(new ImportSettings { Input = input }));
    }

    [Fact]
    public async Task Long_shape_is_for_parquet_only()
    {
        var input = _h.WriteText("recs.csv", "0,1\n");

        Assert.Equal("--long applies to Parquet input only", await _h.FailAsync(new ImportSettings { Input = input, Long = true }));
    }

    [Theory]
    [InlineData("", false, "no rows to import (0 read, 0 skipped)")]
    [InlineData("user_id,items\n", false, "no rows to import (0 read, 0 skipped)")]
    [InlineData("0,0\n1,-1\n", true, "no rows to import (2 read, 2 skipped)")]
    public async Task An_input_without_rows_is_bad_input(string text, bool skip, string expected)
    {
        var input = _h.WriteText("recs.csv", text);

        Assert.Equal($"{input}: {expected}", await _h.FailAsync(new ImportSettings { Input = input, SkipBadRows = skip }));
    }

    [Fact]
    public async Task Bad_fallback_file_line_names_its_row()
    {
        var input = _h.WriteText("recs.csv", "0,1\n");
        var fallback = _h.WriteText("popular.txt", "5\nx\n");

        Assert.Equal($"{fallback}: row 2, column 1: item id \"x\" is not a number",
            await _h.FailAsync(new ImportSettings { Input = input, FallbackFile = fallback }));
    }

    [Fact]
    public async Task A_stray_huge_user_id_is_refused_before_writing_terabytes()
    {
        var input = _h.WriteText("recs.csv", "0,1\n4000000000,2\n");

        // Format 1, whose rows are padded: format 2 takes 4 bytes a user without a row, 16 GB here, which may fit.
        var message = await _h.FailAsync(new ImportSettings { Input = input, FormatVersion = RecFeed.Format.FeedFileHeader.Version1 });

        Assert.StartsWith($"{_h.Output} would need 3,200,000,000,992 bytes for 4,000,000,001 users (ids 0..4000000000) x 200 items, and ", message);
        Assert.EndsWith(" bytes are free; user ids must be dense, from 0", message);
    }
}
