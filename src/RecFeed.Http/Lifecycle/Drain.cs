using Microsoft.Extensions.Logging;
using RecFeed.Http.Endpoints;

namespace RecFeed.Http.Lifecycle;

/// <summary>
/// The first step of a stop asked for by a supervisor (SIGTERM) or a rolling restart: /healthz answers 503
/// "draining" for <see cref="ServeOptions.DrainTime"/> while requests are still served, so a router takes this
/// process out of rotation before its listener closes. A person's Ctrl-C (SIGINT) skips it.
/// </summary>
internal static class Drain
{
    /// <param name="endDrain">Ends the drain early (a second SIGINT/SIGTERM); the rest of the stop still runs.</param>
    public static async Task RunAsync(HealthCheck health, TimeSpan time, ILogger log, CancellationToken endDrain)
    {
        if (time <= TimeSpan.Zero)
            return;
        health.StartDraining();
        log.Draining(time.TotalSeconds);
        try
        {
            await Task.Delay(time, endDrain);
        }
        catch (OperationCanceledException)
        {
            log.DrainCutShort();
        }
    }
}
