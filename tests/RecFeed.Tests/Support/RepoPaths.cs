namespace RecFeed.Tests.Support;

public static class RepoPaths
{
    /// <summary>The repository root: the nearest folder upwards holding RecFeed.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The published Native AOT binary. <c>./build.sh test</c> publishes it first and passes it in RECFEED_BIN;
    /// its absence is a failure, not a skip, so end-to-end tests can never silently not run.
    /// </summary>
    public static string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("RECFEED_BIN")
                ?? Path.Combine(Root, "artifacts", OperatingSystem.IsWindows() ? "recfeed.exe" : "recfeed");
            Assert.True(File.Exists(path), $"published binary not found at {path}; run ./build.sh test (it publishes first)");
            return path;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RecFeed.sln")))
                return dir.FullName;
        throw new InvalidOperationException("RecFeed.sln not found above " + AppContext.BaseDirectory);
    }
}
