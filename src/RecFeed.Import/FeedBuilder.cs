using RecFeed.Format;
using RecFeed.Sharding;

namespace RecFeed.Import;

/// <summary>
/// Turns parsed rows into the output matrix and applies the import rules in one place, whatever the input format:
/// id ranges, repeats within a list (dropped, first kept), lists longer than items-per-user (cut), users named twice
/// (an error, or last wins), bad rows (an error, or skipped). Readers check ids with <see cref="CheckUser"/> and
/// <see cref="CheckItem"/>, then hand over a row as <see cref="BeginRow"/>, <see cref="AddItem"/>, <see cref="EndRow"/>;
/// a row is copied into the matrix only when it ends, so an abandoned row leaves no trace.
/// With <c>--shard k</c> only shard k's rows are kept (the output is that one file), but every row read still counts
/// in the tallies and the fallback ranking, so the shard file equals the one written with all shards at once. The one
/// exception: a row of another shard's user replaced under --allow-duplicates was never kept, so it cannot be taken
/// back out of the tallies and the ranking.
/// </summary>
public sealed class FeedBuilder : IDisposable
{
    /// <summary>The largest ids an input may name (ids are uint32 in the file); not a bound of the data, as <see cref="IFeedSource.MaxItemId"/> is.</summary>
    public const long ItemIdLimit = uint.MaxValue;
    public const long UserIdLimit = uint.MaxValue;

    private readonly ImportSettings _settings;
    private readonly uint[] _row;
    private readonly DistinctSet _seen = new();
    private readonly ItemCounter? _counter;
    private readonly UserSet _named = new();
    private ulong _user;
    private int _count;
    private bool _cut;
    private ulong _usersWithRow;
    private ulong _userCount;

    public FeedBuilder(ImportSettings settings)
    {
        _settings = settings;
        _row = new uint[settings.ItemsPerUser];
        Matrix = new FeedMatrix(settings.ItemsPerUser);
        Stored = settings.Shard is { } shard ? new ShardSpec(shard, settings.Shards) : ShardSpec.Whole;
        _counter = settings.FallbackFile is null && settings.FallbackTop > 0 && settings.DeltaBase is null ? new ItemCounter() : null;
        if (settings.DeltaBase is { } b)
        {
            DeltaRows = [];
            Stored = b.Shard;
        }
    }

    /// <summary>The rows of <see cref="Matrix"/>: its row i is this shard's row i.</summary>
    public FeedMatrix Matrix { get; }

    /// <summary>The users whose rows are kept: every user, or the one shard being written.</summary>
    public ShardSpec Stored { get; }

    /// <summary>The largest id stored in a row (a row replaced later may have held it: an upper bound).</summary>
    public uint LargestItemId { get; private set; }

    public ImportSummary Summary { get; } = new();

    /// <summary>Null if <paramref name="user"/> can be a user id of this import, else why not.</summary>
    public string? CheckUser(long user) =>
        user < 0 || user > UserIdLimit ? $"user id {user} is out of range 0..{UserIdLimit}"
        : _settings.Users is { } users && (ulong)user >= users ? $"user id {user} is outside --users {users} (ids 0..{users - 1})"
        : _settings.DeltaBase is { } b && ((ulong)user % b.ShardCount != b.ShardIndex || (ulong)user / b.ShardCount >= b.UserCount)
            ? $"user id {user} is not in the base (shard {b.ShardIndex}/{b.ShardCount}, {b.UserCount} users)"
        : null;

    /// <summary>With <see cref="ImportSettings.DeltaBase"/>: each user's row by the user's local row in the base, kept
    /// apart from the matrix, which would allocate a chunk for each stretch of users one of them falls in.</summary>
    public Dictionary<ulong, uint[]>? DeltaRows { get; }

    /// <summary>Null if <paramref name="item"/> can be an item id (0 means "no item" in the file format), else why not.</summary>
    public static string? CheckItem(long item) =>
        item is < 1 or > ItemIdLimit ? $"item id {item} is out of range 1..{ItemIdLimit}" : null;

    public void BeginRow(ulong user)
    {
        _user = user;
        _count = 0;
        _cut = false;
        _seen.Reset(_row.Length);
    }

    /// <summary>Appends a checked item id to the row begun last: repeats are dropped, items past the row's end cut.</summary>
    public void AddItem(uint item)
    {
        if (_count < _row.Length)
        {
            if (_seen.Add(item))
            {
                _row[_count++] = item;
                LargestItemId = Math.Max(LargestItemId, item);
            }
            else
                Summary.DuplicateItems++;
        }
        else if (_seen.Contains(item))
        {
            Summary.DuplicateItems++;
        }
        else
        {
            _cut = true;
            Summary.CutItems++;
        }
    }

    /// <summary>Stores the row; null if done, else why the row cannot be stored (its user already has one).</summary>
    public string? EndRow()
    {
        var kept = Stored.Owns(_user);
        if (!_named.Add(_user))
        {
            if (!_settings.AllowDuplicates)
                return $"user {_user} already had a row (--allow-duplicates keeps the last one)";
            if (kept)
                Forget(DeltaRows is { } replaced ? replaced[Stored.LocalRow(_user)] : Matrix.Row(Stored.LocalRow(_user)));
            Summary.ReplacedUsers++;
        }
        else
        {
            _usersWithRow++;
            _userCount = Math.Max(_userCount, _user + 1);
        }
        var items = _row.AsSpan(0, _count);
        if (DeltaRows is { } rows)
            rows[Stored.LocalRow(_user)] = items.ToArray();
        else if (kept)
        {
            var target = Matrix.Row(Stored.LocalRow(_user));
            items.CopyTo(target);
            target[_count..].Clear();
        }
        _counter?.Add(items, 1);
        Summary.Items += _count;
        if (_cut)
            Summary.CutUsers++;
        if (_count < _row.Length)
            Summary.PaddedUsers++;
        return null;
    }

    /// <summary>
    /// A row (or, in the long shape, a run of rows) that cannot be imported: fails the import with
    /// "location: reason", or with --skip-bad-rows counts it and goes on.
    /// </summary>
    public void Reject(string location, string reason, long rows = 1)
    {
        if (!_settings.SkipBadRows)
            throw new ImportException($"{location}: {reason}");
        Summary.SkippedRows += rows;
    }

    /// <summary>Closes the matrix's shape: the user count and the per-user tallies that depend on it.</summary>
    public ulong Finish()
    {
        var users = _settings.Users ?? _userCount;
        Summary.Users = users;
        Summary.UsersWithoutRow = users - _usersWithRow;
        return users;
    }

    /// <summary>The most frequent items across the stored rows (only counted when no fallback file is given).</summary>
    public uint[] TopItems(int k) => _counter?.Top(k) ?? [];

    /// <summary>Takes a replaced row back out of the tallies.</summary>
    private void Forget(ReadOnlySpan<uint> row)
    {
        var end = row.IndexOf(0u);
        var old = end < 0 ? row : row[..end];
        _counter?.Add(old, -1);
        Summary.Items -= old.Length;
        if (old.Length < row.Length)
            Summary.PaddedUsers--;
    }

    public void Dispose() => Matrix.Dispose();
}
