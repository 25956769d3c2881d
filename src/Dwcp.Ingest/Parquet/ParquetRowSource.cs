using Dwcp.Core.Focus;
using global::Parquet;
using global::Parquet.Schema;

namespace Dwcp.Ingest.Parquet;

/// <summary>Rows of a Parquet file, read one row group at a time.</summary>
internal sealed class ParquetRowSource : RowSource
{
    private readonly ParquetReader _reader;
    private readonly ParquetColumn[] _columns;
    private readonly string[] _header;
    private readonly FocusRowBuilder _builder;

    private ParquetRowSource(
        ParquetReader reader, ParquetColumn[] columns, string[] header, FocusRowBuilder builder, string file,
        FocusReaderOptions options, IngestReport report)
        : base(file, options, report)
    {
        _reader = reader;
        _columns = columns;
        _header = header;
        _builder = builder;
    }

    public override IReadOnlyList<string> Header => _header;

    public static ParquetRowSource Open(string file, FocusReaderOptions options, IngestReport report)
    {
        ParquetReader reader;
        try
        {
            // Task.Run: never block on a continuation that wants the caller's synchronisation context.
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
            var fields = new List<(Field Field, string Name)>();
            foreach (var field in reader.Schema.Fields)
            {
                if (field is DataField or MapField { Key: DataField, Value: DataField } && IsSupported(field))
                {
                    fields.Add((field, field.Name));
                }
                else if (FocusColumns.TryFind(field.Name, out var focus))
                {
                    throw new IngestException(new IngestError(file, 0, field.Name, null,
                        $"The FOCUS column {focus.Name} is a nested Parquet {field.SchemaType} column, which the reader cannot read.",
                        "Export the column as a plain value (or, for Tags, as a JSON string or a map of strings)."));
                }
                else
                {
                    report.Count(IngestWarningKind.ParquetColumnSkipped);
                    report.SetFirst(new IngestWarning(IngestWarningKind.ParquetColumnSkipped, 0,
                        IngestWarning.Describe(IngestWarningKind.ParquetColumnSkipped), file, 0, field.Name, field.SchemaType.ToString()));
                }
            }

            var header = fields.Select(f => f.Name).ToArray();
            var bindings = ColumnBinding.MapHeader(header, file, 0, report);
            var columns = new ParquetColumn[fields.Count];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = CreateColumn(fields[i].Field, bindings[i], file);
            }

            return new ParquetRowSource(reader, columns, header, new FocusRowBuilder(file, bindings, report, options), file, options, report);
        }
        catch
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    public override IEnumerable<FocusRow> Rows(CancellationToken cancellationToken)
    {
        long rowNumber = 0;
        for (var g = 0; g < _reader.RowGroupCount; g++)
        {
            var group = _reader.OpenRowGroupReader(g);
            var rows = checked((int)group.RowCount);
            LoadGroup(group, g, rows, cancellationToken);
            for (var r = 0; r < rows; r++)
            {
                if ((r & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                rowNumber++;
                Report.RowsRead++;
                var row = _builder.Begin(rowNumber, g, r);
                for (var i = 0; i < _columns.Length; i++)
                {
                    _columns[i].Apply(_builder, i, r);
                }

                if (_builder.End())
                {
                    yield return row;
                }
                else if (Reject(rowNumber, _builder.RowErrors, w => WriteRawFields(w, r)))
                {
                    yield break;
                }
            }
        }
    }

    private void LoadGroup(ParquetRowGroupReader group, int index, int rows, CancellationToken cancellationToken)
    {
        try
        {
            Task.Run(async () =>
            {
                foreach (var column in _columns)
                {
                    await column.LoadAsync(group, rows, cancellationToken);
                }
            }, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            throw new IngestException(new IngestError(File, 0, null, null,
                $"Row group {index} cannot be read ({ex.Message}); the file may be truncated or corrupt.",
                "Download or export the file again.") { RowGroup = index }, ex);
        }
    }

    private void WriteRawFields(RejectedRowsWriter writer, int row)
    {
        foreach (var column in _columns)
        {
            var text = column.Text(row);
            writer.WriteField(text ?? "", quoted: text is not null);
        }
    }

    /// <summary>A column read as text whatever its type (maps as JSON objects), for the native readers.</summary>
    internal static ParquetColumn CreateTextColumn(Field field, string file) =>
        CreateColumn(field, ColumnBinding.Extension(field.Name), file);

    internal static bool IsSupported(Field field) => field switch
    {
        DataField d => !d.IsArray,
        MapField { Key: DataField k, Value: DataField v } => IsString(k) && IsString(v) && !k.IsArray && !v.IsArray,
        _ => false,
    };

    private static bool IsString(DataField d) => d.ClrType == typeof(ReadOnlyMemory<char>) || d.ClrType == typeof(string);

    private static ParquetColumn CreateColumn(Field field, ColumnBinding binding, string file)
    {
        var target = binding.Kind;
        if (field is MapField map)
        {
            if (target is BindingKind.Tags or BindingKind.Json or BindingKind.Extension)
            {
                return new MapColumn(map, (DataField)map.Key, (DataField)map.Value, target);
            }

            throw Incompatible(file, field.Name, "map", binding);
        }

        var data = (DataField)field;
        var t = data.ClrType;
        if (IsString(data))
        {
            return new StringColumn(data, target);
        }

        if (t == typeof(ReadOnlyMemory<byte>) || t == typeof(byte[]))
        {
            return target == BindingKind.Extension ? new BinaryColumn(data, target) : throw Incompatible(file, field.Name, "binary", binding);
        }

        ParquetColumn? column =
            t == typeof(decimal) ? Make<decimal>() :
            t == typeof(double) ? Make<double>() :
            t == typeof(float) ? Make<float>() :
            t == typeof(long) ? Make<long>() :
            t == typeof(int) ? Make<int>() :
            t == typeof(short) ? Make<short>() :
            t == typeof(sbyte) ? Make<sbyte>() :
            t == typeof(ulong) ? Make<ulong>() :
            t == typeof(uint) ? Make<uint>() :
            t == typeof(ushort) ? Make<ushort>() :
            t == typeof(byte) ? Make<byte>() :
            t == typeof(bool) ? Make<bool>() :
            t == typeof(DateTime) ? Make<DateTime>() :
            t == typeof(DateOnly) ? Make<DateOnly>() :
            t == typeof(TimeSpan) ? Make<TimeSpan>() :
            t == typeof(TimeOnly) ? Make<TimeOnly>() :
            t == typeof(Guid) ? Make<Guid>() :
            null;
        return column ?? throw Incompatible(file, field.Name, t.Name, binding);

        ParquetColumn? Make<T>()
            where T : struct =>
            ValueColumn<T>.Supports(target) ? new ValueColumn<T>(data, target) : throw Incompatible(file, field.Name, typeof(T).Name, binding);
    }

    private static IngestException Incompatible(string file, string column, string parquetType, ColumnBinding binding)
    {
        var wanted = binding.Kind switch
        {
            BindingKind.Decimal => "a decimal number",
            BindingKind.DateTime => "a date-time",
            BindingKind.Extension => "a value the reader can keep as text",
            _ => "text",
        };
        return new IngestException(new IngestError(file, 0, column, null,
            $"Column {column} has Parquet type {parquetType}, which cannot hold {wanted}.",
            "Export the column with a matching type (FOCUS: decimals as DECIMAL or DOUBLE, date-times as TIMESTAMP or ISO 8601 strings)."));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }
}
