using Dwcp.Core.Focus;
using Dwcp.Ingest.Csv;
using Dwcp.Ingest.Parquet;

namespace Dwcp.Ingest;

/// <summary>
/// Reads a FOCUS billing file (CSV, gzip CSV or Parquet, detected from the content) as a stream of
/// <see cref="FocusRow"/>s, normalising known deviations and reporting bad rows in <see cref="Report"/>.
/// </summary>
/// <remarks>
/// Memory does not grow with the file: CSV is read record by record through one pooled buffer, Parquet one row group at
/// a time. Problems that make the whole file unreadable (not a CSV/Parquet file, a bad header, truncation) throw
/// <see cref="IngestException"/>; problems with single rows are collected in <see cref="IngestReport.Errors"/> and the
/// rows are not yielded.
/// </remarks>
/// <example>
/// <code>
/// using var reader = FocusFileReader.Open("focus.csv.gz");
/// foreach (var row in reader.ReadRows()) { total += row.BilledCost!.Value; }
/// if (reader.Report.ErrorCount > 0) { /* reject the file, or re-run with SkipInvalidRows */ }
/// </code>
/// </example>
public sealed class FocusFileReader : IDisposable
{
    private readonly RowSource _source;
    private bool _started;
    private bool _disposed;

    private FocusFileReader(string path, RowSource source, IngestReport report)
    {
        Path = path;
        _source = source;
        Report = report;
    }

    /// <summary>The file, as passed to <see cref="Open"/>.</summary>
    public string Path { get; }

    /// <summary>The column names of the file, as delivered (header cells or Parquet field names).</summary>
    public IReadOnlyList<string> Columns => _source.Header;

    /// <summary>Counts, errors and warnings; complete once <see cref="ReadRows"/> has been enumerated to the end.</summary>
    public IngestReport Report { get; }

    /// <summary>
    /// Opens <paramref name="path"/>, detects its format and validates its header.
    /// </summary>
    /// <exception cref="IngestException">
    /// The file is missing, empty, binary, or its header has a duplicate column or lacks a mandatory FOCUS column.
    /// </exception>
    public static FocusFileReader Open(string path, FocusReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new FocusReaderOptions();
        options.Validate();
        var format = TextInput.Detect(path, path);
        var report = new IngestReport(path, format, options.MaxErrors);
        try
        {
            RowSource source = format == IngestFormat.Parquet
                ? ParquetRowSource.Open(path, options, report)
                : new CsvRowSource(path, path, format, options, report);
            return new FocusFileReader(path, source, report);
        }
        catch (IngestException ex)
        {
            report.FatalError = ex.Error;
            throw;
        }
    }

    /// <summary>
    /// Streams the good rows of the file. Can be called once. Bad rows are skipped and reported in <see cref="Report"/>;
    /// without <see cref="FocusReaderOptions.SkipInvalidRows"/> reading stops after
    /// <see cref="FocusReaderOptions.MaxErrors"/> errors.
    /// </summary>
    /// <exception cref="IngestException">The file turns out to be unreadable part-way (truncated, record too long).</exception>
    public IEnumerable<FocusRow> ReadRows(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_started)
        {
            throw new InvalidOperationException("ReadRows can be called only once per reader; open the file again to re-read it.");
        }

        _started = true;
        return Iterate(cancellationToken);
    }

    private IEnumerable<FocusRow> Iterate(CancellationToken cancellationToken)
    {
        using var rows = _source.Rows(cancellationToken).GetEnumerator();
        while (true)
        {
            FocusRow row;
            try
            {
                if (!rows.MoveNext())
                {
                    yield break;
                }

                row = rows.Current;
            }
            catch (IngestException ex)
            {
                Report.FatalError ??= ex.Error;
                throw;
            }

            yield return row;
        }
    }

    /// <summary>Closes the file and the rejected-rows sidecar.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _source.Dispose();
        }
    }
}
