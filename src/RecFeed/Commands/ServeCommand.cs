using System.CommandLine;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecFeed.Feed;
using RecFeed.Format;
using RecFeed.Http;
using RecFeed.Slab;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed serve</c>: load and verify a feeds file, then answer HTTP until SIGINT/SIGTERM.</summary>
internal static class ServeCommand
{
    /// <summary>How long in-flight requests get to finish on shutdown.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    private static readonly Option<FileInfo> Data = new("--data", "-d")
    {
        Description = "The feeds file to serve (see docs/feeds-format.md).",
        Required = true,
    };

    private static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen, ';'-separated http URLs. Use http://0.0.0.0:PORT to accept other hosts.",
        DefaultValueFactory = _ => "http://127.0.0.1:8080",
        Validators =
        {
            r =>
            {
                foreach (var url in SplitUrls(r.GetValueOrDefault<string>() ?? ""))
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http")
                        r.AddError($"--urls: '{url}' is not an http:// URL.");
            },
        },
    };

    public static Command Create()
    {
        var command = new Command("serve", "Load a feeds file into memory and serve GET /feed/{userId}?size=N, /healthz and /metrics.")
        {
            Data, Urls,
        };
        command.SetAction((r, ct) => RunAsync(Console.Error, r.GetValue(Data)!.FullName, SplitUrls(r.GetValue(Urls)!), ct));
        return command;
    }

    public static async Task<int> RunAsync(TextWriter stderr, string data, IReadOnlyList<string> urls, CancellationToken cancellationToken)
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
        await using var app = RecFeedServer.Build(service, urls);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch (IOException e)
        {
            stderr.WriteLine($"recfeed serve: cannot listen: {e.Message}");
            return (int)ExitCode.Failure;
        }
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("recfeed");
        log.LogInformation("ready: {Users} users x {Items} items, {Bytes} bytes in memory, loaded in {Seconds:F2} s, listening on {Addresses}",
            slab.UserCount, slab.ItemsPerUser, slab.Bytes + slab.UserCount * sizeof(ushort), slab.LoadTime.TotalSeconds,
            string.Join(' ', app.ListeningAddresses()));
        await app.WaitForShutdownAsync(cancellationToken);
        log.LogInformation("stopped");
        return (int)ExitCode.Ok;
    }

    private static string[] SplitUrls(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
