namespace RecFeed.Format;

/// <summary>What a feeds file is written from: a generator, an importer. Must be safe to call from several threads.</summary>
public interface IFeedSource
{
    /// <summary>Fills the fallback list (exactly <c>FallbackCount</c> ids).</summary>
    void WriteFallback(Span<uint> destination);

    /// <summary>Fills one user's row (exactly <c>ItemsPerUser</c> ids, padded with 0). Called once per row or more.</summary>
    void WriteRow(ulong user, Span<uint> destination);
}
