using System.CommandLine;
using RecFeed.Format;

namespace RecFeed.Cli.Commands;

/// <summary>The feeds file format the writing commands (generate, import) produce.</summary>
internal static class FormatVersionOption
{
    public static readonly Option<uint> FormatVersion = new("--format-version")
    {
        Description = "Feeds file format: 2 (rows of their own length, ids in 2-4 bytes; the default) or 1 (fixed rows of " +
            "4-byte ids, for servers older than format 2). See docs/feeds-format.md.",
        DefaultValueFactory = _ => FeedFileHeader.CurrentVersion,
        Validators = { r => OptionRange.Check(r, FeedFileHeader.Version1, FeedFileHeader.Version2) },
    };
}
