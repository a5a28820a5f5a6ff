using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace RecFeed.Transport.Epoll.Internal;

/// <summary>
/// The Linux calls the epoll transport makes, and the socket addresses it passes. Values are Linux's (x86-64 and
/// arm64 agree on all of them); errors come back as errno through <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class LinuxNet
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
    public const int SOCK_STREAM = 1;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SO_REUSEADDR = 2;
    public const int SO_LINGER = 13;
    public const int IPPROTO_TCP = 6;
    public const int TCP_NODELAY = 1;
    public const int IPPROTO_IPV6 = 41;
    public const int IPV6_V6ONLY = 26;
    public const int MSG_NOSIGNAL = 0x4000;

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLOUT = 0x4;
    public const uint EPOLLERR = 0x8;
    public const uint EPOLLHUP = 0x10;
    public const uint EPOLLRDHUP = 0x2000;
    public const uint EPOLLET = 1u << 31;
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int ENFILE = 23;
    public const int EMFILE = 24;
    public const int EPIPE = 32;
    public const int EADDRINUSE = 98;
    public const int ENOBUFS = 105;
    public const int ECONNABORTED = 103;
    public const int ECONNRESET = 104;

    /// <summary>sockaddr_in6, the larger of the two address structs; sockaddr_in fits in its first 16 bytes.</summary>
    public const int MaxAddressSize = 28;

    /// <summary>struct epoll_event: packed to 12 bytes on x86-64, naturally aligned to 16 elsewhere.</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int EventDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    private static partial int SetSockOpt(int fd, int level, int name, int* value, uint length);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    public static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    public static partial int GetSockName(int fd, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, byte* address, uint* length, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int operation, int fd, byte* evt);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, byte* events, int maxEvents, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint length);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static int SetOption(int fd, int level, int name, int value) => SetSockOpt(fd, level, name, &value, sizeof(int));

    /// <summary>SO_LINGER on with 0 s: close() then discards what is queued and sends RST instead of FIN.</summary>
    public static void ResetOnClose(int fd)
    {
        var linger = stackalloc int[2] { 1, 0 };
        SetSockOpt(fd, SOL_SOCKET, SO_LINGER, linger, 2 * sizeof(int));
    }

    public static int EpollAdd(int epoll, int fd, uint events, ulong data)
    {
        var evt = stackalloc byte[16];
        *(uint*)evt = events;
        *(ulong*)(evt + EventDataOffset) = data;
        return EpollCtl(epoll, EPOLL_CTL_ADD, fd, evt);
    }

    public static int EpollDelete(int epoll, int fd) => EpollCtl(epoll, EPOLL_CTL_DEL, fd, null);

    public static uint EventMask(byte* events, int index) => *(uint*)(events + index * EventSize);

    public static ulong EventData(byte* events, int index) => *(ulong*)(events + index * EventSize + EventDataOffset);

    /// <summary>Writes <paramref name="endPoint"/> as a sockaddr_in or sockaddr_in6; returns its length.</summary>
    public static uint WriteAddress(IPEndPoint endPoint, Span<byte> address)
    {
        address.Clear();
        var port = (ushort)endPoint.Port;
        address[2] = (byte)(port >> 8);
        address[3] = (byte)port;
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            address[0] = AF_INET;
            endPoint.Address.TryWriteBytes(address[4..8], out _);
            return 16;
        }
        address[0] = AF_INET6;
        endPoint.Address.TryWriteBytes(address[8..24], out _);
        BitConverter.TryWriteBytes(address[24..28], (uint)endPoint.Address.ScopeId);
        return 28;
    }

    /// <summary>Reads a sockaddr_in or sockaddr_in6; null for any other family.</summary>
    public static IPEndPoint? ReadAddress(ReadOnlySpan<byte> address)
    {
        var port = address[2] << 8 | address[3];
        return address[0] switch
        {
            AF_INET => new IPEndPoint(new IPAddress(address[4..8]), port),
            AF_INET6 => new IPEndPoint(new IPAddress(address[8..24], BitConverter.ToUInt32(address[24..28])), port),
            _ => null,
        };
    }
}
