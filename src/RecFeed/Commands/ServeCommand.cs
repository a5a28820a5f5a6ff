using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.Extensions.Logging;
using RecFeed.Http.Hosting;
using RecFeed.Http.Lifecycle;
using RecFeed.Http.Metrics;
using RecFeed.Sync;

namespace RecFeed.Cli.Commands;

/// <summary>
/// <c>recfeed serve</c>: maps its options (flags, else <c>RECFEED_*</c> variables) onto a <see cref="ServeLifecycle"/>
/// (load, restore read positions, serve, snapshot, reload on SIGHUP or <c>POST /admin/reload</c>, drain and stop on
/// SIGTERM, stop at once on SIGINT) and returns its exit code.
/// </summary>
internal static class ServeCommand
{
    private const double MaxSnapshotSeconds = 86_400;
    private const double MaxDrainSeconds = 3_600;

    private static readonly Option<FileInfo?> Data = new Option<FileInfo?>("--data", "-d")
    {
        Description = "The feeds file to serve (see docs/feeds-format.md). Required, as the flag or the variable.",
    }.FromEnvironment(null, text => (new FileInfo(text), null), required: true);

    private static readonly Option<string> Urls = new Option<string>("--urls")
    {
        Description = "Where to listen, ';'-separated http URLs. Use http://0.0.0.0:PORT to accept other hosts.",
        Validators = { r => CheckToken(r, UrlsError) },
    }.FromEnvironment(ServeOptions.DefaultUrl, text => (text, UrlsError(text)));

    private static readonly Option<string?> AdminUrls = new Option<string?>("--admin-urls")
    {
        Description = "Where the admin listener (POST /admin/reload) listens, ';'-separated http URLs. Default: none " +
            "(SIGHUP reloads without it, and instances on one host need not share a port). Loopback unless you bind it elsewhere on purpose.",
        Validators = { r => CheckToken(r, UrlsError) },
    }.FromEnvironment(null, text => (text, UrlsError(text)));

    private static readonly Option<FileInfo?> StatePath = new Option<FileInfo?>("--state")
    {
        Description = "The state file of read positions (see docs/operations.md). Default: the data file's path + \".state\".",
    }.FromEnvironment(null, text => (new FileInfo(text), null));

    private static readonly Option<double> SnapshotInterval = new Option<double>("--snapshot-interval")
    {
        Description = "Seconds between snapshots of the read positions (written only when some position moved). " +
            "A kill -9 loses at most this many seconds of reading.",
        Validators = { r => CheckToken(r, text => SecondsError(text, min: 0, minIncluded: false, MaxSnapshotSeconds)) },
    }.FromEnvironment(ServeOptions.DefaultSnapshotInterval.TotalSeconds, text => ParseSeconds(text, min: 0, minIncluded: false, MaxSnapshotSeconds));

    private static readonly Option<double> DrainSeconds = new Option<double>("--drain-seconds")
    {
        Description = "On SIGTERM, seconds /healthz answers 503 'draining' while requests are still served, before the listener " +
            "closes. The default 5 covers the shipped HAProxy check (inter 1s, fastinter 500ms, fall 2: out of rotation within " +
            "inter x fall = 2 s) plus 3 s of margin. 0 stops at once. SIGINT (Ctrl-C) never drains; a second signal ends a drain.",
        Validators = { r => CheckToken(r, text => SecondsError(text, min: 0, minIncluded: true, MaxDrainSeconds)) },
    }.FromEnvironment(ServeOptions.DefaultDrainTime.TotalSeconds, text => ParseSeconds(text, min: 0, minIncluded: true, MaxDrainSeconds));

    private const double MaxSyncSeconds = 3_600;

    private static readonly Option<string?> PositionsRedis = new Option<string?>("--positions-redis")
    {
        Description = "Share read positions with the shard's other replicas through Redis at redis://HOST:PORT/KEYPREFIX " +
            "(docs/operations.md): a user moved to another replica continues where they were, less one sync interval. Default: none.",
        Validators = { r => CheckToken(r, text => RedisAddress.Parse(text).Error) },
    }.FromEnvironment(null, text => (text, RedisAddress.Parse(text).Error));

    private static readonly Option<double> PositionsSyncSeconds = new Option<double>("--positions-sync-seconds")
    {
        Description = "Seconds between two rounds of the position sync (sends the users who moved, takes in the peers'). " +
            "A user moved to a peer sees at most this much of their list again.",
        Validators = { r => CheckToken(r, text => SecondsError(text, min: 0, minIncluded: false, MaxSyncSeconds)) },
    }.FromEnvironment(ServeOptions.DefaultPositionsSyncInterval.TotalSeconds, text => ParseSeconds(text, min: 0, minIncluded: false, MaxSyncSeconds));

    private static readonly Option<LogFormat> Format = new Option<LogFormat>("--log-format")
    {
        Description = "text: one line per event (default). json: one JSON object per line, with each message's figures as fields.",
        HelpName = "text|json",
    }.FromEnvironment(LogFormat.Text, ParseLogFormat);

    private static readonly Option<ServerTransport> Transport = new Option<ServerTransport>("--transport")
    {
        Description = "How the public listener moves bytes. epoll (default): recfeed's own loop per core on Linux epoll, " +
            "reading until a short read and writing from the loop; measured against sockets in bench/README.md. " +
            "sockets: Kestrel's transport on .NET sockets, with .NET's thread-pool dispatch. The admin listener always runs on one epoll loop of its own.",
        HelpName = "epoll|sockets",
    }.FromEnvironment(TransportSettings.DefaultKind, ParseTransport);

    private static readonly Option<MetricsListener> Metrics = new Option<MetricsListener>("--metrics")
    {
        Description = "Which listener answers GET /metrics. public (default): where Prometheus finds it with no admin listener " +
            "(there is none by default); a scrape costs the same however many connections are open and opens no file. " +
            "admin: only the admin listener (needs --admin-urls), to keep it off a port the internet reaches.",
        HelpName = "public|admin",
    }.FromEnvironment(MetricsListener.Public, ParseMetrics);

    private static readonly Option<OnOff> FastLane = new Option<OnOff>("--fast-lane")
    {
        Description = "On the epoll transport, answer plain keep-alive GET /feed/{userId} requests on the loop itself, without " +
            "Kestrel's request machinery; anything else goes to Kestrel with the connection (docs/operations.md). No effect on sockets.",
        HelpName = "on|off",
    }.FromEnvironment(TransportSettings.DefaultFastLane ? OnOff.On : OnOff.Off, text => ParseChoice(text, OnOff.Off, "switch", "on or off"));

    private const int MaxIoThreads = 1024;

    private static readonly Option<int> IoThreads = new Option<int>("--io-threads")
    {
        Description = "Loop threads of the epoll transport; 0 (default) for one per core. Fewer leaves cores to other " +
            "processes on the host: the load bench gives recfeed one, as nginx gets one worker (bench/README.md).",
        Validators = { r => CheckToken(r, IoThreadsError) },
    }.FromEnvironment(0, ParseIoThreads);

    private const long MaxRequestBuffer = 64L * 1024 * 1024;

    private static readonly Option<long> RequestBuffer = new Option<long>("--max-request-buffer-size")
    {
        Description = "Bytes of unparsed requests held per connection before the server stops reading from it and lets TCP " +
            "push back (Kestrel's MaxRequestBufferSize; 1 MiB there). The default 32768 holds three of the largest requests " +
            $"the HTTP limits allow (1 KiB line, 8 KiB headers); at least {TransportSettings.MinRequestBufferSize}.",
        Validators = { r => CheckToken(r, RequestBufferError) },
    }.FromEnvironment(TransportSettings.Default.MaxRequestBufferSize, ParseRequestBuffer);

    public static Command Create()
    {
        var command = new Command("serve",
            "Load a feeds file into memory and serve GET /feed/{userId}?size=N, /healthz and /metrics; with --feed, also GET /feed/{name}/{userId}.")
        {
            Data, FeedOption.Feeds, Urls, AdminUrls, StatePath, SnapshotInterval, DrainSeconds, Format, Transport, IoThreads, RequestBuffer, FastLane, Metrics,
            PositionsRedis, PositionsSyncSeconds,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(Metrics) == MetricsListener.Admin && string.IsNullOrWhiteSpace(r.GetValue(AdminUrls)))
                r.AddError("--metrics admin needs an admin listener: set --admin-urls (or RECFEED_ADMIN_URLS).");
        });
        command.SetAction((r, ct) => RunAsync(Console.Error, new ServeOptions
        {
            Data = r.GetValue(Data)!.FullName,
            Feeds = FeedOption.NamedFeeds(r),
            Urls = SplitUrls(r.GetValue(Urls)!),
            AdminUrls = SplitUrls(r.GetValue(AdminUrls) ?? ""),
            State = r.GetValue(StatePath)?.FullName,
            SnapshotInterval = TimeSpan.FromSeconds(r.GetValue(SnapshotInterval)),
            DrainTime = TimeSpan.FromSeconds(r.GetValue(DrainSeconds)),
            LogFormat = r.GetValue(Format),
            Transport = new TransportSettings
            {
                Kind = r.GetValue(Transport), IoThreads = r.GetValue(IoThreads), MaxRequestBufferSize = r.GetValue(RequestBuffer),
                FastLane = r.GetValue(FastLane) == OnOff.On,
            },
            Metrics = r.GetValue(Metrics),
            PositionsRedis = r.GetValue(PositionsRedis) is { } redis ? RedisAddress.Parse(redis).Value : null,
            PositionsSyncInterval = TimeSpan.FromSeconds(r.GetValue(PositionsSyncSeconds)),
        }, ct));
        return command;
    }

    /// <summary>True when the command line runs serve, which handles SIGINT and SIGTERM itself.</summary>
    public static bool Runs(ParseResult parse) => parse.Errors.Count == 0 && parse.CommandResult.Command.Name == "serve";

    public static async Task<int> RunAsync(TextWriter stderr, ServeOptions options, CancellationToken cancellationToken)
    {
        // Disposed last, so every line the lifecycle logged is written out before the process exits.
        using var logging = LoggerFactory.Create(b => TunedHost.ConfigureLogging(b, options.LogFormat));
        await using var serve = new ServeLifecycle(options, logging, stderr);
        return (int)(await serve.RunAsync(cancellationToken) switch
        {
            ServeExit.Stopped => ExitCode.Ok,
            ServeExit.BadData => ExitCode.BadInput,
            ServeExit.Interrupted => ExitCode.Interrupted,
            _ => ExitCode.Failure,
        });
    }

    /// <summary>Checks the option's own token; a value from the environment is checked where it is read.</summary>
    private static void CheckToken(OptionResult r, Func<string, string?> error)
    {
        if (r.Tokens is [var token] && error(token.Value) is { } message)
            r.AddError($"{r.Option.Name}: {message}");
    }

    private static string? UrlsError(string urls)
    {
        foreach (var url in SplitUrls(urls))
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
                return $"'{url}' is not an http:// URL.";
        return null;
    }

    private static (double Value, string? Error) ParseSeconds(string text, double min, bool minIncluded, double max)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return (0, $"'{text}' is not a number of seconds.");
        var inRange = (minIncluded ? seconds >= min : seconds > min) && seconds <= max;
        return inRange ? (seconds, null) : (0, $"expected seconds, {(minIncluded ? "at least" : "more than")} {min} and at most {max}; got {text}.");
    }

    /// <summary>A flag's value that is not a number at all is System.CommandLine's own error; only the range is checked here.</summary>
    private static string? SecondsError(string text, double min, bool minIncluded, double max) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? ParseSeconds(text, min, minIncluded, max).Error : null;

    private static (LogFormat Value, string? Error) ParseLogFormat(string text) => ParseChoice(text, LogFormat.Text, "log format", "text or json");

    private static (ServerTransport Value, string? Error) ParseTransport(string text) =>
        ParseChoice(text, TransportSettings.DefaultKind, "transport", "epoll or sockets");

    /// <summary>An enum value by name, any case; numbers are refused, since an enum would take any of them.</summary>
    private static (T Value, string? Error) ParseChoice<T>(string text, T fallback, string what, string expected) where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: true, out var value) && Enum.IsDefined(value) && !char.IsDigit(text[0])
            ? (value, null)
            : (fallback, $"'{text}' is not a {what}; expected {expected}.");

    private static (MetricsListener Value, string? Error) ParseMetrics(string text) =>
        ParseChoice(text, MetricsListener.Public, "metrics listener", "public or admin");

    private static (int Value, string? Error) ParseIoThreads(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxIoThreads
            ? (n, null)
            : (0, $"'{text}' is not a thread count; expected 0 (one per core) to {MaxIoThreads}.");

    private static string? IoThreadsError(string text) => ParseIoThreads(text).Error;

    private static (long Value, string? Error) ParseRequestBuffer(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= TransportSettings.MinRequestBufferSize && n <= MaxRequestBuffer
            ? (n, null)
            : (0, $"'{text}' is not a buffer size; expected bytes, {TransportSettings.MinRequestBufferSize} to {MaxRequestBuffer}.");

    private static string? RequestBufferError(string text) => ParseRequestBuffer(text).Error;

    private static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
