using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deploy;

/// <summary>deploy/systemd/recfeed.service, verified by systemd itself, with its binary pointed at the published one.</summary>
public sealed class SystemdUnitTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "deploy", "systemd");

    private static Dictionary<string, string> Directives(string unit) =>
        unit.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith('[') && l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

    [Fact]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_warning()
    {
        var analyze = SystemTool.Find("systemd-analyze", "systemd");
        using var dir = new TempDirectory();
        // verify checks that ExecStart's binary exists: the installed path becomes the published binary, the
        // environment file a copy of the shipped example.
        var unit = File.ReadAllText(Path.Combine(Folder, "recfeed.service"))
            .Replace("/usr/local/bin/recfeed", RepoPaths.Binary, StringComparison.Ordinal)
            .Replace("/etc/recfeed/recfeed.env", dir.File("recfeed.env"), StringComparison.Ordinal);
        File.Copy(Path.Combine(Folder, "recfeed.env"), dir.File("recfeed.env"));
        File.WriteAllText(dir.File("recfeed.service"), unit);

        var (code, output) = await SystemTool.RunAsync(analyze, ["verify", dir.File("recfeed.service")]);
        Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify: exit {code}\n{output}");
    }

    [Fact]
    public void The_unit_reloads_on_SIGHUP_stops_with_SIGTERM_within_the_drain_budget_and_is_hardened()
    {
        var d = Directives(File.ReadAllText(Path.Combine(Folder, "recfeed.service")));
        Assert.Equal("/bin/kill -HUP $MAINPID", d["ExecReload"]);
        Assert.Equal("SIGTERM", d["KillSignal"]);
        // drain (5 s by default) + in-flight requests (10 s) + final snapshot: stopping must not be cut short by SIGKILL.
        Assert.True(int.Parse(d["TimeoutStopSec"]) >= 30, $"TimeoutStopSec={d["TimeoutStopSec"]}");
        Assert.Equal("/etc/recfeed/recfeed.env", d["EnvironmentFile"]);
        Assert.Equal("/usr/local/bin/recfeed serve", d["ExecStart"]);
        Assert.Equal("strict", d["ProtectSystem"]);
        Assert.Equal("yes", d["NoNewPrivileges"]);
        Assert.Equal("/var/lib/recfeed", d["ReadWritePaths"]);
        Assert.True(d.ContainsKey("User") || d.GetValueOrDefault("DynamicUser") == "yes", "runs as root");
        Assert.True(int.Parse(d["LimitNOFILE"]) >= 65536);

        // The example environment keeps the state file where the unit lets it write.
        var env = Directives(File.ReadAllText(Path.Combine(Folder, "recfeed.env")));
        Assert.All(env.Keys, k => Assert.StartsWith("RECFEED_", k));
        Assert.StartsWith("/var/lib/recfeed/", env["RECFEED_STATE"]);
        Assert.StartsWith("/var/lib/recfeed/", env["RECFEED_DATA"]);
    }

    [Fact]
    public async Task Every_variable_in_the_example_environment_is_one_serve_reads()
    {
        // Commented-out lines count too: they are the examples an operator uncomments.
        var names = File.ReadAllLines(Path.Combine(Folder, "recfeed.env"))
            .Select(l => l.TrimStart('#').Trim()).Where(l => l.StartsWith("RECFEED_", StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=')]).ToList();
        Assert.NotEmpty(names);
        var (code, help, stderr) = await RecFeedProcess.RunAsync("serve", "--help");
        Assert.True(code == 0, stderr);
        Assert.All(names, name => Assert.Contains(name, help));
    }
}
