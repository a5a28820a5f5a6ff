using System.CommandLine;
using RecFeed.Cli.Routing;

namespace RecFeed.Cli.Commands;

/// <summary><c>recfeed haproxy-config</c>: print an HAProxy configuration that routes each user to its shard.</summary>
internal static class HaproxyConfigCommand
{
    private static readonly Option<uint> Shards = new("--shards")
    {
        Description = "Number of shards n; shard k serves the users with id mod n == k.",
        Required = true,
        Validators = { r => OptionRange.Check(r, 1, ShardOptions.MaxShards) },
    };

    private static readonly Option<string[]> Backends = new("--backend")
    {
        Description = "A shard process as host:port, repeated. Either K=host:port, or plain host:port where the i-th " +
            "value serves shard i mod n (list each shard's first replica, then each shard's second, ...).",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    private static readonly Option<string> Bind = new("--bind")
    {
        Description = "Where the router listens, host:port. Use 0.0.0.0:PORT to accept other hosts.",
        DefaultValueFactory = _ => "127.0.0.1:8080",
    };

    private static readonly Option<string?> Stats = new("--stats")
    {
        Description = "Also serve the router's Prometheus metrics (/metrics) and status page (/stats) on this host:port.",
    };

    public static Command Create()
    {
        var command = new Command("haproxy-config", "Print an HAProxy configuration routing GET /feed/{userId} to shard userId mod n.")
        {
            Shards, Backends, Bind, Stats,
        };
        command.SetAction((r, ct) => Task.FromResult((int)Run(Console.Out, Console.Error,
            r.GetValue(Shards), r.GetValue(Backends)!, r.GetValue(Bind)!, r.GetValue(Stats))));
        return command;
    }

    public static ExitCode Run(TextWriter stdout, TextWriter stderr, uint shards, IReadOnlyList<string> backends, string bind, string? stats)
    {
        if (!HostPort.TryParse(bind, out var bindAddress))
            return Fail(stderr, $"--bind '{bind}': expected host:port (port 1..65535, IPv6 in brackets)");
        HostPort? statsAddress = null;
        if (stats is not null)
        {
            if (!HostPort.TryParse(stats, out var parsed))
                return Fail(stderr, $"--stats '{stats}': expected host:port (port 1..65535, IPv6 in brackets)");
            statsAddress = parsed;
        }
        if (ShardBackend.TryParseAll(backends, shards, out var error) is not { } parsedBackends)
            return Fail(stderr, error);
        stdout.Write(HaproxyConfig.Render(shards, bindAddress, statsAddress, parsedBackends));
        return ExitCode.Ok;
    }

    private static ExitCode Fail(TextWriter stderr, string reason)
    {
        stderr.WriteLine($"recfeed haproxy-config: {reason}");
        return ExitCode.BadInput;
    }
}
