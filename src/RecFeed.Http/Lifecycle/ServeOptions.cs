using RecFeed.Http.Hosting;
using RecFeed.State;
using RecFeed.Http.Metrics;
using RecFeed.Sync;

namespace RecFeed.Http.Lifecycle;

/// <summary>What one <see cref="ServeLifecycle"/> serves and how; the CLI maps its flags onto this, tests build it directly.</summary>
public sealed record ServeOptions
{
    public const string DefaultUrl = "http://127.0.0.1:8080";

    /// <summary>The feeds file; a reload reads whatever is at this path then.</summary>
    public required string Data { get; init; }

    /// <summary>The feeds served beside <see cref="Data"/> at <c>/feed/{name}/{userId}</c>, each with its own state file; none by default.</summary>
    public IReadOnlyList<NamedFeed> Feeds { get; init; } = [];

    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>Where <c>POST /admin/reload</c> listens; empty (the default) for no admin listener. SIGHUP reloads either way.</summary>
    public IReadOnlyList<string> AdminUrls { get; init; } = [];

    /// <summary>The state file of read positions; null for the data path + ".state".</summary>
    public string? State { get; init; }

    public string StatePath => State ?? StateFile.DefaultPath(Data);

    public TimeSpan SnapshotInterval { get; init; } = DefaultSnapshotInterval;

    public static readonly TimeSpan DefaultSnapshotInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long /healthz answers 503 "draining" after a stop is asked for, while requests are still served, before
    /// the listener closes. The default covers the shipped HAProxy check (deploy/haproxy/recfeed.cfg, written by
    /// <c>recfeed haproxy-config</c>): checked every 1 s (inter), then every 0.5 s once failing (fastinter), down
    /// after 2 failures (fall), so out of rotation 1.5 s after the drain starts and within inter × fall = 2 s;
    /// 3 s more is margin for a loaded router and check jitter.
    /// </summary>
    public TimeSpan DrainTime { get; init; } = DefaultDrainTime;

    public static readonly TimeSpan DefaultDrainTime = TimeSpan.FromSeconds(5);

    /// <summary>Where the read positions are shared with the shard's other replicas (docs/operations.md); null (the default) for none.</summary>
    public RedisAddress? PositionsRedis { get; init; }

    /// <summary>Time between two rounds of the position sync: at most this much reading is repeated when a peer takes over a user.</summary>
    public TimeSpan PositionsSyncInterval { get; init; } = DefaultPositionsSyncInterval;

    public static readonly TimeSpan DefaultPositionsSyncInterval = TimeSpan.FromSeconds(1);

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>The public listener's transport; the admin listener always uses <see cref="TransportSettings.Admin"/>.</summary>
    public TransportSettings Transport { get; init; } = TransportSettings.Default;

    /// <summary>Which listener answers <c>GET /metrics</c>; <see cref="MetricsListener.Admin"/> needs <see cref="AdminUrls"/>.</summary>
    public MetricsListener Metrics { get; init; } = MetricsListener.Public;
}
