using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using global::Parquet;
using global::Parquet.Data;
using global::Parquet.Schema;

namespace Dwcp.Ingest.Parquet;

/// <summary>One Parquet column of the current row group, loaded into memory, and how its cells reach the row builder.</summary>
internal abstract class ParquetColumn(string name, BindingKind target)
{
    public string Name { get; } = name;

    protected BindingKind Target { get; } = target;

    /// <summary>Loads the column's values for one row group.</summary>
    public abstract Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken);

    /// <summary>Sets cell <paramref name="row"/> as column <paramref name="index"/> of the row being built.</summary>
    public abstract void Apply(FocusRowBuilder builder, int index, int row);

    /// <summary>The cell as text (for the rejected-rows file), or null.</summary>
    public abstract string? Text(int row);

    protected static void ApplyText(FocusRowBuilder builder, BindingKind target, int index, string? text)
    {
        if (target == BindingKind.Extension)
        {
            builder.SetExtension(index, text);
        }
        else if (text is not null)
        {
            // A Parquet string is a real string: "" is an empty string (read as null with a warning), not an absent value.
            builder.SetText(index, text, quoted: true);
        }
    }
}

/// <summary>A UTF-8 string column.</summary>
internal sealed class StringColumn(DataField field, BindingKind target) : ParquetColumn(field.Name, target)
{
    private string?[] _values = [];

    public override async Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
    {
        if (_values.Length < rows)
        {
            _values = new string?[rows];
        }

        await group.ReadAsync(field, _values.AsMemory(0, rows), null, cancellationToken);
    }

    public override void Apply(FocusRowBuilder builder, int index, int row) => ApplyText(builder, Target, index, _values[row]);

    public override string? Text(int row) => _values[row];
}

/// <summary>A binary column, kept as base64 text (extension columns only).</summary>
internal sealed class BinaryColumn(DataField field, BindingKind target) : ParquetColumn(field.Name, target)
{
    private byte[]?[] _values = [];

    public override async Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
    {
        if (_values.Length < rows)
        {
            _values = new byte[]?[rows];
        }

        await group.ReadAsync(field, _values.AsMemory(0, rows)!, null, cancellationToken);
    }

    public override void Apply(FocusRowBuilder builder, int index, int row) => ApplyText(builder, Target, index, Text(row));

    public override string? Text(int row) => _values[row] is { } b ? Convert.ToBase64String(b) : null;
}

/// <summary>A column of a primitive type: numbers, booleans, date-times, dates.</summary>
internal sealed class ValueColumn<T>(DataField field, BindingKind target) : ParquetColumn(field.Name, target)
    where T : struct
{
    private T?[] _values = [];

    public override async Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
    {
        if (_values.Length < rows)
        {
            _values = new T?[rows];
        }

        await group.ReadAsync<T>(field, _values.AsMemory(0, rows), null, cancellationToken);
    }

    public override void Apply(FocusRowBuilder builder, int index, int row)
    {
        if (_values[row] is not { } v)
        {
            if (Target == BindingKind.Extension)
            {
                builder.SetExtension(index, null);
            }

            return;
        }

        switch (Target)
        {
            case BindingKind.Decimal:
                if (TryToDecimal(v, out var d, out var converted))
                {
                    builder.SetDecimal(index, d);
                    if (converted)
                    {
                        builder.Warn(IngestWarningKind.FloatingPointConverted, index, Format(v));
                    }
                }
                else
                {
                    builder.Fail(index, Format(v), $"'{Format(v)}' is not a finite number within the decimal range.");
                }

                break;
            case BindingKind.DateTime:
                builder.SetDateTime(index, ToUtc(v));
                if (typeof(T) == typeof(DateTime) && ((DateTime)(object)v).Kind == DateTimeKind.Unspecified)
                {
                    builder.Warn(IngestWarningKind.TimestampWithoutTimeZone, index, Format(v));
                }
                else if (typeof(T) == typeof(DateOnly))
                {
                    builder.Warn(IngestWarningKind.DateOnlyTimestamp, index, Format(v));
                }

                break;
            default:
                ApplyText(builder, Target, index, Format(v));
                break;
        }
    }

    public override string? Text(int row) => _values[row] is { } v ? Format(v) : null;

    /// <summary>True when <typeparamref name="T"/> can fill a column of FOCUS type <paramref name="target"/>.</summary>
    public static bool Supports(BindingKind target) => target switch
    {
        BindingKind.Decimal => IsNumber,
        BindingKind.DateTime => typeof(T) == typeof(DateTime) || typeof(T) == typeof(DateOnly),
        _ => true,
    };

    private static bool IsNumber =>
        typeof(T) == typeof(decimal) || typeof(T) == typeof(double) || typeof(T) == typeof(float) ||
        typeof(T) == typeof(long) || typeof(T) == typeof(int) || typeof(T) == typeof(short) || typeof(T) == typeof(sbyte) ||
        typeof(T) == typeof(ulong) || typeof(T) == typeof(uint) || typeof(T) == typeof(ushort) || typeof(T) == typeof(byte);

    private static bool TryToDecimal(T v, out decimal d, out bool converted)
    {
        converted = false;
        if (typeof(T) == typeof(decimal))
        {
            d = (decimal)(object)v;
            return true;
        }

        if (typeof(T) == typeof(double) || typeof(T) == typeof(float))
        {
            // Shortest round-trip text: 0.1 stays 0.1 instead of 0.1000000000000000055511151231257827.
            converted = true;
            var x = typeof(T) == typeof(double) ? (double)(object)v : (float)(object)v;
            d = 0;
            return double.IsFinite(x) &&
                   decimal.TryParse(Format(v), NumberStyles.Float, CultureInfo.InvariantCulture, out d);
        }

        d = Convert.ToDecimal(v, CultureInfo.InvariantCulture);
        return true;
    }

    private static DateTime ToUtc(T v)
    {
        if (typeof(T) == typeof(DateOnly))
        {
            return ((DateOnly)(object)v).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        var dt = (DateTime)(object)v;
        return dt.Kind switch
        {
            DateTimeKind.Local => dt.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
            _ => dt,
        };
    }

    private static string Format(T v)
    {
        if (typeof(T) == typeof(DateTime) || typeof(T) == typeof(DateOnly))
        {
            return ToUtc(v).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        }

        if (typeof(T) == typeof(double))
        {
            return ((double)(object)v).ToString("R", CultureInfo.InvariantCulture);
        }

        if (typeof(T) == typeof(float))
        {
            return ((float)(object)v).ToString("R", CultureInfo.InvariantCulture);
        }

        if (typeof(T) == typeof(bool))
        {
            return (bool)(object)v ? "true" : "false";
        }

        return v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v.ToString() ?? "";
    }
}

/// <summary>A <c>map&lt;string, string&gt;</c> column (how some exports store Tags), rendered as a JSON object.</summary>
internal sealed class MapColumn(MapField map, DataField key, DataField value, BindingKind target) : ParquetColumn(map.Name, target)
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private string?[] _json = [];

    public override async Task LoadAsync(ParquetRowGroupReader group, int rows, CancellationToken cancellationToken)
    {
        if (_json.Length < rows)
        {
            _json = new string?[rows];
        }

        using var keys = await group.ReadRawColumnDataBaseAsync(key, cancellationToken);
        using var values = await group.ReadRawColumnDataBaseAsync(value, cancellationToken);
        var keyText = ((RawColumnData<ReadOnlyMemory<char>>)keys).Values;
        var valueText = ((RawColumnData<ReadOnlyMemory<char>>)values).Values;
        var keyDef = keys.DefinitionLevels;
        var valueDef = values.DefinitionLevels;
        var rep = keys.RepetitionLevels;
        var buffer = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        int row = -1, k = 0, v = 0;
        for (var i = 0; i < keyDef.Length; i++)
        {
            if (rep[i] == 0)
            {
                Close(writer, buffer, row);
                row++;
                if (keyDef[i] < key.MaxDefinitionLevel - 1)
                {
                    _json[row] = null; // the map itself is null
                    continue;
                }

                writer.WriteStartObject();
            }

            if (keyDef[i] == key.MaxDefinitionLevel)
            {
                writer.WritePropertyName(keyText[k++].Span);
                if (valueDef[i] == value.MaxDefinitionLevel)
                {
                    writer.WriteStringValue(valueText[v++].Span);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }
        }

        Close(writer, buffer, row);
        if (row + 1 != rows)
        {
            throw new InvalidDataException($"map column '{map.Name}' has {row + 1} rows, the row group has {rows}.");
        }

        void Close(Utf8JsonWriter w, ArrayBufferWriter<byte> b, int r)
        {
            if (r >= 0 && w.CurrentDepth > 0)
            {
                w.WriteEndObject();
                w.Flush();
                _json[r] = Encoding.UTF8.GetString(b.WrittenSpan);
            }

            w.Reset();
            b.Clear();
        }
    }

    public override void Apply(FocusRowBuilder builder, int index, int row) => ApplyText(builder, Target, index, _json[row]);

    public override string? Text(int row) => _json[row];
}
