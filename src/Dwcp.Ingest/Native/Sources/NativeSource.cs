namespace Dwcp.Ingest.Native.Sources;

/// <summary>
/// Raw records of a native export, cell by cell: CSV (plain or gzip), Parquet or newline-delimited JSON. Cells are
/// addressed by column id, an index into <see cref="Names"/>; an empty span means the cell is empty or absent.
/// </summary>
internal abstract class NativeSource : IDisposable
{
    protected NativeSource(string file) => File = file;

    public string File { get; }

    /// <summary>Column names as delivered. For JSON the list grows when a record brings a new key.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>The container format (CSV, gzip CSV or Parquet; JSON reports its text container).</summary>
    public abstract IngestFormat Container { get; }

    /// <summary>1-based physical line where the record starts (CSV, JSON) or 1-based row number (Parquet).</summary>
    public abstract long Line { get; }

    /// <summary>Parquet row group of the current record, else null.</summary>
    public virtual int? RowGroup => null;

    /// <summary>Row within <see cref="RowGroup"/>, else null.</summary>
    public virtual long? RowInGroup => null;

    /// <summary>When the record as a whole is unusable (wrong field count, bad quoting, bad JSON): what is wrong.</summary>
    public abstract string? RecordProblem { get; }

    /// <summary>What to do about <see cref="RecordProblem"/>.</summary>
    public virtual string? RecordProblemHint => null;

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public abstract bool Read(CancellationToken cancellationToken);

    /// <summary>The cell of column <paramref name="id"/> (empty when absent).</summary>
    public abstract ReadOnlySpan<char> Get(int id);

    /// <summary>Writes the record's original fields to the rejected-rows file.</summary>
    public abstract void WriteRaw(RejectedRowsWriter writer);

    /// <summary>The id of the column named <paramref name="name"/> (ignoring case), or -1.</summary>
    public virtual int IdOf(string name)
    {
        var names = Names;
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i].Trim(), name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
