using System.Buffers;
using System.Globalization;

namespace Dwcp.Ingest.Csv;

/// <summary>
/// A streaming RFC 4180 record reader over a pooled, growable char buffer: quoted fields, doubled quotes, CRLF/LF/CR
/// line ends and newlines inside quotes. Fields are exposed as spans into the buffer, valid until the next
/// <see cref="Read"/>. A record never takes more than about <c>maxRecordChars</c> of memory: a longer one is a fatal
/// error, raised as soon as the limit is crossed.
/// </summary>
internal sealed class CsvRecordReader : IDisposable
{
    private const int InitialBufferChars = 64 * 1024;
    private static readonly SearchValues<char> UnquotedStops = SearchValues.Create(",\r\n");
    private static readonly SearchValues<char> QuotedStops = SearchValues.Create("\"\n");

    private readonly TextReader _reader;
    private readonly string _file;
    private readonly int _maxRecordChars;
    private readonly Action? _onEndOfInput;
    private char[] _buf;
    private int _len;
    private int _pos;
    private int _recStart;
    private bool _eof;
    private long _line = 1;

    // Fields of the current record, as offsets from _recStart.
    private int[] _starts = new int[64];
    private int[] _lengths = new int[64];
    private bool[] _quoted = new bool[64];
    private int _count;

    // The field being scanned.
    private int _fStart;
    private int _fContentEnd;
    private bool _fQuoted;
    private bool _fEscaped;
    private bool _inQuotes;
    private bool _afterQuote;
    private bool[] _escaped = new bool[64];

    /// <param name="reader">The decoded text.</param>
    /// <param name="file">The file name for messages.</param>
    /// <param name="maxRecordChars">The longest record accepted.</param>
    /// <param name="onEndOfInput">Called once when the text ends (e.g. to verify a gzip trailer); may throw.</param>
    public CsvRecordReader(TextReader reader, string file, int maxRecordChars, Action? onEndOfInput = null)
    {
        _reader = reader;
        _file = file;
        _maxRecordChars = maxRecordChars;
        _onEndOfInput = onEndOfInput;
        _buf = ArrayPool<char>.Shared.Rent(Math.Min(InitialBufferChars, maxRecordChars + 2));
    }

    /// <summary>Number of fields in the current record.</summary>
    public int FieldCount => _count;

    /// <summary>1-based physical line where the current record starts.</summary>
    public long StartLine { get; private set; }

    /// <summary>True when the current record was ended by the end of the file rather than a line break.</summary>
    public bool EndedAtEof { get; private set; }

    /// <summary>True when the current record is an empty line.</summary>
    public bool IsBlankLine => _count == 1 && _lengths[0] == 0 && !_quoted[0];

    /// <summary>Index of the first field with text after its closing quote, or -1.</summary>
    public int MalformedField { get; private set; }

    /// <summary>Field <paramref name="i"/> of the current record, unquoted and unescaped.</summary>
    public ReadOnlySpan<char> Field(int i) => _buf.AsSpan(_recStart + _starts[i], _lengths[i]);

    /// <summary>Whether field <paramref name="i"/> was quoted.</summary>
    public bool IsQuoted(int i) => _quoted[i];

    /// <summary>Reads the next record. Returns false at the end of the file.</summary>
    public bool Read()
    {
        _count = 0;
        MalformedField = -1;
        EndedAtEof = false;
        _recStart = _pos;
        StartLine = _line;
        BeginField();
        while (true)
        {
            if (_pos >= _len)
            {
                if (Refill())
                {
                    continue;
                }

                if (_inQuotes)
                {
                    throw Fatal(StartLine,
                        $"A quoted field that starts on line {StartLine} is never closed: the file looks truncated.",
                        "Download or export the file again; if it is complete, close the quote (RFC 4180).");
                }

                if (_pos == _recStart && _count == 0)
                {
                    return false;
                }

                EndField(_pos);
                EndedAtEof = true;
                return Finish();
            }

            if (_inQuotes)
            {
                var i = _buf.AsSpan(_pos, _len - _pos).IndexOfAny(QuotedStops);
                if (i < 0)
                {
                    _pos = _len;
                    continue;
                }

                _pos += i;
                if (_buf[_pos] == '\n')
                {
                    _line++;
                    _pos++;
                    continue;
                }

                if (_pos + 1 >= _len && !_eof && Refill())
                {
                    continue; // re-examine the quote with its next character loaded
                }

                if (_pos + 1 < _len && _buf[_pos + 1] == '"')
                {
                    _fEscaped = true;
                    _pos += 2;
                    continue;
                }

                _fContentEnd = _pos - _recStart;
                _inQuotes = false;
                _afterQuote = true;
                _pos++;
                continue;
            }

            if (!_afterQuote && _pos == _recStart + _fStart && _buf[_pos] == '"')
            {
                _inQuotes = true;
                _fQuoted = true;
                _pos++;
                continue;
            }

            var rest = _buf.AsSpan(_pos, _len - _pos);
            var j = rest.IndexOfAny(UnquotedStops);
            if (_afterQuote && j != 0 && MalformedField < 0)
            {
                MalformedField = _count;
            }

            if (j < 0)
            {
                _pos = _len;
                continue;
            }

            _pos += j;
            var c = _buf[_pos];
            if (c == ',')
            {
                EndField(_pos);
                _pos++;
                BeginField();
                continue;
            }

            if (c == '\r' && _pos + 1 >= _len && !_eof && Refill())
            {
                continue; // load the character after CR to see whether it is LF
            }

            EndField(_pos);
            _pos++;
            if (c == '\r' && _pos < _len && _buf[_pos] == '\n')
            {
                _pos++;
            }

            _line++;
            return Finish();
        }
    }

    private void BeginField()
    {
        _fStart = _pos - _recStart;
        _fQuoted = false;
        _fEscaped = false;
        _afterQuote = false;
        _inQuotes = false;
    }

    private void EndField(int endAbs)
    {
        if (_count == _starts.Length)
        {
            var n = _count * 2;
            Array.Resize(ref _starts, n);
            Array.Resize(ref _lengths, n);
            Array.Resize(ref _quoted, n);
            Array.Resize(ref _escaped, n);
        }

        if (_fQuoted)
        {
            _starts[_count] = _fStart + 1;
            _lengths[_count] = _fContentEnd - _fStart - 1;
        }
        else
        {
            _starts[_count] = _fStart;
            _lengths[_count] = endAbs - _recStart - _fStart;
        }

        _quoted[_count] = _fQuoted;
        _escaped[_count] = _fEscaped;
        _count++;
    }

    private bool Finish()
    {
        if (_pos - _recStart > _maxRecordChars + 2)
        {
            throw TooLong();
        }

        for (var i = 0; i < _count; i++)
        {
            if (_escaped[i])
            {
                // Collapse doubled quotes in place; the field only gets shorter.
                var field = _buf.AsSpan(_recStart + _starts[i], _lengths[i]);
                var w = 0;
                for (var r = 0; r < field.Length; r++)
                {
                    field[w++] = field[r];
                    if (field[r] == '"')
                    {
                        r++;
                    }
                }

                _lengths[i] = w;
            }
        }

        return true;
    }

    /// <summary>Loads more text, keeping the current record. Returns false at the end of the input.</summary>
    private bool Refill()
    {
        if (_eof)
        {
            return false;
        }

        if (_len - _recStart > _maxRecordChars)
        {
            throw TooLong();
        }

        if (_recStart > 0)
        {
            _buf.AsSpan(_recStart, _len - _recStart).CopyTo(_buf);
            _len -= _recStart;
            _pos -= _recStart;
            _recStart = 0;
        }

        if (_len == _buf.Length)
        {
            var bigger = ArrayPool<char>.Shared.Rent((int)Math.Min((long)_buf.Length * 2, _maxRecordChars + (long)InitialBufferChars));
            _buf.AsSpan(0, _len).CopyTo(bigger);
            ArrayPool<char>.Shared.Return(_buf);
            _buf = bigger;
        }

        int n;
        try
        {
            n = _reader.Read(_buf, _len, _buf.Length - _len);
        }
        catch (InvalidDataException ex)
        {
            throw new IngestException(new IngestError(_file, 0, null, null,
                $"The gzip data is corrupt or truncated ({ex.Message}).",
                "Download or export the file again, or check it with 'gzip -t'."), ex);
        }

        if (n == 0)
        {
            _eof = true;
            _onEndOfInput?.Invoke();
            return false;
        }

        _len += n;
        return true;
    }

    private IngestException TooLong() => Fatal(StartLine,
        string.Create(CultureInfo.InvariantCulture,
            $"The record starting on line {StartLine} is longer than {_maxRecordChars:N0} characters{(_inQuotes ? $" (it is inside a quoted field that starts there and may never be closed)" : "")}."),
        "A FOCUS row is far shorter: check that this is a FOCUS CSV export and that its quotes are balanced; if records " +
        "really are this long, raise FocusReaderOptions.MaxRecordChars.");

    private IngestException Fatal(long line, string message, string hint) =>
        new(new IngestError(_file, line, null, null, message, hint));

    public void Dispose()
    {
        if (_buf.Length > 0)
        {
            ArrayPool<char>.Shared.Return(_buf);
            _buf = [];
        }

        _reader.Dispose();
    }
}
