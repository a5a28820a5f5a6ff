using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http;
using RecFeed.Slab;
using RecFeed.State;

namespace RecFeed.Cli.Commands;

/// <summary>
/// <c>recfeed serve</c>: load and verify a feeds file, restore read positions, then answer HTTP until SIGINT/SIGTERM,
/// snapshotting positions as they move and reloading the file on SIGHUP or <c>POST /admin/reload</c>.
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
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
        Validators = { r => ValidateUrls(r, "--urls") },
    };

    private static readonly Option<string> AdminUrls = new("--admin-urls")
    {
        Description = "Where the admin listener (POST /admin/reload) listens, ';'-separated http URLs. Loopback unless you bind it elsewhere on purpose.",
        DefaultValueFactory = _ => AdminServer.DefaultUrls,
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
        command.SetAction((r, ct) =>
        {
            var data = r.GetValue(Data)!.FullName;
            return RunAsync(Console.Error, data, SplitUrls(r.GetValue(Urls)!), SplitUrls(r.GetValue(AdminUrls)!),
                r.GetValue(StatePath)?.FullName ?? StateFile.DefaultPath(data), TimeSpan.FromSeconds(r.GetValue(SnapshotInterval)), ct);
        });
        return command;
    }

    public static async Task<int> RunAsync(TextWriter stderr, string data, IReadOnlyList<string> urls, IReadOnlyList<string> adminUrls,
        string statePath, TimeSpan snapshotInterval, CancellationToken cancellationToken)
    {
        FeedSlab slab;
        try
        {
            slab = FeedSlab.Load(data, cancellationToken);
        }
        catch (FeedFileException e)
        {
            stderr.WriteLine($"recfeed serve: {data}: {e.Message}");
            return (int)ExitCode.BadInput;
        }
        catch (OperationCanceledException)
        {
            return (int)ExitCode.Interrupted;
        }

        using var service = new FeedService(slab);
        using var progress = OpenProgress(stderr, service, statePath);
        if (progress is null)
            return (int)ExitCode.Failure;
        var restored = progress.Restore();
        using var reloader = new FeedReloader(service, data, progress);
        await using var app = RecFeedServer.Build(service, urls);
        await using var admin = AdminServer.Build(reloader, adminUrls);
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("recfeed");
        LogRestore(log, progress.Path, restored);
        try
        {
            await app.StartAsync(cancellationToken);
            await admin.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"recfeed serve: cannot listen: {e.Message}");
            return (int)ExitCode.Failure;
        }
        if (!AdminServer.IsLoopbackOnly(adminUrls))
            log.LogWarning("the admin listener is bound beyond loopback ({Addresses}): anyone who reaches it can trigger reloads", string.Join(' ', adminUrls));
        log.LogInformation("ready: {Users} users x {Items} items, {Bytes} bytes in memory, loaded in {Seconds:F2} s, listening on {Addresses} (admin: {Admin})",
            slab.UserCount, slab.ItemsPerUser, slab.Bytes + slab.UserCount * sizeof(ushort), slab.LoadTime.TotalSeconds,
            string.Join(' ', app.ListeningAddresses()), string.Join(' ', admin.ListeningAddresses()));

        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // SIGHUP would end the process otherwise
            _ = ReloadOnSignalAsync(reloader, log, stopping);
        });
        using var stopSnapshots = new CancellationTokenSource();
        var snapshots = progress.RunAsync(snapshotInterval,
            s => log.LogDebug("snapshot: {Users} users with progress, {Bytes} bytes in {Ms:F1} ms", s.UsersWithProgress, s.Bytes, s.Elapsed.TotalMilliseconds),
            e => log.LogError("snapshot to {Path} failed, retrying next round: {Message}", progress.Path, e.Message),
            stopSnapshots.Token);

        // Returns once Kestrel has stopped accepting and the in-flight requests are done (or ShutdownTimeout passed).
        await app.WaitForShutdownAsync(cancellationToken);
        await admin.StopAsync(CancellationToken.None);
        await stopSnapshots.CancelAsync();
        await snapshots;
        return (int)WriteFinalSnapshot(progress, log);
    }

    /// <summary>Null, with one line on stderr, when another process holds the state file.</summary>
    private static ProgressKeeper? OpenProgress(TextWriter stderr, FeedService service, string statePath)
    {
        try
        {
            return new ProgressKeeper(service, statePath);
        }
        catch (StateLockException e)
        {
            stderr.WriteLine($"recfeed serve: {e.Message}");
            return null;
        }
    }

    private static ExitCode WriteFinalSnapshot(ProgressKeeper progress, ILogger log)
    {
        try
        {
            var snapshot = progress.WriteIfChanged();
            if (snapshot is { } s)
                log.LogInformation("stopped: final snapshot written to {Path}, {Users} users with progress", progress.Path, s.UsersWithProgress);
            else
                log.LogInformation("stopped: no progress since the last snapshot in {Path}", progress.Path);
            return ExitCode.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            log.LogError("stopped, but the final snapshot to {Path} failed: {Message}", progress.Path, e.Message);
            return ExitCode.Failure;
        }
    }

    private static async Task ReloadOnSignalAsync(FeedReloader reloader, ILogger log, CancellationToken stopping)
    {
        try
        {
            AdminServer.Log(log, await reloader.ReloadAsync(stopping), "SIGHUP");
        }
        catch (OperationCanceledException)
        {
            log.LogWarning("SIGHUP: reload abandoned, the server is stopping");
        }
    }

    private static void LogRestore(ILogger log, string path, StateRestore restored)
    {
        switch (restored.Outcome)
        {
            case RestoreOutcome.Restored:
                log.LogInformation("progress restored from {Path}: {Users} users with progress (snapshot of {WrittenAt:u}, base + {Records} journal records)",
                    path, restored.UsersWithProgress, restored.WrittenAt, restored.Records);
                if (restored.Reason is { } dropped)
                    log.LogWarning("state file {Path}: {Dropped}", path, dropped);
                break;
            case RestoreOutcome.Missing:
                log.LogInformation("no state file at {Path} yet: every user starts at the beginning", path);
                break;
            case RestoreOutcome.Mismatch:
                log.LogWarning("state file {Path} not used, {Reason}: every user starts from zero and the next snapshot replaces it", path, restored.Reason);
                break;
            case RestoreOutcome.Corrupt:
                log.LogError("state file {Path} is unusable ({Reason}); {Aside}; every user starts from zero", path, restored.Reason,
                    restored.MovedTo is { } aside ? $"kept as {aside}" : "could not be renamed aside, the next snapshot replaces it");
                break;
        }
    }

    private static void ValidateUrls(System.CommandLine.Parsing.OptionResult r, string option)
    {
        foreach (var url in SplitUrls(r.GetValueOrDefault<string>() ?? ""))
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
                r.AddError($"{option}: '{url}' is not an http:// URL.");
    }

    private static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
