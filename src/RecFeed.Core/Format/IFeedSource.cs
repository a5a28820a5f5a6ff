namespace RecFeed.Format;

/// <summary>What a feeds file is written from: a generator, an importer. Must be safe to call from several threads.</summary>
public interface IFeedSource
{
    /// <summary>An upper bound of every id in the rows: version 2 stores ids in as few bytes as hold it.</summary>
    uint MaxItemId { get; }

    /// <summary>Fills the fallback list (exactly <c>FallbackCount</c> ids).</summary>
    void WriteFallback(Span<uint> destination);

    /// <summary>How many ids lead a user's row before its padding, 0..ItemsPerUser; asked once per row, before any row is written.</summary>
    int RowLength(ulong user);

    /// <summary>Fills one user's row (exactly <c>ItemsPerUser</c> ids, padded with 0). Called once per row or more.</summary>
    void WriteRow(ulong user, Span<uint> destination);
}
