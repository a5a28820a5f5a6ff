using Parquet;

namespace RecFeed.Import;

/// <summary>
/// Parquet with one row per (user, item, rank), as SQL jobs write it: a user's rows must be consecutive (sort by user
/// id, or group by it); within them, items are stored by ascending rank, ties in file order. Only the current user's
/// rows are held, so memory stays at one row group plus one user. A bad row drops that one item row.
/// </summary>
internal sealed class ParquetLongRowReader : ParquetRowReader
{
    private readonly IntegerColumn _users;
    private readonly IntegerColumn _items;
    private readonly IntegerColumn _ranks;

    private (long Rank, int Order)[] _keys = new (long, int)[256];
    private uint[] _pending = new uint[256];
    private int _count;
    private long _user = -1;
    private long _userFirstRow;
    private long _userRows;

    private ParquetLongRowReader(ParquetReader reader, ImportSettings settings) : base(settings.Input, reader)
    {
        _users = new IntegerColumn(ParquetFields.Single(reader.Schema, settings.UserColumn, Path), Path);
        _items = new IntegerColumn(ParquetFields.Single(reader.Schema, settings.ItemsColumnName, Path), Path);
        _ranks = new IntegerColumn(ParquetFields.Single(reader.Schema, settings.RankColumn, Path), Path);
    }

    public static Task<ParquetLongRowReader> OpenAsync(ImportSettings settings, CancellationToken cancellationToken) =>
        OpenAsync(settings.Input, reader => new ParquetLongRowReader(reader, settings), cancellationToken);

    protected override IReadOnlyList<IntegerColumn> Columns => [_users, _items, _ranks];

    protected override async ValueTask ReadColumnsAsync(ParquetRowGroupReader group, CancellationToken cancellationToken)
    {
        foreach (var column in Columns)
            await column.ReadAsync(group, cancellationToken);
    }

    protected override void ReadGroup(FeedBuilder builder, int rows, long firstRow)
    {
        var cursors = (User: 0, Item: 0, Rank: 0);
        for (var r = 0; r < rows; r++)
        {
            var row = firstRow + r;
            builder.Summary.Rows++;
            var user = Next(_users, r, ref cursors.User);
            var item = Next(_items, r, ref cursors.Item);
            var rank = Next(_ranks, r, ref cursors.Rank);
            var (reason, column) =
                user is not { } u ? ($"{_users.Name} is null", _users.Name)
                : builder.CheckUser(u) is { } badUser ? (badUser, _users.Name)
                : item is not { } i ? ($"{_items.Name} is null", _items.Name)
                : FeedBuilder.CheckItem(i) is { } badItem ? (badItem, _items.Name)
                : rank is null ? ($"{_ranks.Name} is null", _ranks.Name)
                : (null, null);
            if (reason is not null)
            {
                builder.Reject($"{Path}: row {row}, column {column}", reason);
                continue;
            }
            if (user != _user)
            {
                Flush(builder);
                (_user, _userFirstRow) = (user!.Value, row);
            }
            Append(rank!.Value, (uint)item!.Value);
        }
    }

    /// <summary>The row's value of a flat column, or null; values are packed, so nulls do not advance the cursor.</summary>
    private static long? Next(IntegerColumn column, int row, ref int cursor) =>
        column.MaxDefinition > 0 && column.Definitions[row] < column.MaxDefinition ? null : column.Values[cursor++];

    private void Append(long rank, uint item)
    {
        if (_count == _pending.Length)
        {
            Array.Resize(ref _pending, _count * 2);
            Array.Resize(ref _keys, _count * 2);
        }
        _keys[_count] = (rank, _count);
        _pending[_count++] = item;
        _userRows++;
    }

    protected override void Finish(FeedBuilder builder) => Flush(builder);

    /// <summary>Stores the current user's items in rank order.</summary>
    private void Flush(FeedBuilder builder)
    {
        if (_user < 0)
            return;
        Array.Sort(_keys, _pending, 0, _count);
        builder.BeginRow((ulong)_user);
        foreach (var item in _pending.AsSpan(0, _count))
            builder.AddItem(item);
        if (builder.EndRow() is { } reason)
            builder.Reject($"{Path}: row {_userFirstRow}, column {_users.Name}",
                $"{reason}; in the long shape a user's rows must be consecutive (sort by {_users.Name})", _userRows);
        (_user, _count, _userRows) = (-1, 0, 0);
    }
}
