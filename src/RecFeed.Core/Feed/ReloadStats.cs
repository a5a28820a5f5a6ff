using System.Diagnostics;

namespace RecFeed.Feed;

/// <summary>
/// What reloads did, for <c>/metrics</c>: attempts, results by outcome, when the last one succeeded and failed, how
/// long the last one took. Written once per reload, read by scrapes; plain atomics, no lock.
/// </summary>
public sealed class ReloadStats
{
    private long _attempts;
    private long _loaded;
    private long _rejected;
    private long _abandoned;
    private long _lastSuccessUnixMs;
    private long _lastFailureUnixMs;
    private long _lastDurationTicks;

    public long Attempts => Volatile.Read(ref _attempts);
    /// <summary>A new file verified and swapped in.</summary>
    public long Loaded => Volatile.Read(ref _loaded);
    /// <summary>The file did not verify (or the reload failed otherwise): the old data kept serving.</summary>
    public long Rejected => Volatile.Read(ref _rejected);
    /// <summary>Cancelled because the server was stopping.</summary>
    public long Abandoned => Volatile.Read(ref _abandoned);
    /// <summary>Unix seconds of the last loaded reload's end; 0 if none yet.</summary>
    public double LastSuccessUnixSeconds => Volatile.Read(ref _lastSuccessUnixMs) / 1000.0;
    /// <summary>Unix seconds of the last rejected reload's end; 0 if none yet.</summary>
    public double LastFailureUnixSeconds => Volatile.Read(ref _lastFailureUnixMs) / 1000.0;
    /// <summary>From asking to answer, of the last reload that finished (waiting behind another reload included).</summary>
    public double LastDurationSeconds => (double)Volatile.Read(ref _lastDurationTicks) / Stopwatch.Frequency;

    /// <summary>Runs one reload and counts it by how it ended.</summary>
    public async Task<ReloadResult> Track(Func<CancellationToken, Task<ReloadResult>> reload, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await reload(cancellationToken);
            if (result.Accepted)
                Finished(started, ref _loaded, ref _lastSuccessUnixMs);
            else
                Finished(started, ref _rejected, ref _lastFailureUnixMs);
            return result;
        }
        catch (OperationCanceledException)
        {
            Interlocked.Increment(ref _abandoned);
            throw;
        }
        catch
        {
            Finished(started, ref _rejected, ref _lastFailureUnixMs);
            throw;
        }
    }

    private void Finished(long started, ref long outcome, ref long lastAt)
    {
        Volatile.Write(ref _lastDurationTicks, Stopwatch.GetTimestamp() - started);
        Volatile.Write(ref lastAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Interlocked.Increment(ref outcome);
    }
}
