using System.Globalization;
using System.Text;
using Dwcp.Ingest.Csv;

namespace Dwcp.Ingest;

/// <summary>
/// Writes rejected rows to a CSV sidecar: <c>_dwcp_line,_dwcp_error</c> and then the source header; each row holds the
/// line (or 1-based Parquet row number), the reasons and the row's original fields, re-quoted.
/// </summary>
internal sealed class RejectedRowsWriter : IDisposable
{
    private readonly StreamWriter _writer;

    public RejectedRowsWriter(string path, IReadOnlyList<string> header)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        _writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        _writer.Write("_dwcp_line,_dwcp_error");
        foreach (var name in header)
        {
            _writer.Write(',');
            CsvText.WriteField(_writer, name);
        }

        _writer.WriteLine();
    }

    public void BeginRow(long line, IReadOnlyList<IngestError> errors)
    {
        _writer.Write(line.ToString(CultureInfo.InvariantCulture));
        _writer.Write(',');
        var reasons = string.Join("; ", errors.Select(e => e.Column is null ? e.Message : $"{e.Column}: {e.Message}"));
        CsvText.WriteField(_writer, reasons);
    }

    public void WriteField(ReadOnlySpan<char> value, bool quoted)
    {
        _writer.Write(',');
        CsvText.WriteField(_writer, value, quoted && value.Length == 0);
    }

    public void EndRow()
    {
        _writer.WriteLine();
    }

    public void Dispose() => _writer.Dispose();
}
