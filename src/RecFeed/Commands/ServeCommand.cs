using System.CommandLine;
using Microsoft.Extensions.Logging;
using RecFeed.Http;
using RecFeed.Http.Lifecycle;

namespace RecFeed.Cli.Commands;

/// <summary>
/// <c>recfeed serve</c>: maps its options onto a <see cref="ServeLifecycle"/> (load, restore read positions,
/// serve until SIGINT/SIGTERM, snapshot, reload on SIGHUP or <c>POST /admin/reload</c>) and returns its exit code.
/// </summary>
internal static class ServeCommand
{
    /// <summary>How long in-flight requests get to finish on shutdown.</summary>
    public static TimeSpan ShutdownTimeout => RecFeedServer.ShutdownTimeout;

    private static readonly Option<FileInfo> Data = new("--data", "-d")
    {
        Description = "The feeds file to serve (see docs/feeds-format.md).",
        Required = true,
    };

    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen, ';'-separated http URLs. Use http://0.0.0.0:PORT to accept other hosts.",
        DefaultValueFactory = _ => ServeOptions.DefaultUrl,
        Validators = { r => ValidateUrls(r, "--urls") },
    };

    private static readonly Option<string?> AdminUrls = new("--admin-urls")
    {
        Description = "Where the admin listener (POST /admin/reload) listens, ';'-separated http URLs. Default: none " +
            "(SIGHUP reloads without it, and instances on one host need not share a port). Loopback unless you bind it elsewhere on purpose.",
        Validators = { r => ValidateUrls(r, "--admin-urls") },
    };

    private static readonly Option<FileInfo?> StatePath = new("--state")
    {
        Description = "The progress snapshot file (see docs/operations.md). Default: the data file's path + \".state\".",
    };

    private static readonly Option<double> SnapshotInterval = new("--snapshot-interval")
    {
        Description = "Seconds between progress snapshots (written only when some position moved). A kill -9 loses at most this much progress.",
        DefaultValueFactory = _ => 5,
        Validators =
        {
            r =>
            {
                if (OptionRange.TryParseToken<double>(r, out var seconds) && !(seconds is > 0 and <= 86_400))
                    r.AddError("--snapshot-interval: expected seconds, more than 0 and at most 86400.");
            },
        },
    };

    public static Command Create()
    {
        var command = new Command("serve", "Load a feeds file into memory and serve GET /feed/{userId}?size=N, /healthz and /metrics.")
        {
            Data, Urls, AdminUrls, StatePath, SnapshotInterval,
        };
        command.SetAction((r, ct) => RunAsync(Console.Error, new ServeOptions
        {
            Data = r.GetValue(Data)!.FullName,
            Urls = SplitUrls(r.GetValue(Urls)!),
            AdminUrls = SplitUrls(r.GetValue(AdminUrls) ?? ""),
            State = r.GetValue(StatePath)?.FullName,
            SnapshotInterval = TimeSpan.FromSeconds(r.GetValue(SnapshotInterval)),
        }, ct));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter stderr, ServeOptions options, CancellationToken cancellationToken)
    {
        // Disposed last, so every line the lifecycle logged is written out before the process exits.
        using var logging = LoggerFactory.Create(b => ServerTuning.ConfigureLogging(b, options.LogFormat));
        await using var serve = new ServeLifecycle(options, logging, stderr);
        return (int)(await serve.RunAsync(cancellationToken) switch
        {
            ServeExit.Stopped => ExitCode.Ok,
            ServeExit.BadData => ExitCode.BadInput,
            ServeExit.Interrupted => ExitCode.Interrupted,
            _ => ExitCode.Failure,
        });
    }

    private static void ValidateUrls(System.CommandLine.Parsing.OptionResult r, string option)
    {
        foreach (var url in SplitUrls(r.GetValueOrDefault<string>() ?? ""))
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
                r.AddError($"{option}: '{url}' is not an http:// URL.");
    }

    private static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
