using System.Diagnostics;
using RecFeed.Format;
using RecFeed.Sharding;

namespace RecFeed.Import;

/// <summary>
/// <c>recfeed import</c> without the command line: reads a recommender's output (Parquet, CSV, TSV) into a matrix
/// of users × items, picks the fallback list, and writes a feeds file through <see cref="FeedFileWriter"/>, so the
/// result has the same format, checksum and atomic rename as <c>generate</c>'s.
/// </summary>
public static class FeedImporter
{
    /// <exception cref="ImportException">The input or settings are unusable; the message says where and why.</exception>
    public static async Task<ImportSummary> ImportAsync(ImportSettings settings, string output, ProgressStarter? progress = null,
        CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        if (settings.Problem() is { } problem)
            throw new ImportException(problem);
        if (!File.Exists(settings.Input))
            throw new ImportException($"{settings.Input}: no such file");
        var fixedFallback = settings.FallbackFile is { } fallbackFile ? FallbackFile.Read(fallbackFile) : null;

        using var builder = new FeedBuilder(settings);
        await using (var reader = await OpenAsync(settings, cancellationToken))
            await reader.ReadAsync(builder, progress?.Invoke(reader.Total, reader.Unit, reader.UnitSize), cancellationToken);
        var summary = builder.Summary;
        if (settings.DeltaBase is { } @base)
            return WriteDelta(settings, output, builder, @base, started);
        var users = builder.Finish();
        if (users == 0)
            throw new ImportException($"{settings.Input}: no rows to import ({summary.Rows} read, {summary.SkippedRows} skipped)");

        if (settings.Shards > users)
            throw new ImportException($"--shards {settings.Shards} is more than " +
                $"{(settings.Users is null ? $"the {users} users in the input (ids 0..{users - 1})" : $"--users {users}")}; " +
                "some shards would be empty");
        var fallback = fixedFallback ?? builder.TopItems(settings.FallbackTop);
        var targets = ShardSpec.Targets(output, settings.Shards, settings.Shard);
        var shapes = targets
            .Select(t => FeedFileHeader.Create(t.Spec.UserCount(users), settings.ItemsPerUser, fallback.Length, 0, t.Spec.Index, t.Spec.Count))
            .ToArray();
        CheckRoom(output, FileBytes(shapes, settings.FormatVersion, summary.Items, builder.LargestItemId), users, settings.ItemsPerUser);
        for (var i = 0; i < targets.Length; i++)
        {
            var source = new ImportedFeedSource(builder.Matrix, builder.Stored, fallback, targets[i].Spec, builder.LargestItemId);
            using var layout = FeedLayout.Plan(shapes[i], settings.FormatVersion, source);
            var header = FeedFileWriter.Write(targets[i].Path, layout, source,
                progress: progress?.Invoke((long)layout.Header.PayloadLength, "users", layout.Header.PayloadBytesPerUser),
                cancellationToken: cancellationToken);
            summary.FileBytes += header.FileLength;
            summary.Files.Add(targets[i].Path);
        }

        summary.FallbackCount = fallback.Length;
        summary.FallbackSource = settings.FallbackFile is { } file ? Path.GetFileName(file) : $"top {settings.FallbackTop}";
        summary.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return summary;
    }

    /// <summary>The rows read, sorted by local row, as a delta of <paramref name="base"/> (items per user and shard are the base's).</summary>
    private static ImportSummary WriteDelta(ImportSettings settings, string output, FeedBuilder builder, FeedFileHeader @base, long started)
    {
        var rows = builder.DeltaRows!.Select(r => (r.Key, r.Value)).OrderBy(r => r.Key).ToList();
        if (rows.Count == 0)
            throw new ImportException($"{settings.Input}: no rows to import ({builder.Summary.Rows} read, {builder.Summary.SkippedRows} skipped)");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!); // DATA.deltas/ on the first delta
        var header = DeltaFileWriter.Write(output, @base, rows);
        var summary = builder.Summary;
        summary.Users = (ulong)rows.Count;
        summary.FileBytes = header.FileLength;
        summary.Files.Add(output);
        summary.DeltaId = header.DeltaId;
        summary.Seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return summary;
    }

    /// <summary>What the files will take, known before any row index is planned: the index and the padding follow
    /// from the shape, the ids are counted over all users (exact for every shard together, an upper bound for one).</summary>
    private static ulong FileBytes(FeedFileHeader[] shapes, uint version, long items, uint largestItemId)
    {
        if (version == FeedFileHeader.Version1)
            return shapes.Aggregate(0UL, (sum, shape) => sum + shape.FileLength);
        var itemBytes = FeedFileHeader.ItemBytesFor(largestItemId);
        return shapes.Aggregate((ulong)items * itemBytes, (sum, shape) => sum + shape.WithPackedRows(0, itemBytes).FileLength);
    }

    /// <summary>
    /// The output has a row for every id up to the largest, so one stray huge user id (a hash, a 64-bit id cut short)
    /// asks for terabytes: say so before writing, rather than fill the disk.
    /// </summary>
    private static void CheckRoom(string output, ulong bytes, ulong users, int itemsPerUser)
    {
        long free;
        try
        {
            free = new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(output))!).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // The writer reports a folder it cannot use.
        }
        if ((ulong)free < bytes)
            throw new ImportException($"{output} would need {bytes:N0} bytes for {users:N0} users (ids 0..{users - 1}) " +
                $"x {itemsPerUser} items, and {free:N0} bytes are free; user ids must be dense, from 0");
    }

    /// <summary>The format named, else the one the file name implies.</summary>
    public static InputFormat ResolveFormat(ImportSettings settings) =>
        settings.Format ?? ImportSettings.FormatOf(settings.Input)
        ?? throw new ImportException($"{settings.Input}: cannot tell the format from the name; pass --format parquet, csv or tsv");

    private static async Task<IRowReader> OpenAsync(ImportSettings settings, CancellationToken cancellationToken) =>
        ResolveFormat(settings) switch
        {
            InputFormat.Parquet when settings.Long => await ParquetLongRowReader.OpenAsync(settings, cancellationToken),
            InputFormat.Parquet => await ParquetWideRowReader.OpenAsync(settings, cancellationToken),
            var text => new DelimitedRowReader(settings.Input, text),
        };
}
