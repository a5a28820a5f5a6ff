using RecFeed.Tests.Support;

namespace RecFeed.Tests.Hardening;

/// <summary>
/// What the house style (.editorconfig) asks and no analyzer checks: lines of at most 160 characters, and files of at
/// most 250 lines (a longer one holds more than one concept: split it by concern, as partial files if one type).
/// </summary>
public sealed class SourceShapeTests
{
    private const int MaxLineLength = 160;
    private const int MaxFileLines = 250;

    private static readonly string[] Roots = ["src", "tests", "bench"];

    /// <summary>Every C# file of ours under src/, tests/ and bench/ (build output left out), relative to the repository root.</summary>
    private static IEnumerable<string> SourceFiles() =>
        Roots.SelectMany(root => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, root), "*.cs", SearchOption.AllDirectories))
            .Select(path => Path.GetRelativePath(RepoPaths.Root, path).Replace('\\', '/'))
            .Where(path => !path.Split('/').Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    private static string[] Lines(string path) => File.ReadAllText(Path.Combine(RepoPaths.Root, path)).TrimEnd('\n').Split('\n');

    [Fact]
    public void The_sources_are_found() =>
        Assert.Contains("tests/RecFeed.Tests/Hardening/SourceShapeTests.cs", SourceFiles());

    [Fact]
    public void No_line_is_longer_than_160_characters()
    {
        var longLines = SourceFiles()
            .SelectMany(path => Lines(path).Select((line, i) => (path, number: i + 1, length: line.TrimEnd('\r').Length)))
            .Where(l => l.length > MaxLineLength)
            .Select(l => $"{l.path}:{l.number} ({l.length})")
            .ToList();
        Assert.True(longLines.Count == 0, $"{longLines.Count} lines over {MaxLineLength} characters:\n" + string.Join("\n", longLines));
    }

    [Fact]
    public void No_file_is_longer_than_250_lines()
    {
        var longFiles = SourceFiles()
            .Select(path => (path, lines: Lines(path).Length))
            .Where(f => f.lines > MaxFileLines)
            .Select(f => $"{f.path} ({f.lines} lines)")
            .ToList();
        Assert.True(longFiles.Count == 0, $"files over {MaxFileLines} lines:\n" + string.Join("\n", longFiles));
    }
}
