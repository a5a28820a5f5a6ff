using RecFeed.Cli.Commands;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Sharding;

public sealed class HaproxyConfigCommandTests : IDisposable
{
    /// <summary>The arguments deploy/haproxy/recfeed.cfg and deploy/run-shards.sh are made with.</summary>
    internal static readonly string[] ExampleBackends = ["127.0.0.1:8081", "127.0.0.1:8082"];

    private readonly StringWriter _stdout = new();
    private readonly StringWriter _stderr = new();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private ExitCode Run(uint shards, string[] backends, string bind = "127.0.0.1:8080", string? stats = null) =>
        HaproxyConfigCommand.Run(_stdout, _stderr, shards, backends, bind, stats);

    [Fact]
    public void The_committed_example_is_what_the_generator_prints()
    {
        Assert.Equal(ExitCode.Ok, Run(2, ExampleBackends, stats: "127.0.0.1:8404"));

        var committed = File.ReadAllText(Path.Combine(RepoPaths.Root, "deploy", "haproxy", "recfeed.cfg"));
        Assert.Equal(committed, _stdout.ToString());
    }

    [Fact]
    public void Plain_backends_go_to_shards_in_turn_and_each_shard_routes_by_its_own_remainder()
    {
        Assert.Equal(ExitCode.Ok, Run(2, ["h:1", "h:2", "h:3", "h:4"]));

        var config = _stdout.ToString();
        Assert.Contains("    http-request set-var(txn.user) path,field(3,/)\n", config);
        Assert.Contains("    http-request set-var(txn.shard) var(txn.user),mod(2)\n", config);
        Assert.Contains("    use_backend shard0 if { var(txn.shard) -m int 0 }\n    use_backend shard1 if { var(txn.shard) -m int 1 }\n", config);
        Assert.Contains("backend shard0\n", config);
        Assert.Contains("    http-check expect rstring '^ok shard 1/2( |$)'\n", config);
        Assert.Contains("    server shard0-r0 h:1\n    server shard0-r1 h:3\n", config);
        Assert.Contains("    server shard1-r0 h:2\n    server shard1-r1 h:4\n", config);
        Assert.Empty(_stderr.ToString());
    }

    [Fact]
    public void Every_generated_shape_passes_haproxys_own_check()
    {
        var shapes = new (uint Shards, string[] Backends, string? Stats)[]
        {
            (1, ["127.0.0.1:9001"], null),
            (1, ["127.0.0.1:9001", "127.0.0.1:9002"], null),
            (3, ["2=localhost:9003", "0=[::1]:9001", "1=127.0.0.1:9002", "0=127.0.0.1:9004"], "127.0.0.1:9404"),
        };
        foreach (var (shards, backends, stats) in shapes)
        {
            _stdout.GetStringBuilder().Clear();
            Assert.Equal(ExitCode.Ok, Run(shards, backends, stats: stats));
            var path = _dir.File($"router-{shards}-{backends.Length}.cfg");
            File.WriteAllText(path, _stdout.ToString());
            RouterProcess.AssertValid(path);
        }
    }

    [Theory]
    [InlineData(2u, new[] { "h:1" }, "127.0.0.1:8080", "shard 1 of 2 has no --backend; every shard needs at least one")]
    [InlineData(2u, new[] { "0=h:1", "h:2" }, "127.0.0.1:8080",
        "--backend values must either all name their shard (K=host:port) or none (host:port, assigned in turn)")]
    [InlineData(2u, new[] { "2=h:1", "1=h:2" }, "127.0.0.1:8080", "--backend '2=h:1': the shard before '=' must be 0..1")]
    [InlineData(1u, new[] { "h 1:80" }, "127.0.0.1:8080", "--backend 'h 1:80': expected host:port (port 1..65535, IPv6 in brackets)")]
    [InlineData(1u, new[] { "h:65536" }, "127.0.0.1:8080", "--backend 'h:65536': expected host:port (port 1..65535, IPv6 in brackets)")]
    [InlineData(1u, new[] { "h" }, "127.0.0.1:8080", "--backend 'h': expected host:port (port 1..65535, IPv6 in brackets)")]
    [InlineData(1u, new[] { "h:1" }, "8080", "--bind '8080': expected host:port (port 1..65535, IPv6 in brackets)")]
    [InlineData(1u, new[] { "h:1" }, "\"a\":1", "--bind '\"a\":1': expected host:port (port 1..65535, IPv6 in brackets)")]
    public void Bad_arguments_get_one_line_and_no_config(uint shards, string[] backends, string bind, string reason)
    {
        Assert.Equal(ExitCode.BadInput, Run(shards, backends, bind));

        Assert.Equal($"recfeed haproxy-config: {reason}\n", _stderr.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(_stdout.ToString());
    }
}
