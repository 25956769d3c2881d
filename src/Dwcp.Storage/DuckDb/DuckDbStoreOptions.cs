using System.Globalization;
using System.Text.RegularExpressions;

namespace Dwcp.Storage.DuckDb;

/// <summary>How strings are compressed when rows are written (DuckDB's FSST methods cost most of a load's CPU).</summary>
public enum StringCompression
{
    /// <summary>Dictionary and run-length compression only: loads use about a third less CPU, files are larger.</summary>
    Fast,

    /// <summary>DuckDB's default, including FSST: the smallest files, the slowest loads.</summary>
    Compact,
}

/// <summary>Tuning of the embedded DuckDB store (<c>analytics.duckdb</c> in <c>dwcp.yaml</c>).</summary>
public sealed partial record DuckDbStoreOptions
{
    /// <summary>The defaults (documented in docs/storage.md).</summary>
    public static DuckDbStoreOptions Default { get; } = new();

    /// <summary>DuckDB's buffer pool limit while no load runs (queries spill to disk beyond it). Default 1GB.</summary>
    public string MemoryLimit { get; init; } = "1GB";

    /// <summary>
    /// The buffer pool limit while a load runs (default 128MB; DuckDB also runs on one thread during a load). A load keeps
    /// one row group (122,880 rows) of uncommitted rows, which spills beyond this limit; a small pool keeps an import's peak
    /// memory flat whatever the file size (measured in bench/README.md). Queries that run during a load share this limit
    /// and spill sooner. Below about 50MB DuckDB cannot pin the blocks a commit needs and the load fails with a message
    /// naming this setting.
    /// </summary>
    public string LoadMemoryLimit { get; init; } = "128MB";

    /// <summary>String compression for new rows. Default <see cref="StringCompression.Fast"/>.</summary>
    public StringCompression StringCompression { get; init; } = StringCompression.Fast;

    /// <summary>Rows appended between commits of a load: DuckDB's row-group size, so each commit writes whole row groups.</summary>
    public int RowsPerCommit { get; init; } = 122_880;

    /// <summary>Throws a <see cref="StoreException"/> naming the setting when a value is not usable.</summary>
    public void Validate()
    {
        CheckSize(MemoryLimit, "analytics.duckdb.memory_limit");
        CheckSize(LoadMemoryLimit, "analytics.duckdb.load_memory_limit");
        if (RowsPerCommit < 1)
        {
            throw new StoreException($"RowsPerCommit must be at least 1 (got {RowsPerCommit.ToString(CultureInfo.InvariantCulture)}).");
        }
    }

    private static void CheckSize(string value, string key)
    {
        if (string.IsNullOrWhiteSpace(value) || !SizePattern().IsMatch(value))
        {
            throw new StoreException($"{key} must be a size such as 512MB or 2GB (got '{value}').");
        }
    }

    [GeneratedRegex(@"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
