using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// The bytes a <see cref="Pipe"/> holds that its reader has not consumed: the figure its pause threshold is judged
/// by, which the pipe keeps but does not publish. Read (not written) through an accessor the AOT compiler binds at
/// build time; a runtime without the field reads 0, and the transport's tests fail.
/// </summary>
internal static class PipeLength
{
    private static readonly bool Readable = Probe();

    public static long Of(Pipe pipe) => Readable ? Volatile.Read(ref UnconsumedBytes(pipe)) : 0;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_unconsumedBytes")]
    private static extern ref long UnconsumedBytes(Pipe pipe);

    private static bool Probe()
    {
        try
        {
            _ = UnconsumedBytes(new Pipe());
            return true;
        }
        catch (MissingFieldException)
        {
            return false;
        }
    }
}
