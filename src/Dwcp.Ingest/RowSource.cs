using Dwcp.Core.Focus;

namespace Dwcp.Ingest;

/// <summary>A format-specific producer of rows (CSV text or Parquet), with the shared handling of rejected rows.</summary>
internal abstract class RowSource : IDisposable
{
    private RejectedRowsWriter? _rejected;

    protected RowSource(string file, FocusReaderOptions options, IngestReport report)
    {
        File = file;
        Options = options;
        Report = report;
    }

    protected string File { get; }

    protected FocusReaderOptions Options { get; }

    protected IngestReport Report { get; }

    /// <summary>The column names as delivered.</summary>
    public abstract IReadOnlyList<string> Header { get; }

    /// <summary>The header of the rejected-rows sidecar's source part (normally <see cref="Header"/>).</summary>
    protected virtual IReadOnlyList<string> RejectedHeader => Header;

    public abstract IEnumerable<FocusRow> Rows(CancellationToken cancellationToken);

    /// <summary>
    /// Records a rejected row: counts it, keeps its errors and writes it to the sidecar. Returns true when reading
    /// must stop because the error limit was reached.
    /// </summary>
    protected bool Reject(long line, IReadOnlyList<IngestError> errors, Action<RejectedRowsWriter> writeFields)
    {
        Report.RowsRejected++;
        foreach (var e in errors)
        {
            Report.AddError(e);
        }

        if (Options.SkipInvalidRows && Options.RejectedRowsPath is { } path)
        {
            if (_rejected is null)
            {
                _rejected = new RejectedRowsWriter(path, RejectedHeader);
                Report.RejectedRowsFile = path;
            }

            _rejected.BeginRow(line, errors);
            writeFields(_rejected);
            _rejected.EndRow();
        }

        if (!Options.SkipInvalidRows && Report.ErrorLimitReached)
        {
            Report.StoppedEarly = true;
            return true;
        }

        return false;
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rejected?.Dispose();
            _rejected = null;
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
