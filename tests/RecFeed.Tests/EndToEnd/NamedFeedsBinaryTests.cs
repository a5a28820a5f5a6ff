using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>
/// Named feeds on the published binary: two named feeds beside --data, each user's list on each feed exactly what
/// <c>recfeed inspect FILE --user U</c> prints, split over a SIGTERM and a restart that each feed's own state file
/// bridges; the flag beats RECFEED_FEEDS, the variable alone works, bad names are usage errors.
/// </summary>
public sealed class NamedFeedsBinaryTests : TempDirectoryTest
{
    private const int ItemsPerUser = 20;
    private const int BeforeRestart = 7;
    private static readonly int[] Users = [0, 3, 150, 199];

    [Fact]
    public async Task Two_named_feeds_serve_their_files_lists_beside_data_across_a_restart()
    {
        var files = new Dictionary<string, string> { [""] = Dir.File("feeds.bin"), ["video/"] = Dir.File("video.bin"), ["home-b/"] = Dir.File("home-b.bin") };
        var seed = 5;
        foreach (var file in files.Values)
            Assert.Equal(0, (await RecFeedProcess.RunAsync("generate", "--users", "200", "--items-per-user", $"{ItemsPerUser}", "--seed", $"{seed++}",
                "--out", file)).Code);
        var expected = new Dictionary<(string, int), string>();
        foreach (var (prefix, file) in files)
            foreach (var user in Users)
                expected[(prefix, user)] = (await RecFeedProcess.RunAsync("inspect", file, "--user", $"{user}")).Stdout.Trim();
        Assert.NotEqual(expected[("", 3)], expected[("video/", 3)]);

        // The flags win over the variable: "audio" is not served.
        await using (var first = await ServeProcess.StartOnPortAsync(p => p.Environment["RECFEED_FEEDS"] = $"audio={files["video/"]}", files[""], 0,
            "--feed", $"video={files["video/"]}", "--feed", $"home-b={files["home-b/"]}", "--snapshot-interval", "3600", "--drain-seconds", "0"))
        {
            Assert.Contains($"; named feeds: video (200 users x {ItemsPerUser} items, {files["video/"]}), home-b (200 users x {ItemsPerUser} items, ",
                first.Output);
            Assert.Equal("ok shard 0/1 feeds default video home-b\n", await first.Client.GetStringAsync("/healthz"));
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await first.Client.GetAsync("/feed/audio/3")).StatusCode);
            foreach (var (prefix, user) in expected.Keys)
                Assert.StartsWith(Inner(await first.Client.GetStringAsync($"/feed/{prefix}{user}?size={BeforeRestart}")) + ",",
                    Inner(expected[(prefix, user)]));
            first.Signal(ServeProcess.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Contains($"feed video: stopped: final snapshot written to {files["video/"]}.state", first.Output);
        }
        foreach (var file in files.Values)
            Assert.True(File.Exists(file + ".state"), file + ".state");

        await using var second = await ServeProcess.StartOnPortAsync(p => p.Environment["RECFEED_FEEDS"] = $"video={files["video/"]},home-b={files["home-b/"]}",
            files[""], 0, "--snapshot-interval", "3600");
        Assert.Contains($"feed home-b: read positions restored from {files["home-b/"]}.state: {Users.Length} users past the start", second.Output);
        foreach (var (prefix, user) in expected.Keys)
        {
            var rest = Inner(await second.Client.GetStringAsync($"/feed/{prefix}{user}?size={ItemsPerUser - BeforeRestart}"));
            Assert.EndsWith("," + rest, Inner(expected[(prefix, user)]));
            Assert.Equal(ItemsPerUser, (Inner(expected[(prefix, user)]).Split(',').Length));
        }
    }

    [Theory]
    [InlineData("feed name 'Video' must start with a lowercase letter", "--feed", "Video=x.bin")]
    [InlineData("feed name 'video' is given twice", "--feed", "video=a.bin", "--feed", "video=b.bin")]
    [InlineData("feed name 'default' is --data's own", "--feed", "default=a.bin")]
    [InlineData("'video' is not NAME=PATH", "--feed", "video")]
    [InlineData("RECFEED_FEEDS: feed name 'x y' may hold only a-z, 0-9, '_' and '-'", "RECFEED_FEEDS=x y=a.bin")]
    public async Task A_bad_feed_name_is_a_one_line_usage_error(string error, params string[] args)
    {
        var data = Dir.File("feeds.bin");
        TestFeeds.WriteRandom(data, users: 10, itemsPerUser: 2);
        var variable = args.FirstOrDefault(a => a.StartsWith("RECFEED_FEEDS=", StringComparison.Ordinal));

        var run = await RecFeedProcess.RunAsync(p =>
        {
            if (variable != null)
                p.Environment["RECFEED_FEEDS"] = variable["RECFEED_FEEDS=".Length..];
        }, ["serve", "--data", data, "--urls", "http://127.0.0.1:0", .. args.Where(a => a != variable)]);

        Assert.Equal(1, run.Code);
        Assert.Contains(error, run.Stderr);
        Assert.DoesNotContain("loading", run.Stdout);
    }

    private static string Inner(string list) => list.Trim().Trim('[', ']');
}
