using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Bench;

/// <summary>
/// bench/load.sh, which the README tells users to run, on small data: all four targets, short runs, ports this test
/// found free. It installs its own tools (wrk, nginx, Go with fasthttp, gnuplot) and builds what is missing.
/// </summary>
public sealed partial class LoadBenchSmokeTests : TempDirectoryTest
{
    private static readonly string[] Targets = ["recfeed", "kestrel", "nginx", "go"];

    [Fact]
    public async Task Load_sh_measures_all_four_targets_and_draws_the_chart()
    {
        var chart = Dir.File("chart.svg");
        var (code, stdout, stderr) = await BenchScript.RunAsync("load.sh", TimeSpan.FromMinutes(10),
            "--users", "10000", "--duration", "2", "--warmup", "1", "--connections", "16", "--no-build",
            "--port-base", FreePortRun(4).ToString(CultureInfo.InvariantCulture), "--chart", chart);

        Assert.True(code == 0, $"load.sh exited {code}\n{stdout}\n{stderr}");
        foreach (var target in Targets)
        {
            var row = TableRow().Matches(stdout).SingleOrDefault(m => m.Groups["target"].Value == target);
            Assert.True(row is not null, $"no row for {target} in:\n{stdout}");
            Assert.True(long.Parse(row.Groups["rps"].Value, CultureInfo.InvariantCulture) > 0, $"{target} had 0 RPS:\n{stdout}");
        }
        // recfeed's row carries bytes per request from its own allocation counter; the others have none.
        Assert.Matches(@"(?m)^recfeed\s+(\S+\s+){7}\d+\.\d\s", stdout);
        Assert.Contains("recfeed / Go design:", stdout);
        Assert.StartsWith("<?xml", File.ReadAllText(chart).TrimStart());
    }

    /// <summary>The first of <paramref name="count"/> consecutive loopback ports that are all free right now.</summary>
    private static int FreePortRun(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port + count > 65535)
                continue;
            var rest = new List<TcpListener>();
            try
            {
                for (var p = port + 1; p < port + count; p++)
                {
                    var l = new TcpListener(IPAddress.Loopback, p);
                    l.Start();
                    rest.Add(l);
                }
                return port;
            }
            catch (SocketException)
            {
            }
            finally
            {
                rest.ForEach(l => l.Stop());
            }
        }
        throw new InvalidOperationException($"no {count} consecutive free loopback ports found");
    }

    [GeneratedRegex(@"(?m)^(?<target>recfeed|kestrel|nginx|go)\s+(?<rps>\d+)\s")]
    private static partial Regex TableRow();
}
