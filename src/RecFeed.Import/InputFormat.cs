namespace RecFeed.Import;

public enum InputFormat
{
    Parquet,
    /// <summary><c>user_id,item item item</c> per line.</summary>
    Csv,
    /// <summary><c>user_id&lt;TAB&gt;item,item,item</c> per line.</summary>
    Tsv,
}
