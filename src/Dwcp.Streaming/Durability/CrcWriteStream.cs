namespace Dwcp.Streaming.Durability;

/// <summary>
/// A write-only stream that passes bytes on to <paramref name="inner"/> in 256 KiB chunks and keeps their CRC-32 (IEEE,
/// as <see cref="Crc32"/>) and count, so a checkpoint can be written straight to its file instead of being assembled
/// in memory first (a checkpoint of a busy engine is hundreds of megabytes; a growing memory stream copied it several
/// times over and left it to the garbage collector).
/// </summary>
internal sealed class CrcWriteStream(Stream inner) : Stream
{
    private const int ChunkBytes = 256 * 1024;
    private readonly System.IO.Hashing.Crc32 _crc = new();
    private readonly byte[] _buffer = new byte[ChunkBytes];
    private int _used;
    private long _written;

    /// <summary>Bytes written so far (buffered ones included).</summary>
    public long Written => _written + _used;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    /// <summary>Passes the buffered bytes on and returns the CRC-32 of everything written.</summary>
    public uint Complete()
    {
        Drain();
        return _crc.GetCurrentHashAsUInt32();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var take = Math.Min(buffer.Length, ChunkBytes - _used);
            buffer[..take].CopyTo(_buffer.AsSpan(_used));
            _used += take;
            buffer = buffer[take..];
            if (_used == ChunkBytes)
            {
                Drain();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value)
    {
        _buffer[_used++] = value;
        if (_used == ChunkBytes)
        {
            Drain();
        }
    }

    public override void Flush() => Drain();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Drain()
    {
        if (_used == 0)
        {
            return;
        }

        var chunk = _buffer.AsSpan(0, _used);
        _crc.Append(chunk);
        inner.Write(chunk);
        _written += _used;
        _used = 0;
    }
}
