using System.Text.RegularExpressions;
using RecFeed.Format;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Hardening;

/// <summary>The documentation's checkable claims, checked against the code, so the two cannot drift apart unseen.</summary>
public sealed partial class DocsTests
{
    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepoPaths.Root, .. path]));

    [Fact]
    public void The_readme_layout_names_every_project_and_every_core_folder()
    {
        var readme = Read("README.md");
        var layout = readme[readme.IndexOf("## Layout", StringComparison.Ordinal)..];
        var src = Path.Combine(RepoPaths.Root, "src");
        var projects = Directory.GetDirectories(src).Select(Path.GetFileName);
        var coreFolders = Directory.GetDirectories(Path.Combine(src, "RecFeed.Core"))
            .Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).Select(name => name + "/");
        var missing = projects.Concat(coreFolders).Where(name => !layout.Contains($"`{name}", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README's Layout section does not name: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_longest_valid_request_line_stated_in_the_operations_guide_is_the_real_one()
    {
        var line = $"GET /feed/{uint.MaxValue}?size={FeedFileHeader.MaxItemsPerUser} HTTP/1.1";
        var stated = LongestLineClaim().Match(Read("docs", "operations.md"));
        Assert.True(stated.Success, "docs/operations.md no longer states the longest valid request line");
        Assert.Equal((line.Length, line.Length + 2), (int.Parse(stated.Groups[1].Value), int.Parse(stated.Groups[2].Value)));
    }

    [GeneratedRegex(@"longest valid one is (\d+) bytes, (\d+) with its CRLF")]
    private static partial Regex LongestLineClaim();
}
