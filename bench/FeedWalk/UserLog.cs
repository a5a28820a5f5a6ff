using System.Globalization;

namespace FeedWalk;

/// <summary>
/// What each user was served and by which replica. A user's home is the replica of its first answer; an answer
/// from another replica means the user moved (its home failed), and a later answer from home means it returned.
/// An item served to a user twice is a repeat: with lists longer than the run reads, every repeat is a read
/// position lost or stale.
/// </summary>
public sealed class UserLog(int users)
{
    private readonly User[] _users = Enumerable.Range(0, users).Select(_ => new User()).ToArray();

    public int Users => _users.Length;

    public void Record(int userId, string replica, ReadOnlySpan<byte> body)
    {
        var user = _users[userId];
        lock (user)
        {
            user.Home ??= replica;
            var away = replica != user.Home;
            if (away)
                user.Moved = true;
            var back = !away && user.Moved;
            if (back)
                user.Returned = true;
            foreach (var item in Items(body))
            {
                user.Served++;
                if (user.Seen.Add(item))
                    continue;
                if (away)
                    user.RepeatedAway++;
                else if (back)
                    user.RepeatedBack++;
                else
                    user.RepeatedHome++;
            }
        }
    }

    /// <summary>One line of key=value figures, the last line the demo script reads.</summary>
    public string Figures(long sent, long failed, string? firstError)
    {
        var moved = _users.Where(u => u.Moved).ToArray();
        var figures = new (string Key, long Value)[]
        {
            ("requests", sent),
            ("failed", failed),
            ("users_moved", moved.Length),
            ("users_returned", moved.Count(u => u.Returned)),
            ("repeated_moved", moved.Sum(u => (long)u.RepeatedAway)),
            ("max_repeated_per_moved_user", moved.Select(u => (long)u.RepeatedAway).DefaultIfEmpty(0).Max()),
            ("repeated_after_return", moved.Sum(u => (long)u.RepeatedBack)),
            ("max_repeated_after_return", moved.Select(u => (long)u.RepeatedBack).DefaultIfEmpty(0).Max()),
            ("repeated_never_moved", _users.Sum(u => (long)u.RepeatedHome)),
            ("max_items_per_user", _users.Max(u => (long)u.Served)),
        };
        var line = string.Join(' ', figures.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key}={f.Value}")));
        return firstError is null ? line : $"{line} first_error=\"{firstError.Replace('"', '\'')}\"";
    }

    /// <summary>The ids of a body such as <c>[17,4,99]</c>.</summary>
    private static List<uint> Items(ReadOnlySpan<byte> body)
    {
        var items = new List<uint>();
        uint value = 0;
        var inNumber = false;
        foreach (var b in body)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                value = (value * 10) + (uint)(b - '0');
                inNumber = true;
            }
            else if (inNumber)
            {
                items.Add(value);
                value = 0;
                inNumber = false;
            }
        }
        return items;
    }

    private sealed class User
    {
        public readonly HashSet<uint> Seen = [];
        public string? Home;
        public bool Moved;
        public bool Returned;
        public int Served;
        public int RepeatedAway;
        public int RepeatedBack;
        public int RepeatedHome;
    }
}
