using RecFeed.Format;

namespace RecFeed.Import;

/// <summary>What <c>recfeed import</c> reads and how it treats what it finds.</summary>
public sealed record ImportSettings
{
    public const int DefaultFallbackTop = 50;

    public required string Input { get; init; }
    /// <summary>Null: taken from the file name (see <see cref="FormatOf"/>).</summary>
    public InputFormat? Format { get; init; }
    public int ItemsPerUser { get; init; } = 200;

    /// <summary>The output's user count; null makes it one more than the largest user id seen.</summary>
    public ulong? Users { get; init; }

    /// <summary>A file of fallback ids, one per line; null computes the <see cref="FallbackTop"/> most frequent items.</summary>
    public string? FallbackFile { get; init; }
    public int FallbackTop { get; init; } = DefaultFallbackTop;

    public string UserColumn { get; init; } = "user_id";

    /// <summary>The list column (wide Parquet) or the one-item column (long Parquet); null picks "items" or "item".</summary>
    public string? ItemsColumn { get; init; }
    public string RankColumn { get; init; } = "rank";

    /// <summary>Parquet with one row per (user, item, rank) instead of one row per user.</summary>
    public bool Long { get; init; }
    public bool SkipBadRows { get; init; }

    /// <summary>Split the output over this many shards (see <see cref="Sharding.ShardSpec"/>).</summary>
    public uint Shards { get; init; } = 1;

    /// <summary>Write only this shard; null writes every shard (or the whole file when <see cref="Shards"/> is 1).</summary>
    public uint? Shard { get; init; }
    public bool AllowDuplicates { get; init; }

    /// <summary>The feeds file format to write (<see cref="FeedFileHeader.Version1"/> or <see cref="FeedFileHeader.Version2"/>).</summary>
    public uint FormatVersion { get; init; } = FeedFileHeader.CurrentVersion;

    /// <summary>Set by <c>--delta-for</c>: write a delta of this base feeds file's users instead of a feeds file
    /// (items per user and shard from the base; users outside it are bad rows).</summary>
    public FeedFileHeader? DeltaBase { get; init; }

    public string ItemsColumnName => ItemsColumn ?? (Long ? "item" : "items");

    /// <summary>The format a file name implies (.parquet/.pq, .csv, .tsv/.tab), or null if it implies none.</summary>
    public static InputFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".parquet" or ".pq" => InputFormat.Parquet,
        ".csv" => InputFormat.Csv,
        ".tsv" or ".tab" => InputFormat.Tsv,
        _ => null,
    };

    /// <summary>A one-line reason these settings cannot work together, or null.</summary>
    public string? Problem()
    {
        if (ItemsPerUser is < 1 or > FeedFileHeader.MaxItemsPerUser)
            return $"--items-per-user must be between 1 and {FeedFileHeader.MaxItemsPerUser}; got {ItemsPerUser}";
        if (Users is 0 or > FeedFileHeader.MaxUserCount)
            return $"--users must be between 1 and {FeedFileHeader.MaxUserCount}; got {Users}";
        if (FormatVersion is not (FeedFileHeader.Version1 or FeedFileHeader.Version2))
            return $"--format-version must be {FeedFileHeader.Version1} or {FeedFileHeader.Version2}; got {FormatVersion}";
        if (FallbackTop < 0)
            return $"--fallback-top must be 0 or more; got {FallbackTop}";
        if (Shards == 0)
            return "--shards must be 1 or more";
        if (Shard >= Shards)
            return $"--shard {Shard} is out of range for --shards {Shards}; shards are numbered 0..{Shards - 1}";
        if (Long && (Format ?? FormatOf(Input)) != InputFormat.Parquet)
            return "--long applies to Parquet input only";
        return null;
    }
}
