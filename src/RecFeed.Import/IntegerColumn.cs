using Parquet;
using Parquet.Schema;

namespace RecFeed.Import;

/// <summary>
/// One integer column of a row group, read whole (the library's unit) into buffers reused from group to group:
/// the non-null values widened to long, and the definition and repetition levels when the column has them.
/// </summary>
internal sealed class IntegerColumn
{
    private readonly DataField _field;
    private readonly string _path;
    private int[] _ints = [];
    private uint[] _uints = [];
    private long[] _values = [];
    private int[] _definitions = [];
    private int[] _repetitions = [];
    private int _levels;

    public IntegerColumn(DataField field, string path)
    {
        if (field.ClrType != typeof(int) && field.ClrType != typeof(long) && field.ClrType != typeof(uint))
            throw new ImportException($"{path}: column {field.Path} has type {field.ClrType.Name}; expected int32, int64 or uint32");
        (_field, _path) = (field, path);
    }

    public string Name => _field.Path.ToString();

    /// <summary>The level a present value has; lower levels are nulls (or, in a list, empty and null lists).</summary>
    public int MaxDefinition => _field.MaxDefinitionLevel;

    /// <summary>Whether a list's element may itself be null (its level is then <see cref="MaxDefinition"/> - 1).</summary>
    public bool ElementNullable => _field.MaxRepetitionLevel > 0 && _field.IsNullable;

    /// <summary>The rows the column chunk holds: one per level, or one per list (a level that starts one) in a list column.</summary>
    public int Rows { get; private set; }

    /// <summary>Non-null values, in order.</summary>
    public ReadOnlySpan<long> Values => _values.AsSpan(0, _levels);
    public ReadOnlySpan<int> Definitions => _definitions.AsSpan(0, Math.Min(_levels, _definitions.Length));
    public ReadOnlySpan<int> Repetitions => _repetitions.AsSpan(0, Math.Min(_levels, _repetitions.Length));

    /// <summary>Reads this column of <paramref name="group"/>; returns the number of levels (values, nulls and empty lists).</summary>
    public async ValueTask<int> ReadAsync(ParquetRowGroupReader group, CancellationToken cancellationToken)
    {
        try
        {
            var levels = checked((int)(group.GetMetadata(_field)?.MetaData?.NumValues ?? group.RowCount));
            _levels = levels;
            // Spelled out: a bare null here would convert through int[] into an empty, non-null Memory.
            var definitions = _field.MaxDefinitionLevel > 0 ? Grow(ref _definitions, levels) : default(Memory<int>?);
            var repetitions = _field.MaxRepetitionLevel > 0 ? Grow(ref _repetitions, levels) : default(Memory<int>?);
            var values = Grow(ref _values, levels);
            if (_field.ClrType == typeof(long))
            {
                await group.ReadRawAsync(_field, values, definitions, repetitions, cancellationToken);
            }
            else if (_field.ClrType == typeof(int))
            {
                var ints = Grow(ref _ints, levels);
                await group.ReadRawAsync(_field, ints, definitions, repetitions, cancellationToken);
                Widen(ints.Span, values.Span);
            }
            else
            {
                var uints = Grow(ref _uints, levels);
                await group.ReadRawAsync(_field, uints, definitions, repetitions, cancellationToken);
                Widen(uints.Span, values.Span);
            }
            Rows = _field.MaxRepetitionLevel > 0 ? Repetitions.Count(0) : levels;
            return levels;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ImportException($"{_path}: cannot read column {Name} ({e.Message})");
        }
    }

    /// <summary>The first <paramref name="length"/> elements of a buffer that only ever grows, so row groups reuse it.</summary>
    private static Memory<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
        return buffer.AsMemory(0, length);
    }

    private static void Widen(ReadOnlySpan<int> from, Span<long> to)
    {
        for (var i = 0; i < from.Length; i++)
            to[i] = from[i];
    }

    private static void Widen(ReadOnlySpan<uint> from, Span<long> to)
    {
        for (var i = 0; i < from.Length; i++)
            to[i] = from[i];
    }
}
