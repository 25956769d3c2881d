using System.Globalization;
using System.IO.Compression;
using System.Text;
using Dwcp.Core.Focus;
using Dwcp.Ingest.Csv;

namespace Dwcp.Ingest;

/// <summary>
/// Writes <see cref="FocusRow"/>s as a FOCUS 1.2 CSV file: the 57 columns in catalogue order followed by the extension
/// columns given up front; timestamps as <c>yyyy-MM-ddTHH:mm:ssZ</c> (with a fraction only when there is one),
/// decimals in invariant culture with all their digits, nulls as empty cells, RFC 4180 quoting, LF line ends, UTF-8
/// without BOM, optionally gzip-compressed. <see cref="FocusFileReader"/> reads the output back to identical values.
/// </summary>
public sealed class FocusCsvWriter : IDisposable
{
    private readonly TextWriter _writer;
    private readonly string[] _extensions;
    private readonly char[] _scratch = new char[64];
    private bool _disposed;

    /// <summary>Creates (or overwrites) <paramref name="path"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="extensionColumns">Names of extension columns to write after the FOCUS columns, in this order.</param>
    /// <param name="gzip">Compress the output with gzip.</param>
    public FocusCsvWriter(string path, IEnumerable<string>? extensionColumns = null, bool gzip = false)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), extensionColumns, gzip, leaveOpen: false)
    {
    }

    /// <summary>Writes to <paramref name="stream"/>.</summary>
    /// <param name="stream">The destination.</param>
    /// <param name="extensionColumns">Names of extension columns to write after the FOCUS columns, in this order.</param>
    /// <param name="gzip">Compress the output with gzip.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open when the writer is disposed.</param>
    public FocusCsvWriter(Stream stream, IEnumerable<string>? extensionColumns = null, bool gzip = false, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _extensions = extensionColumns?.ToArray() ?? [];
        var duplicate = _extensions.Concat(FocusColumns.All.Select(c => c.Name))
            .GroupBy(n => n.Trim(), StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Extension column '{duplicate.Key}' is given twice or is a FOCUS column.", nameof(extensionColumns));
        }

        var target = gzip ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen) : stream;
        // With gzip the writer owns the GZipStream (disposing it writes the gzip trailer); the GZipStream honours leaveOpen.
        _writer = new StreamWriter(target, new UTF8Encoding(false), 1 << 16, leaveOpen: !gzip && leaveOpen) { NewLine = "\n" };
        var first = true;
        foreach (var name in FocusColumns.All.Select(c => c.Name).Concat(_extensions))
        {
            if (!first)
            {
                _writer.Write(',');
            }

            first = false;
            CsvText.WriteField(_writer, name);
        }

        _writer.WriteLine();
    }

    /// <summary>Rows written so far.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Writes one row. Extensions not named in the constructor are not written.</summary>
    public void Write(FocusRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var columns = FocusColumns.All;
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                _writer.Write(',');
            }

            var c = columns[i];
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    if (row.Decimals[c.Slot] is { } d)
                    {
                        d.TryFormat(_scratch, out var n, default, CultureInfo.InvariantCulture);
                        _writer.Write(_scratch, 0, n);
                    }

                    break;
                case FocusDataType.DateTime:
                    if (row.DateTimes[c.Slot] is { } t)
                    {
                        WriteTimestamp(t);
                    }

                    break;
                default:
                    WriteText(row.Strings[c.Slot]);
                    break;
            }
        }

        foreach (var name in _extensions)
        {
            _writer.Write(',');
            WriteText(row.Extensions.GetValueOrDefault(name));
        }

        _writer.WriteLine();
        RowsWritten++;
    }

    /// <summary>Writes every row of <paramref name="rows"/>.</summary>
    public void WriteAll(IEnumerable<FocusRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        foreach (var row in rows)
        {
            Write(row);
        }
    }

    private void WriteText(string? s)
    {
        if (s is not null)
        {
            // An empty string is written as "" so that it stays distinct from a null (an empty cell).
            CsvText.WriteField(_writer, s, forceQuotes: s.Length == 0);
        }
    }

    private void WriteTimestamp(DateTime t)
    {
        t = t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : t;
        var format = t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'";
        t.TryFormat(_scratch, out var n, format, CultureInfo.InvariantCulture);
        _writer.Write(_scratch, 0, n);
    }

    /// <summary>Flushes and closes the output (completing the gzip stream).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Flush();
        _writer.Dispose();
    }
}
