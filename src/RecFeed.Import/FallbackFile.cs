using RecFeed.Format;

namespace RecFeed.Import;

/// <summary>A fallback list given as a file: one item id per line, blank lines ignored, repeats dropped.</summary>
public static class FallbackFile
{
    /// <summary>Fallback lists are short; larger files are almost surely the wrong file.</summary>
    public const int MaxItems = FeedFileHeader.MaxFallbackCount;

    public static uint[] Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImportException($"{path}: {(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}");
        }
        var items = new List<uint>();
        var seen = new HashSet<uint>();
        var line = 0;
        foreach (var range in bytes.AsSpan().Split((byte)'\n'))
        {
            line++;
            var text = bytes.AsSpan(range).Trim(" \t\r"u8);
            if (text.IsEmpty)
                continue;
            var reason = IdText.Parse(text, "item id", out var item) ?? FeedBuilder.CheckItem(item);
            if (reason is not null)
                throw new ImportException($"{path}: row {line}, column 1: {reason}");
            if (seen.Add((uint)item))
                items.Add((uint)item);
            if (items.Count > MaxItems)
                throw new ImportException($"{path}: more than {MaxItems} fallback ids");
        }
        return [.. items];
    }
}
