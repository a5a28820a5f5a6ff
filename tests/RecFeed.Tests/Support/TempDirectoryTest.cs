namespace RecFeed.Tests.Support;

/// <summary>Base for tests that write real files: a fresh folder per test, removed afterwards.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectory Dir { get; } = new();

    /// <summary>Stops what holds files in the folder (processes) before it is removed.</summary>
    protected virtual void DisposeFiles()
    {
    }

    public void Dispose()
    {
        DisposeFiles();
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
