namespace RecFeed.Sync;

/// <summary>
/// The Lua script that merges one batch of a replica's positions into its shard's keys (<see cref="PositionKeys"/>),
/// atomically: Redis runs one script at a time, so the furthest position wins whichever replica merges first, with no
/// lock of ours. ARGV[1] holds the batch as 6 bytes a user (u32 user, u16 position, little-endian), ARGV[2] the log's
/// approximate length cap, ARGV[3] the sending replica's id. It reads the stored positions with one BITFIELD GET,
/// writes only those that move forward with one BITFIELD SET, and appends those users (only) to the log as one entry
/// with id <c>0-*</c>, so entry ids count up by one and a reader that finds a hole knows entries were trimmed. At
/// most <see cref="PositionSync.BatchUsers"/> users a call keep BITFIELD's arguments under Lua's unpack limit (8000).
/// Returns how many users moved.
/// </summary>
internal static class MergeScript
{
    public const string Text = """
        local batch = ARGV[1]
        local n = #batch / 6
        if n == 0 then return 0 end
        local get = {}
        for i = 0, n - 1 do
          local user = struct.unpack('<I4', batch, i * 6 + 1)
          get[#get + 1] = 'GET'; get[#get + 1] = 'u16'; get[#get + 1] = '#' .. user
        end
        local stored = redis.call('BITFIELD', KEYS[1], unpack(get))
        local set, moved = {}, {}
        for i = 0, n - 1 do
          local user, position = struct.unpack('<I4I2', batch, i * 6 + 1)
          if position > stored[i + 1] then
            set[#set + 1] = 'SET'; set[#set + 1] = 'u16'; set[#set + 1] = '#' .. user; set[#set + 1] = position
            moved[#moved + 1] = string.sub(batch, i * 6 + 1, i * 6 + 6)
          end
        end
        if #moved > 0 then
          redis.call('BITFIELD', KEYS[1], unpack(set))
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '0-*', 'p', table.concat(moved), 'r', ARGV[3])
        end
        return #moved
        """;
}
