using System.Runtime.CompilerServices;

namespace RecFeed.Format;

/// <summary>
/// Where each row of a version 2 file starts in the packed item array, in ids. Two tables: one uint64 start per
/// group of <see cref="GroupUsers"/> users, and for every user, plus one past the last, a uint32 start relative to
/// its group's. A group's rows hold at most 2^16 × 65535 ids, so a relative start always fits in 32 bits, and the
/// index costs 4 bytes a user rather than 8. Row u is <c>[Start(u), Start(u + 1))</c>: its length is known without
/// reading any id. Reads the tables in place, from the slab or from the writer's buffer.
/// </summary>
public readonly unsafe struct RowIndex(ulong* groupStarts, uint* rowStarts, ulong userCount)
{
    public const int GroupShift = 16;
    public const ulong GroupUsers = 1UL << GroupShift;

    /// <summary>Entries in the group table: one for every group that holds a user or the end marker.</summary>
    public static ulong GroupCount(ulong userCount) => (userCount >> GroupShift) + 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Start(ulong user) => groupStarts[user >> GroupShift] + rowStarts[user];

    /// <summary>
    /// Checks, once at load, what the request path then relies on without checking: the first row starts at 0, each
    /// group's first relative start is 0, no row is longer than <paramref name="maxRowLength"/> or runs backwards,
    /// and the last ends exactly at <paramref name="itemCount"/>. So every row lies inside the item array.
    /// </summary>
    public string? Problem(ulong itemCount, uint maxRowLength)
    {
        for (ulong group = 0; group < GroupCount(userCount); group++)
        {
            if (groupStarts[group] > itemCount)
                return $"row group {group} starts at id {groupStarts[group]}, past the {itemCount} ids";
            if (rowStarts[group << GroupShift] != 0)
                return $"row group {group} does not begin at its own start";
        }
        if (groupStarts[0] != 0)
            return "the first row does not start at id 0";
        var start = 0UL;
        for (ulong user = 0; user < userCount; user++)
        {
            var end = Start(user + 1);
            if (end < start || end - start > maxRowLength)
                return $"row {user} spans ids {start}..{end}, not 0..{maxRowLength} ids";
            start = end;
        }
        return start == itemCount ? null : $"the rows hold {start} ids, the header says {itemCount}";
    }
}
