using Parquet.Schema;

namespace RecFeed.Import;

/// <summary>Finds the columns an import reads in a Parquet schema, with one-line reasons when they are not there.</summary>
internal static class ParquetFields
{
    /// <summary>A top-level column holding one value per row.</summary>
    public static DataField Single(ParquetSchema schema, string column, string path)
    {
        var field = TopLevel(schema, column, path);
        if (field is DataField { MaxRepetitionLevel: 0 } data)
            return data;
        throw new ImportException($"{path}: column {column} holds lists or groups; expected one integer per row");
    }

    /// <summary>The leaf of a top-level list column: LIST-annotated (three levels) or a bare repeated field.</summary>
    public static DataField ListLeaf(ParquetSchema schema, string column, string path)
    {
        var field = TopLevel(schema, column, path);
        return field switch
        {
            ListField { Item: DataField { MaxRepetitionLevel: 1 } item } => item,
            DataField { MaxRepetitionLevel: 1 } repeated => repeated,
            _ => throw new ImportException($"{path}: column {column} is not a list of integers (use --long for one row per item)"),
        };
    }

    private static Field TopLevel(ParquetSchema schema, string column, string path) =>
        schema.Fields.FirstOrDefault(f => f.Name == column)
        ?? throw new ImportException($"{path}: no column {column} (columns: {string.Join(", ", schema.Fields.Select(f => f.Name))})");
}
