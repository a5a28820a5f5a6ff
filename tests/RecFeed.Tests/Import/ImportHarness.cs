using RecFeed.Cli.Commands;
using RecFeed.Import;
using RecFeed.Slab;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Import;

/// <summary>A folder with input files, the import command run on them in-process, and the feeds file read back.</summary>
public sealed class ImportHarness : IDisposable
{
    private readonly TempDirectory _dir = new();

    public string Output => _dir.File("feeds.bin");
    public string Stdout { get; private set; } = "";
    public string Stderr { get; private set; } = "";

    public string Path(string name) => _dir.File(name);

    public string WriteText(string name, string text)
    {
        var path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs <c>recfeed import</c> as the command line would; output and errors land in <see cref="Stdout"/>/<see cref="Stderr"/>.</summary>
    internal async Task<ExitCode> RunAsync(ImportSettings settings)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ImportCommand.RunAsync(stdout, stderr, settings, Output, null, CancellationToken.None);
        (Stdout, Stderr) = (stdout.ToString(), stderr.ToString());
        return code;
    }

    /// <summary>Runs an import that must succeed, then returns every user's stored items (padding left out).</summary>
    internal async Task<uint[][]> ImportAsync(ImportSettings settings)
    {
        var code = await RunAsync(settings);
        Assert.True(code == ExitCode.Ok, $"import failed ({code}): {Stderr}");
        Assert.Equal("", Stderr);
        return Rows(Output);
    }

    /// <summary>Runs an import that must fail on bad input with exactly one line on stderr, writing nothing.</summary>
    internal async Task<string> FailAsync(ImportSettings settings)
    {
        Assert.Equal(ExitCode.BadInput, await RunAsync(settings));
        Assert.Equal("", Stdout);
        Assert.False(File.Exists(Output), "a failed import left an output file");
        var line = Assert.Single(Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recfeed import: ", line);
        return line["recfeed import: ".Length..];
    }

    public static uint[][] Rows(string feeds)
    {
        using var slab = FeedSlab.Load(feeds);
        var rows = new uint[slab.UserCount][];
        for (var user = 0UL; user < slab.UserCount; user++)
        {
            var row = slab.Row(user).ToArray();
            var end = Array.IndexOf(row, 0u);
            rows[user] = end < 0 ? row : row[..end];
        }
        return rows;
    }

    public static uint[] Fallback(string feeds)
    {
        using var slab = FeedSlab.Load(feeds);
        return slab.Fallback.ToArray();
    }

    public void Dispose() => _dir.Dispose();
}
