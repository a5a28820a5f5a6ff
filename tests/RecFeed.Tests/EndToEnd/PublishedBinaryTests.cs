using System.Security.Cryptography;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.EndToEnd;

/// <summary>The published Native AOT binary, driven as a user would: generate, inspect, serve, signals, bad files.</summary>
public sealed class PublishedBinaryTests : TempDirectoryTest
{
    [Fact]
    public async Task Generate_serve_and_inspect_agree_over_http()
    {
        var data = Dir.File("feeds.bin");
        var gen = await RecFeedProcess.RunAsync("generate", "--users", "500", "--items-per-user", "30", "--seed", "5", "--out", data);
        Assert.Equal(0, gen.Code);
        Assert.Matches(@"^wrote .*feeds\.bin: 500 users x 30 items, 50 fallback, format 2, \d+ bytes, seed 5, dataset [0-9a-f]{16}, [\d.]+ s\s*$", gen.Stdout);

        var header = await RecFeedProcess.RunAsync("inspect", data);
        Assert.Equal(0, header.Code);
        Assert.Contains("users             500", header.Stdout);
        Assert.Contains("items per user    30", header.Stdout);
        Assert.Contains("seed              5", header.Stdout);

        using var serve = RecFeedProcess.Start("serve", "--data", data, "--urls", "http://127.0.0.1:0");
        var address = await serve.WaitForReadyAsync();
        Assert.Matches(@"ready: 500 users x 30 items, \d+ bytes in memory, loaded in [\d.]+ s, listening on http://127\.0\.0\.1:\d+", serve.Stdout);
        using var client = new HttpClient { BaseAddress = address };
        Assert.Equal("ok shard 0/1\n", await client.GetStringAsync("/healthz"));
        foreach (var user in new[] { 0, 1, 250, 499 })
        {
            var expected = (await RecFeedProcess.RunAsync("inspect", data, "--user", user.ToString())).Stdout.Trim();
            var first = await client.GetStringAsync($"/feed/{user}?size=12");
            var second = await client.GetStringAsync($"/feed/{user}?size=18");
            Assert.Equal(expected, "[" + first.Trim('[', ']') + "," + second.Trim('[', ']') + "]");
        }

        serve.Signal(RecFeedProcess.SIGTERM);
        Assert.Equal(0, await serve.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains("stopped", serve.Stdout);
    }

    [Fact]
    public async Task Generate_is_deterministic_through_the_binary()
    {
        string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
        // --fsync changes durability only, never the bytes.
        foreach (var (name, seed, sync) in new[] { ("a.bin", "9", "--fsync"), ("b.bin", "9", ""), ("c.bin", "10", "") })
        {
            string[] args = ["generate", "--users", "20000", "--items-per-user", "64", "--seed", seed, "--out", Dir.File(name)];
            Assert.Equal(0, (await RecFeedProcess.RunAsync(sync == "" ? args : [.. args, sync])).Code);
        }
        Assert.Equal(Hash(Dir.File("a.bin")), Hash(Dir.File("b.bin")));
        Assert.NotEqual(Hash(Dir.File("a.bin")), Hash(Dir.File("c.bin")));
        Assert.Equal(3, Directory.GetFiles(Dir.Path).Length); // no temporaries left behind
    }

    [Theory]
    [InlineData("corrupt", "corrupt payload (checksum mismatch)")]
    [InlineData("truncated", "truncated: ")]
    [InlineData("foreign", "not a recfeed feeds file (bad magic)")]
    [InlineData("missing", "no such file")]
    public async Task Serve_refuses_a_bad_file_with_exit_code_2_and_one_line(string kind, string reason)
    {
        var data = Dir.File("feeds.bin");
        Assert.Equal(0, (await RecFeedProcess.RunAsync("generate", "--users", "300", "--out", data)).Code);
        switch (kind)
        {
            case "corrupt":
                using (var f = new FileStream(data, FileMode.Open, FileAccess.ReadWrite))
                {
                    f.Position = 50_000;
                    f.WriteByte(0xFF);
                    f.WriteByte(0xEE);
                }
                break;
            case "truncated":
                using (var f = new FileStream(data, FileMode.Open))
                    f.SetLength(f.Length - 1);
                break;
            case "foreign":
                File.WriteAllText(data, "{\"this is\": \"json, not feeds\"}" + new string(' ', 200));
                break;
            case "missing":
                File.Delete(data);
                break;
        }
        var run = await RecFeedProcess.RunAsync("serve", "--data", data, "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, run.Code);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"recfeed serve: {data}: {reason}", line);
        Assert.DoesNotContain("Exception", run.Stderr);
    }

    /// <summary>The crafted header of issue 9 item 4: "(verified)" and exit 0 from inspect, an unhandled exception from serve.</summary>
    [Theory]
    [InlineData("inspect", "--verify")]
    [InlineData("serve", "--urls", "http://127.0.0.1:0")]
    public async Task A_crafted_header_whose_layout_wraps_is_refused_with_exit_code_2_and_one_line(string command, params string[] options)
    {
        var data = Dir.File("crafted.bin");
        File.WriteAllBytes(data, Format.HeaderBoundsTests.CraftedWrappingFile());
        string[] args = command == "serve" ? ["serve", "--data", data, .. options] : [command, data, .. options];

        var run = await RecFeedProcess.RunAsync(args);

        Assert.Equal(2, run.Code);
        // serve logs "loading FILE" on stdout first; the refusal itself is the one line on stderr.
        Assert.DoesNotContain("fail:", run.Stdout);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"recfeed {command}: {data}: corrupt header (fallback count 2147483648, must be 0..16777216)", line);
    }

    [Fact]
    public async Task Inspect_of_a_user_outside_the_file_is_exit_code_2()
    {
        var data = Dir.File("feeds.bin");
        Assert.Equal(0, (await RecFeedProcess.RunAsync("generate", "--users", "10", "--out", data)).Code);
        var run = await RecFeedProcess.RunAsync("inspect", data, "--user", "10");
        Assert.Equal(2, run.Code);
        Assert.Equal($"recfeed inspect: {data}: user 10 is not in this file (10 users)", run.Stderr.Trim());
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("generate", "--help")]
    [InlineData("serve", "--help")]
    [InlineData("inspect", "--help")]
    public async Task Help_works_on_every_command(params string[] args)
    {
        var run = await RecFeedProcess.RunAsync(args);
        Assert.Equal(0, run.Code);
        Assert.Contains("Usage:", run.Stdout);
    }

    [Theory]
    [InlineData("generate")]
    [InlineData("generate", "--users", "ten")]
    [InlineData("generate", "--users", "10", "--items-per-user", "70000")]
    [InlineData("serve")]
    [InlineData("serve", "--data", "x.bin", "--urls", "ftp://nope")]
    [InlineData("serve", "--data", "x.bin", "--snapshot-interval", "soon")]
    [InlineData("frobnicate")]
    public async Task Bad_arguments_are_a_usage_error_on_stderr(params string[] args)
    {
        var run = await RecFeedProcess.RunAsync(args);
        Assert.NotEqual(0, run.Code);
        Assert.NotEqual("", run.Stderr.Trim());
        Assert.DoesNotContain("Exception", run.Stderr);
    }

    [Fact]
    public async Task Generate_refuses_an_id_range_too_small_for_distinct_lists()
    {
        var run = await RecFeedProcess.RunAsync("generate", "--users", "10", "--items-per-user", "100", "--max-item-id", "50", "--out", Dir.File("x.bin"));
        Assert.Equal(2, run.Code);
        Assert.Contains("--max-item-id 50 is smaller than --items-per-user 100", run.Stderr);
        Assert.Empty(Directory.GetFiles(Dir.Path));
    }
}
