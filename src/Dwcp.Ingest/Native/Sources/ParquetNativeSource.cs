using Dwcp.Ingest.Parquet;
using global::Parquet;
using global::Parquet.Schema;

namespace Dwcp.Ingest.Native.Sources;

/// <summary>Records of a Parquet export (CUR 2.0), every cell as text, one row group in memory at a time.</summary>
internal sealed class ParquetNativeSource : NativeSource
{
    private readonly ParquetReader _reader;
    private readonly ParquetColumn[] _columns;
    private readonly string[] _names;
    private int _group = -1;
    private int _rowsInGroup;
    private int _row = -1;
    private long _rowNumber;

    private ParquetNativeSource(string file, ParquetReader reader, ParquetColumn[] columns, string[] names)
        : base(file)
    {
        _reader = reader;
        _columns = columns;
        _names = names;
    }

    public static ParquetNativeSource Open(string file, IngestReport report)
    {
        ParquetReader reader;
        try
        {
            reader = Task.Run(() => ParquetReader.CreateAsync(file)).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new IngestException(new IngestError(file, 0, null, null,
                $"The file starts like Parquet but cannot be read as Parquet ({ex.Message}); it may be truncated or corrupt.",
                "Download or export the file again."), ex);
        }

        try
        {
            var columns = new List<ParquetColumn>();
            foreach (var field in reader.Schema.Fields)
            {
                if (ParquetRowSource.IsSupported(field))
                {
                    columns.Add(ParquetRowSource.CreateTextColumn(field, file));
                }
                else
                {
                    report.Count(IngestWarningKind.ParquetColumnSkipped);
                    report.SetFirst(new IngestWarning(IngestWarningKind.ParquetColumnSkipped, 0,
                        IngestWarning.Describe(IngestWarningKind.ParquetColumnSkipped), file, 0, field.Name, field.SchemaType.ToString()));
                }
            }

            return new ParquetNativeSource(file, reader, [.. columns], [.. columns.Select(c => c.Name)]);
        }
        catch
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public override IReadOnlyList<string> Names => _names;

    public override IngestFormat Container => IngestFormat.Parquet;

    public override long Line => _rowNumber;

    public override int? RowGroup => _group;

    public override long? RowInGroup => _row;

    public override string? RecordProblem => null;

    public override bool Read(CancellationToken cancellationToken)
    {
        while (_row + 1 >= _rowsInGroup)
        {
            if (_group + 1 >= _reader.RowGroupCount)
            {
                return false;
            }

            _group++;
            var group = _reader.OpenRowGroupReader(_group);
            _rowsInGroup = checked((int)group.RowCount);
            _row = -1;
            try
            {
                Task.Run(async () =>
                {
                    foreach (var column in _columns)
                    {
                        await column.LoadAsync(group, _rowsInGroup, cancellationToken);
                    }
                }, cancellationToken).GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                throw new IngestException(new IngestError(File, 0, null, null,
                    $"Row group {_group} cannot be read ({ex.Message}); the file may be truncated or corrupt.",
                    "Download or export the file again.") { RowGroup = _group }, ex);
            }
        }

        _row++;
        _rowNumber++;
        return true;
    }

    public override ReadOnlySpan<char> Get(int id) => id >= 0 && id < _columns.Length ? _columns[id].Text(_row) : [];

    public override void WriteRaw(RejectedRowsWriter writer)
    {
        foreach (var column in _columns)
        {
            var text = column.Text(_row);
            writer.WriteField(text ?? "", quoted: text is not null);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
