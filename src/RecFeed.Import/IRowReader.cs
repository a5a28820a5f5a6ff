namespace RecFeed.Import;

/// <summary>One input file, read start to end into a <see cref="FeedBuilder"/>, reporting progress in its own unit.</summary>
internal interface IRowReader : IAsyncDisposable
{
    /// <summary>How much there is to read, in <see cref="Unit"/>s of <see cref="UnitSize"/> progress steps.</summary>
    long Total { get; }
    string Unit { get; }
    long UnitSize { get; }

    /// <param name="progress">Receives how much of <see cref="Total"/> has been read.</param>
    ValueTask ReadAsync(FeedBuilder builder, Action<long>? progress, CancellationToken cancellationToken);
}
