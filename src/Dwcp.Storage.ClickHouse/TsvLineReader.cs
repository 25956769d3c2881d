using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// Reads UTF-8 text split on <c>\n</c> only (TabSeparated escapes every other control character inside a field, so
/// <c>\r</c> is never a line break here, unlike <see cref="StreamReader.ReadLineAsync()"/>).
/// </summary>
internal sealed class TsvLineReader
{
    private readonly StreamReader _reader;
    private readonly char[] _buffer = new char[1 << 16];
    private readonly StringBuilder _line = new();
    private int _pos;
    private int _len;

    public TsvLineReader(Stream stream) => _reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);

    /// <summary>The next line without its <c>\n</c>, or null at the end.</summary>
    public async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        _line.Clear();
        while (true)
        {
            if (_pos == _len)
            {
                _len = await _reader.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                _pos = 0;
                if (_len == 0)
                {
                    return _line.Length > 0 ? _line.ToString() : null;
                }
            }

            var span = _buffer.AsSpan(_pos, _len - _pos);
            var nl = span.IndexOf('\n');
            if (nl >= 0)
            {
                _line.Append(span[..nl]);
                _pos += nl + 1;
                return _line.ToString();
            }

            _line.Append(span);
            _pos = _len;
        }
    }

    /// <summary>The rest of the text.</summary>
    public async Task<string> ReadToEndAsync(CancellationToken cancellationToken)
    {
        var rest = new string(_buffer, _pos, _len - _pos);
        _pos = _len;
        return rest + await _reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }
}
