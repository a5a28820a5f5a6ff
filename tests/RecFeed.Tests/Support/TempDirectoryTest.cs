namespace RecFeed.Tests.Support;

/// <summary>Base for tests that write real files: a fresh folder per test, removed afterwards.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectory Dir { get; } = new();

    public void Dispose()
    {
        Dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
