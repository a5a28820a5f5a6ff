using RecFeed.Tests.Support;

namespace RecFeed.Tests.Deploy;

/// <summary>deploy/prometheus/recfeed-alerts.yml, checked and unit-tested by promtool (each alert firing and not firing).</summary>
public sealed class AlertRulesTests
{
    private static string Folder => Path.Combine(RepoPaths.Root, "deploy", "prometheus");

    [Fact]
    public async Task The_alert_rules_are_valid_and_pass_their_promtool_unit_tests()
    {
        var promtool = SystemTool.Find("promtool", "prometheus");
        var (checkCode, check) = await SystemTool.RunAsync(promtool, ["check", "rules", Path.Combine(Folder, "recfeed-alerts.yml")]);
        Assert.True(checkCode == 0 && check.Contains("SUCCESS: 9 rules found", StringComparison.Ordinal), $"promtool check rules: exit {checkCode}\n{check}");
        var (testCode, test) = await SystemTool.RunAsync(promtool, ["test", "rules", Path.Combine(Folder, "recfeed-alerts.test.yml")]);
        Assert.True(testCode == 0 && test.Contains("SUCCESS", StringComparison.Ordinal), $"promtool test rules: exit {testCode}\n{test}");
    }

    [Fact]
    public void Every_alert_has_a_firing_and_a_not_firing_case()
    {
        var rules = File.ReadAllText(Path.Combine(Folder, "recfeed-alerts.yml"));
        var tests = File.ReadAllLines(Path.Combine(Folder, "recfeed-alerts.test.yml"));
        var alerts = rules.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith("- alert: ", StringComparison.Ordinal)).Select(l => l["- alert: ".Length..]).ToArray();
        Assert.Equal(9, alerts.Length);
        foreach (var alert in alerts)
        {
            // The line after "alertname: X" says what is expected: "exp_alerts: []" (silent) or "exp_alerts:" (firing).
            var expectations = tests.Select((line, i) => (line, i))
                .Where(x => x.line.Trim() == $"alertname: {alert}").Select(x => tests[x.i + 1].Trim()).ToArray();
            Assert.True(expectations.Contains("exp_alerts: []"), $"{alert}: no case where it stays silent");
            Assert.True(expectations.Contains("exp_alerts:"), $"{alert}: no case where it fires");
        }
    }
}
