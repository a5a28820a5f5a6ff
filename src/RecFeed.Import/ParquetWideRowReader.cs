using Parquet;

namespace RecFeed.Import;

/// <summary>
/// Parquet with one row per user: an integer user id column and a list-of-integers column, read one row group at a
/// time. A null or empty list is a user with no personal items; a null user id or a null element is a bad row.
/// Rows in messages are 1-based across the whole file.
/// </summary>
internal sealed class ParquetWideRowReader : ParquetRowReader
{
    private readonly IntegerColumn _users;
    private readonly IntegerColumn _items;
    private readonly string _itemsName;
    private int _levels;

    private ParquetWideRowReader(ParquetReader reader, ImportSettings settings) : base(settings.Input, reader)
    {
        _users = new IntegerColumn(ParquetFields.Single(reader.Schema, settings.UserColumn, Path), Path);
        _items = new IntegerColumn(ParquetFields.ListLeaf(reader.Schema, settings.ItemsColumnName, Path), Path);
        _itemsName = settings.ItemsColumnName;
    }

    public static Task<ParquetWideRowReader> OpenAsync(ImportSettings settings, CancellationToken cancellationToken) =>
        OpenAsync(settings.Input, reader => new ParquetWideRowReader(reader, settings), cancellationToken);

    protected override IReadOnlyList<IntegerColumn> Columns => [_users, _items];

    protected override async ValueTask ReadColumnsAsync(ParquetRowGroupReader group, CancellationToken cancellationToken)
    {
        await _users.ReadAsync(group, cancellationToken);
        _levels = await _items.ReadAsync(group, cancellationToken);
    }

    protected override void ReadGroup(FeedBuilder builder, int rows, long firstRow)
    {
        var userValues = _users.Values;
        var userDefinitions = _users.Definitions;
        var values = _items.Values;
        var definitions = _items.Definitions;
        var repetitions = _items.Repetitions;
        var present = _items.MaxDefinition;
        var nullElement = _items.ElementNullable ? present - 1 : -1;
        int userValue = 0, level = 0, value = 0;
        for (var r = 0; r < rows; r++)
        {
            builder.Summary.Rows++;
            string? reason;
            var column = _users.Name;
            if (_users.MaxDefinition > 0 && userDefinitions[r] < _users.MaxDefinition)
            {
                reason = $"{column} is null";
            }
            else
            {
                var user = userValues[userValue++];
                if ((reason = builder.CheckUser(user)) is null)
                    builder.BeginRow((ulong)user);
            }
            // Walk all of the row's levels even after a fault, to stay in step with the packed values.
            var position = 0;
            for (var first = true; level < _levels && (first || repetitions[level] != 0); level++, first = false)
            {
                var definition = definitions.IsEmpty ? present : definitions[level];
                if (definition != present && definition != nullElement)
                    continue;
                position++;
                var item = definition == present ? values[value++] : 0;
                if (reason is not null)
                    continue;
                reason = definition == present ? FeedBuilder.CheckItem(item) : "item is null";
                if (reason is null)
                    builder.AddItem((uint)item);
                else
                    column = $"{_itemsName} (item {position})";
            }
            if (reason is null && (reason = builder.EndRow()) is null)
                continue;
            builder.Reject($"{Path}: row {firstRow + r}, column {column}", reason);
        }
    }
}
