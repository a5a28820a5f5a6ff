using Microsoft.Win32.SafeHandles;
using RecFeed.Format;
using RecFeed.Tests.Support;

namespace RecFeed.Tests.Format;

/// <summary>The temporary file in a folder others can write to: never a planted link's target, never left behind.</summary>
public sealed class AtomicFileTests : TempDirectoryTest
{
    private static readonly byte[] Content = "new content"u8.ToArray();

    private static bool WriteContent(SafeFileHandle handle)
    {
        RandomAccess.Write(handle, Content, 0);
        return true;
    }

    [Fact]
    public void A_symlink_planted_at_the_old_predictable_temporary_name_is_not_written_through()
    {
        var victim = Dir.File("victim");
        File.WriteAllText(victim, "precious");
        var path = Dir.File("feeds.bin");
        // The old scheme's only name for this process: .NAME.PID.tmp.
        var planted = Dir.File($".feeds.bin.{Environment.ProcessId}.tmp");
        File.CreateSymbolicLink(planted, victim);

        AtomicFile.Write(path, Content.Length, flushToDisk: false, WriteContent);

        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Null(new FileInfo(path).LinkTarget);
        Assert.Equal(Content, File.ReadAllBytes(path));
        Assert.Equal(victim, new FileInfo(planted).LinkTarget); // not ours: left alone
    }

    [Fact]
    public void The_temporary_is_a_new_regular_file_under_a_different_random_name_each_time()
    {
        var path = Dir.File("feeds.bin");
        var names = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            AtomicFile.Write(path, Content.Length, flushToDisk: false, handle =>
            {
                var temp = Assert.Single(Directory.GetFiles(Dir.Path, ".feeds.bin.*.tmp"));
                Assert.Null(new FileInfo(temp).LinkTarget);
                Assert.DoesNotContain(Environment.ProcessId.ToString(), Path.GetFileName(temp));
                names.Add(temp);
                return WriteContent(handle);
            });
        }
        Assert.NotEqual(names[0], names[1]);
        Assert.Equal([path], Directory.GetFiles(Dir.Path));
    }

    [Fact]
    public void A_failed_write_leaves_no_temporary_and_keeps_the_old_file()
    {
        var path = Dir.File("feeds.bin");
        File.WriteAllText(path, "old");

        Assert.Throws<IOException>(() => AtomicFile.Write<bool>(path, 16, flushToDisk: true, _ => throw new IOException("disk on fire")));

        Assert.Equal([path], Directory.GetFiles(Dir.Path));
        Assert.Equal("old", File.ReadAllText(path));
    }
}
