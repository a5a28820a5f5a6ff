using RecFeed.Format;

namespace RecFeed.Import;

/// <summary>The writer's view of an import: the filled matrix and the fallback list.</summary>
internal sealed class ImportedFeedSource(FeedMatrix matrix, uint[] fallback) : IFeedSource
{
    public void WriteFallback(Span<uint> destination) => fallback.CopyTo(destination);

    public void WriteRow(ulong user, Span<uint> destination) => matrix.CopyRow(user, destination);
}
