using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace RecFeed.Tests.Support;

/// <summary>
/// Writes recommendation files in the two Parquet shapes the importer reads, through Parquet.Net's column API,
/// with nulls where a row says so. Also compiled into bench/ParquetGen, so it must not depend on xunit.
/// </summary>
public static class ParquetFiles
{
    /// <summary>One user's row of the wide shape; null user or list, and null elements, are written as nulls.</summary>
    public sealed record WideRow(long? User, long?[]? Items);

    /// <summary>One row of the long shape.</summary>
    public sealed record LongRow(long? User, long? Item, long? Rank);

    /// <summary>Column types: the integer CLR type each column is declared with (int, long or uint).</summary>
    public sealed record Types(Type User, Type Item, Type Rank, bool NullableIds = false)
    {
        public static readonly Types Int32 = new(typeof(int), typeof(int), typeof(int));
        public static readonly Types Int64 = new(typeof(long), typeof(long), typeof(long));
    }

    public static Task WriteWideAsync(string path, IReadOnlyList<WideRow> rows, Types? types = null, int rowsPerGroup = int.MaxValue,
        string userColumn = "user_id", string itemsColumn = "items") =>
        WriteWideGroupsAsync(path, rows.Chunk(Math.Min(rowsPerGroup, Math.Max(1, rows.Count))), types, userColumn, itemsColumn);

    /// <summary>The wide shape, one row group per element of <paramref name="groups"/>: <c>user_id</c> and <c>items: list&lt;element&gt;</c>.</summary>
    public static async Task WriteWideGroupsAsync(string path, IEnumerable<IReadOnlyList<WideRow>> groups, Types? types = null,
        string userColumn = "user_id", string itemsColumn = "items")
    {
        types ??= Types.Int64;
        var user = new DataField(userColumn, types.User, isNullable: types.NullableIds);
        var items = new ListField(itemsColumn, new DataField("element", types.Item, isNullable: true));
        var element = (DataField)items.Item;
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, items), stream);
        foreach (var group in groups)
        {
            using var rowGroup = writer.CreateRowGroup();
            await WriteFlatAsync(rowGroup, user, group.Select(r => r.User).ToArray());
            // Levels of an optional list of optional elements: 0 null list, 1 empty list, 2 null element, 3 value.
            var values = new List<long>();
            var definitions = new List<int>();
            var repetitions = new List<int>();
            foreach (var row in group)
            {
                if (row.Items is not { Length: > 0 } list)
                {
                    definitions.Add(row.Items is null ? 0 : 1);
                    repetitions.Add(0);
                    continue;
                }
                for (var i = 0; i < list.Length; i++)
                {
                    definitions.Add(list[i] is null ? 2 : 3);
                    repetitions.Add(i == 0 ? 0 : 1);
                    if (list[i] is { } v)
                        values.Add(v);
                }
            }
            await Dispatch(element.ClrType,
                () => rowGroup.WriteAllPartsAsync<int>(element, Convert<int>(values), definitions.ToArray(), repetitions.ToArray(), default),
                () => rowGroup.WriteAllPartsAsync<long>(element, Convert<long>(values), definitions.ToArray(), repetitions.ToArray(), default),
                () => rowGroup.WriteAllPartsAsync<uint>(element, Convert<uint>(values), definitions.ToArray(), repetitions.ToArray(), default));
        }
    }

    /// <summary>The long shape: <c>user_id</c>, <c>item</c>, <c>rank</c>, one row group per <paramref name="rowsPerGroup"/> rows.</summary>
    public static async Task WriteLongAsync(string path, IReadOnlyList<LongRow> rows, Types? types = null, int rowsPerGroup = int.MaxValue)
    {
        types ??= Types.Int64;
        var user = new DataField("user_id", types.User, isNullable: types.NullableIds);
        var item = new DataField("item", types.Item, isNullable: types.NullableIds);
        var rank = new DataField("rank", types.Rank, isNullable: types.NullableIds);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(user, item, rank), stream);
        foreach (var group in rows.Chunk(Math.Min(rowsPerGroup, Math.Max(1, rows.Count))))
        {
            using var rowGroup = writer.CreateRowGroup();
            await WriteFlatAsync(rowGroup, user, group.Select(r => r.User).ToArray());
            await WriteFlatAsync(rowGroup, item, group.Select(r => r.Item).ToArray());
            await WriteFlatAsync(rowGroup, rank, group.Select(r => r.Rank).ToArray());
        }
    }

    private static Task WriteFlatAsync(ParquetRowGroupWriter rowGroup, DataField field, long?[] values) =>
        Dispatch(field.ClrType,
            () => WriteFlatAsync<int>(rowGroup, field, values),
            () => WriteFlatAsync<long>(rowGroup, field, values),
            () => WriteFlatAsync<uint>(rowGroup, field, values));

    private static Task WriteFlatAsync<T>(ParquetRowGroupWriter rowGroup, DataField field, long?[] values) where T : struct, INumber<T> =>
        field.IsNullable
            ? rowGroup.WriteAsync(field, (ReadOnlyMemory<T?>)values.Select(v => v is { } x ? T.CreateTruncating(x) : (T?)null).ToArray())
            : rowGroup.WriteAsync(field,
                (ReadOnlyMemory<T>)values.Select(v => T.CreateTruncating(v ?? throw new ArgumentException($"null in required column {field.Name}"))).ToArray());

    private static T[] Convert<T>(List<long> values) where T : struct, INumber<T> => values.Select(T.CreateTruncating).ToArray();

    private static Task Dispatch(Type type, Func<Task> int32, Func<Task> int64, Func<Task> uint32) =>
        type == typeof(int) ? int32() : type == typeof(long) ? int64() : type == typeof(uint) ? uint32()
        : throw new ArgumentException($"unsupported column type {type}");
}
