using System.Buffers;
using System.Globalization;
using System.Text;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// A chunk of validated rows staged as a typed CSV file in <c>cost_rows</c> column order, for DuckDB to insert with its
/// own native, multi-threaded CSV reader (<see cref="InsertSql"/>). Handing DuckDB whole files instead of single values
/// through the appender is what makes a load run at DuckDB's own speed (see bench/README.md).
/// </summary>
/// <remarks>
/// Encoding: every string is quoted (a quote doubled), NULL is an empty unquoted field, so an empty string and NULL
/// stay distinct (<c>allow_quoted_nulls = false</c>). Decimals use the invariant culture (never an exponent);
/// timestamps are ISO with microseconds; tag keys and values are JSON arrays converted by <c>from_json</c>.
/// </remarks>
internal sealed class DuckDbStagingFile : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly SearchValues<char> JsonSpecial = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");
    private readonly StreamWriter _writer;
    private readonly char[] _scratch = new char[64];

    public DuckDbStagingFile(string path)
    {
        Path = path;
        _writer = new StreamWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16), Utf8, 1 << 16);
    }

    public string Path { get; }

    public int Rows { get; private set; }

    /// <summary>The INSERT that loads a staged file (the path is bound as <c>$path</c>).</summary>
    public static string InsertSql { get; } = BuildInsertSql();

    public void Write(FocusRow row, long loadId, long seq)
    {
        WriteLong(loadId);
        _writer.Write(',');
        WriteLong(seq);
        _writer.Write(',');
        WriteFormattable(DateOnly.FromDateTime(row.ChargePeriodStart!.Value), "yyyy-MM-dd");
        foreach (var c in FocusColumns.All)
        {
            _writer.Write(',');
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    if (row.Decimals[c.Slot] is { } d)
                    {
                        WriteFormattable(d, null);
                    }

                    break;
                case FocusDataType.DateTime:
                    if (row.DateTimes[c.Slot] is { } t)
                    {
                        WriteTimestamp(t);
                    }

                    break;
                default:
                    WriteString(row.Strings[c.Slot]);
                    break;
            }
        }

        var tags = row.NormalizedTags;
        _writer.Write(',');
        if (tags.Count > 0)
        {
            WriteJsonArray(tags, key: true);
            _writer.Write(',');
            WriteJsonArray(tags, key: false);
        }
        else
        {
            _writer.Write(',');
        }

        _writer.Write(',');
        WriteJsonObject(row.Extensions);
        _writer.Write(',');
        WriteString(row.SourceFile);
        _writer.Write(',');
        WriteLong(row.SourceLine);
        _writer.Write('\n');
        Rows++;
    }

    /// <summary>Flushes and closes the file so DuckDB can read it.</summary>
    public void Complete() => _writer.Dispose();

    public void Dispose()
    {
        _writer.Dispose();
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // A staging file left behind is removed with its folder at the next load; nothing depends on it.
        }
    }

    private void WriteLong(long value)
    {
        value.TryFormat(_scratch, out var n, default, CultureInfo.InvariantCulture);
        _writer.Write(_scratch, 0, n);
    }

    private void WriteFormattable<T>(T value, string? format)
        where T : ISpanFormattable
    {
        if (!value.TryFormat(_scratch, out var n, format, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"Value {value} does not fit the staging buffer.");
        }

        _writer.Write(_scratch, 0, n);
    }

    private void WriteTimestamp(DateTime t)
    {
        // yyyy-MM-dd HH:mm:ss.ffffff, written by hand: a custom format string is several times slower.
        var b = _scratch.AsSpan();
        Digits(b[..4], t.Year);
        b[4] = '-';
        Digits(b.Slice(5, 2), t.Month);
        b[7] = '-';
        Digits(b.Slice(8, 2), t.Day);
        b[10] = ' ';
        Digits(b.Slice(11, 2), t.Hour);
        b[13] = ':';
        Digits(b.Slice(14, 2), t.Minute);
        b[16] = ':';
        Digits(b.Slice(17, 2), t.Second);
        b[19] = '.';
        Digits(b.Slice(20, 6), (int)(t.Ticks % TimeSpan.TicksPerSecond / 10));
        _writer.Write(_scratch, 0, 26);

        static void Digits(Span<char> dest, int value)
        {
            for (var i = dest.Length - 1; i >= 0; i--)
            {
                dest[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        }
    }

    /// <summary>Writes a JSON array of the tag keys or values as one quoted CSV field.</summary>
    private void WriteJsonArray(IReadOnlyList<KeyValuePair<string, string>> tags, bool key)
    {
        _writer.Write("\"[");
        for (var i = 0; i < tags.Count; i++)
        {
            if (i > 0)
            {
                _writer.Write(',');
            }

            WriteJsonString(key ? tags[i].Key : tags[i].Value);
        }

        _writer.Write("]\"");
    }

    /// <summary>Writes a JSON object of string values as one quoted CSV field (nothing for an empty one: NULL).</summary>
    private void WriteJsonObject(IReadOnlyDictionary<string, string?> values)
    {
        if (values.Count == 0)
        {
            return;
        }

        _writer.Write("\"{");
        var first = true;
        foreach (var (k, v) in values)
        {
            if (!first)
            {
                _writer.Write(',');
            }

            first = false;
            WriteJsonString(k);
            _writer.Write(':');
            if (v is null)
            {
                _writer.Write("null");
            }
            else
            {
                WriteJsonString(v);
            }
        }

        _writer.Write("}\"");
    }

    /// <summary>A JSON string literal inside a quoted CSV field: JSON escapes first, then every quote doubled for CSV.</summary>
    private void WriteJsonString(string value)
    {
        _writer.Write("\"\"");
        if (!value.AsSpan().ContainsAny(JsonSpecial))
        {
            _writer.Write(value);
            _writer.Write("\"\"");
            return;
        }

        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"':
                    _writer.Write("\\\"\"");
                    break;
                case '\\':
                    _writer.Write("\\\\");
                    break;
                case < ' ':
                    _writer.Write("\\u");
                    _writer.Write(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    _writer.Write(ch);
                    break;
            }
        }

        _writer.Write("\"\"");
    }

    private void WriteString(string? value)
    {
        if (value is null)
        {
            return;
        }

        _writer.Write('"');
        var span = value.AsSpan();
        int quote;
        while ((quote = span.IndexOf('"')) >= 0)
        {
            _writer.Write(span[..(quote + 1)]);
            _writer.Write('"');
            span = span[(quote + 1)..];
        }

        _writer.Write(span);
        _writer.Write('"');
    }

    private static string BuildInsertSql()
    {
        var columns = new StringBuilder("{'load_id': 'BIGINT', 'row_seq': 'BIGINT', 'charge_date': 'DATE'");
        var select = new StringBuilder("load_id, row_seq, charge_date");
        foreach (var c in FocusColumns.All)
        {
            var type = c.DataType switch
            {
                FocusDataType.Decimal => DuckDbSchema.DecimalType,
                FocusDataType.DateTime => "TIMESTAMP",
                _ => "VARCHAR",
            };
            columns.Append(", '").Append(c.Name).Append("': '").Append(type).Append('\'');
            select.Append(", \"").Append(c.Name).Append('"');
        }

        columns.Append(", 'tag_keys': 'VARCHAR', 'tag_values': 'VARCHAR', 'x_extensions': 'VARCHAR', 'source_file': 'VARCHAR', 'source_line': 'BIGINT'}");
        select.Append(", from_json(tag_keys, '[\"VARCHAR\"]'), from_json(tag_values, '[\"VARCHAR\"]'), x_extensions, source_file, source_line");
        return $"INSERT INTO cost_rows SELECT {select} FROM read_csv($path, header = false, delim = ',', quote = '\"', escape = '\"', " +
               $"new_line = '\\n', allow_quoted_nulls = false, auto_detect = false, columns = {columns})";
    }
}
