using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// Format versions 1 and 2 through every command of the published binary: the same lists written either way are
/// shown the same by <c>inspect --user</c>, served the same, and a reload may switch between the versions.
/// </summary>
public sealed class FormatVersionTests : TempDirectoryTest
{
    private static readonly int[] SomeUsers = [0, 1, 299, 599];

    private async Task<string> GenerateAsync(string name, string version)
    {
        var path = Dir.File(name);
        var result = await RecFeedProcess.RunAsync("generate", "--users", "600", "--items-per-user", "12", "--seed", "3",
            "--max-item-id", "70000", "--out", path, "--format-version", version);
        Assert.True(result.Code == 0, result.Stderr);
        Assert.Contains($"format {version}", result.Stdout);
        return path;
    }

    private static async Task<string> InspectUserAsync(string path, int user)
    {
        var result = await RecFeedProcess.RunAsync("inspect", path, "--user", user.ToString());
        Assert.True(result.Code == 0, result.Stderr);
        return result.Stdout.Trim();
    }

    [Fact]
    public async Task Generate_writes_version_2_by_default_and_both_versions_inspect_and_serve_alike()
    {
        var path = Dir.File("default.bin");
        Assert.Equal(0, (await RecFeedProcess.RunAsync("generate", "--users", "600", "--items-per-user", "12", "--seed", "3",
            "--max-item-id", "70000", "--out", path)).Code);
        var v1 = await GenerateAsync("v1.bin", "1");
        var v2 = await GenerateAsync("v2.bin", "2");
        Assert.Equal(File.ReadAllBytes(v2), File.ReadAllBytes(path));

        var header = (await RecFeedProcess.RunAsync("inspect", v2, "--verify")).Stdout;
        Assert.Contains("format version    2", header);
        Assert.Contains("items             7200 stored, 3 bytes each", header); // ids up to 70,000 need 3 bytes
        Assert.Contains("(verified)", header);
        Assert.Contains("format version    1", (await RecFeedProcess.RunAsync("inspect", v1, "--verify")).Stdout);
        Assert.True(new FileInfo(v2).Length < new FileInfo(v1).Length * 3 / 4 + 4096);

        foreach (var user in SomeUsers)
            Assert.Equal(await InspectUserAsync(v1, user), await InspectUserAsync(v2, user));
        foreach (var version in new[] { v1, v2 })
        {
            await using var serve = await ServeProcess.StartAsync(version);
            foreach (var user in SomeUsers)
                Assert.Equal(await InspectUserAsync(v1, user), await serve.Client.GetStringAsync($"/feed/{user}?size=12"));
        }
    }

    [Fact]
    public async Task Import_writes_either_version_with_the_same_lists_and_version_2_is_smaller()
    {
        var input = Dir.File("recs.csv");
        File.WriteAllText(input, "user_id,items\n0,5 6 7\n1,\n2,70000 1\n4,9 8 7 6 5 4 3 2 1\n");
        var outputs = new List<string>();
        foreach (var version in new[] { "1", "2" })
        {
            var output = Dir.File($"imported-{version}.bin");
            var result = await RecFeedProcess.RunAsync("import", "--from", input, "--out", output, "--items-per-user", "10", "--format-version", version);
            Assert.True(result.Code == 0, result.Stderr);
            outputs.Add(output);
        }
        Assert.Contains("format version    2", (await RecFeedProcess.RunAsync("inspect", outputs[1], "--verify")).Stdout);
        string[] expected = ["[5,6,7]", "[]", "[70000,1]", "[]", "[9,8,7,6,5,4,3,2,1]"];
        for (var user = 0; user < expected.Length; user++)
            foreach (var output in outputs)
                Assert.Equal(expected[user], await InspectUserAsync(output, user));
        Assert.True(new FileInfo(outputs[1]).Length < new FileInfo(outputs[0]).Length);
    }

    [Fact]
    public async Task SIGHUP_switches_between_versions_as_between_datasets()
    {
        var data = Dir.File("feeds.bin");
        File.Copy(await GenerateAsync("v1.bin", "1"), data);
        var v2 = await GenerateAsync("v2.bin", "2");
        var row = await InspectUserAsync(data, 1);
        await using var serve = await ServeProcess.StartAsync(data);
        Assert.Equal(row, await serve.Client.GetStringAsync("/feed/1?size=12"));

        File.Copy(v2, data, overwrite: true);
        serve.Signal(ServeProcess.SIGHUP);

        // The same lists in another format are another dataset (the id covers the header): positions start over.
        Assert.Contains("new dataset", await serve.WaitForLineAsync("SIGHUP:", TimeSpan.FromSeconds(30)));
        Assert.Equal(row, await serve.Client.GetStringAsync("/feed/1?size=12"));
        Assert.Equal("format version    2", (await RecFeedProcess.RunAsync("inspect", data)).Stdout.Split('\n')[1].Trim());
    }
}
