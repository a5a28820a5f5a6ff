using Parquet;

namespace RecFeed.Import;

/// <summary>
/// What both Parquet shapes share: open the file, then one row group at a time read the needed columns whole and
/// walk their rows. Rows are numbered from 1 across the whole file; progress is counted in rows.
/// </summary>
internal abstract class ParquetRowReader(string path, ParquetReader reader) : IRowReader
{
    private const long CollectEvery = 64 << 20;

    private long _allocatedAtCollect;

    protected string Path => path;
    protected ParquetReader Reader => reader;

    public long Total { get; } = reader.Metadata?.NumRows ?? 0;
    public string Unit => "rows";
    public long UnitSize => 1;

    /// <summary>Opens the file and builds a reader on its schema; the file is closed again if the schema does not fit.</summary>
    protected static async Task<T> OpenAsync<T>(string path, Func<ParquetReader, T> create, CancellationToken cancellationToken)
    {
        ParquetReader file;
        try
        {
            file = await ParquetReader.CreateAsync(path, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything the library cannot make sense of is bad input, not a crash.
            throw new ImportException($"{path}: not a readable Parquet file ({e.Message})");
        }
        try
        {
            return create(file);
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public async ValueTask ReadAsync(FeedBuilder builder, Action<long>? progress, CancellationToken cancellationToken)
    {
        long firstRow = 1;
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var group = reader.OpenRowGroupReader(g);
            await ReadColumnsAsync(group, cancellationToken);
            ReadGroup(builder, CheckRows(group, g), firstRow);
            firstRow += group.RowCount;
            ReleaseGarbage();
            progress?.Invoke(firstRow - 1);
        }
        Finish(builder);
    }

    /// <summary>
    /// Parquet.Net allocates a few times a row group's size for each read and leaves it to the GC, which on a roomy
    /// machine lets that garbage pile up over many groups (seen: +2.5 GB importing a 1 GB file). Collecting once per
    /// <see cref="CollectEvery"/> bytes allocated keeps memory near one row group; a blocking gen2 over a heap of a
    /// few big arrays takes milliseconds, and files of many tiny groups do not pay it per group.
    /// </summary>
    private void ReleaseGarbage()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        if (allocated - _allocatedAtCollect < CollectEvery)
            return;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        _allocatedAtCollect = allocated;
    }

    /// <summary>
    /// The row group's row count, once every column read holds exactly that many rows: the row walks index the
    /// columns by row, so a footer that disagrees with its column chunks is bad input, not an index error.
    /// </summary>
    private int CheckRows(ParquetRowGroupReader group, int index)
    {
        foreach (var column in Columns)
        {
            if (column.Rows != group.RowCount)
                throw new ImportException($"{path}: row group {index + 1}: column {column.Name} holds {column.Rows} rows, " +
                    $"the row group promises {group.RowCount} (malformed metadata)");
        }
        return (int)group.RowCount;
    }

    /// <summary>The columns <see cref="ReadColumnsAsync"/> reads.</summary>
    protected abstract IReadOnlyList<IntegerColumn> Columns { get; }

    /// <summary>Reads this shape's columns of one row group.</summary>
    protected abstract ValueTask ReadColumnsAsync(ParquetRowGroupReader group, CancellationToken cancellationToken);

    /// <summary>Hands the row group's rows to the builder; <paramref name="firstRow"/> is the file row number of the first.</summary>
    protected abstract void ReadGroup(FeedBuilder builder, int rows, long firstRow);

    /// <summary>Called after the last row group, for rows held back until then.</summary>
    protected virtual void Finish(FeedBuilder builder)
    {
    }

    public ValueTask DisposeAsync() => reader.DisposeAsync();
}
