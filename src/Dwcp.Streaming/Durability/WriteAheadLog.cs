using System.Buffers.Binary;
using System.Globalization;
using Dwcp.Streaming.Events;

namespace Dwcp.Streaming.Durability;

/// <summary>One accepted batch as stored in the log.</summary>
internal sealed record WalBatch(long AcceptTicks, IReadOnlyList<(StreamEvent Event, long Horizon)> Events);

/// <summary>
/// Append-only log of accepted batches in segment files <c>wal-NNNNNNNNNN.log</c>. A segment starts with the 8-byte
/// magic <c>DWCPWAL1</c>; each record is <c>[uint32 length][uint32 CRC-32 of payload][payload]</c>, little-endian.
/// Payload: kind byte (1 = batch), accept time (int64 UTC ticks), event count (int32), then per event the watermark it
/// was accepted against (int64 epoch ticks) and the event (<see cref="EventCodec"/>). Appends are buffered; durability
/// comes from group commit: <see cref="WaitDurableAsync"/> fsyncs once for every batch appended before it.
/// </summary>
internal sealed class WriteAheadLog : IDisposable
{
    public static readonly byte[] Magic = "DWCPWAL1"u8.ToArray();
    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly Lock _appendLock = new();
    private readonly SemaphoreSlim _flushGate = new(1, 1);
    private byte[] _payload = new byte[1 << 16]; // the batch being built, reused (grown, never shrunk) across batches
    private int _payloadLength;
    private FileStream _file;
    private long _appended;
    private long _durable;
    private int _pendingEvents;

    public WriteAheadLog(string directory, long segmentId, long segmentBytes)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
        SegmentId = segmentId;
        _file = OpenSegment(segmentId);
    }

    public long SegmentId { get; private set; }

    public static string SegmentPath(string directory, long id) => Path.Combine(directory, $"wal-{id.ToString("D10", CultureInfo.InvariantCulture)}.log");

    public static List<(long Id, string Path)> ListSegments(string directory)
    {
        var list = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, "wal-*.log"))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                list.Add((id, path));
            }
        }

        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return list;
    }

    /// <summary>Starts a batch record (call under the engine's accept gate).</summary>
    public void BeginBatch(long acceptTicks)
    {
        _payload[0] = 1;
        BinaryPrimitives.WriteInt64LittleEndian(_payload.AsSpan(1), acceptTicks);
        BinaryPrimitives.WriteInt32LittleEndian(_payload.AsSpan(9), 0); // count, patched in CommitBatch
        _payloadLength = 13;
        _pendingEvents = 0;
    }

    public void AddEvent(StreamEvent e, long horizon)
    {
        var needed = 8 + EventCodec.MaxBytes(e);
        if (_payload.Length - _payloadLength < needed)
        {
            Grow(needed);
        }

        var destination = _payload.AsSpan(_payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(destination, horizon);
        _payloadLength += 8 + EventCodec.Write(destination[8..], e);
        _pendingEvents++;
    }

    /// <summary>Frames and appends the batch to the current segment; returns its sequence for <see cref="WaitDurableAsync"/>.</summary>
    public long CommitBatch()
    {
        var payload = _payload.AsSpan(0, _payloadLength);
        BinaryPrimitives.WriteInt32LittleEndian(payload[9..], _pendingEvents);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload));
        lock (_appendLock)
        {
            _file.Write(header);
            _file.Write(payload);
            _appended++;
            if (_file.Length >= _segmentBytes)
            {
                RotateLocked();
            }

            return _appended;
        }
    }

    /// <summary>Waits until the batch with <paramref name="sequence"/> is on disk (group commit: one fsync serves all waiters).</summary>
    public async ValueTask WaitDurableAsync(long sequence, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _durable) >= sequence)
        {
            return;
        }

        await _flushGate.WaitAsync(cancellationToken);
        try
        {
            if (Volatile.Read(ref _durable) >= sequence)
            {
                return;
            }

            long target;
            Microsoft.Win32.SafeHandles.SafeFileHandle handle;
            lock (_appendLock)
            {
                target = _appended;
                _file.Flush(flushToDisk: false); // buffered bytes to the OS; the fsync below runs outside the lock
                handle = _file.SafeFileHandle;
            }

            try
            {
                RandomAccess.FlushToDisk(handle);
            }
            catch (ObjectDisposedException)
            {
                // The segment was rotated meanwhile; rotation fsyncs a segment before closing it.
            }

            Volatile.Write(ref _durable, target);
        }
        finally
        {
            _flushGate.Release();
        }
    }

    /// <summary>Closes the current segment (fsynced) and starts the next; returns the new segment id.</summary>
    public long Rotate()
    {
        lock (_appendLock)
        {
            RotateLocked();
            return SegmentId;
        }
    }

    public void Dispose()
    {
        lock (_appendLock)
        {
            _file.Flush(flushToDisk: true);
            _file.Dispose();
        }

        _flushGate.Dispose();
    }

    /// <summary>
    /// Reads the batches of a segment. A bad record (short, oversized or CRC mismatch) in the last segment is a torn write:
    /// the file is truncated there and a warning returned. In an earlier segment it is corruption and throws.
    /// </summary>
    public static IEnumerable<WalBatch> ReadSegment(string path, bool isLast, NameInterner interner, List<string> warnings)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            if (isLast && bytes.Length < Magic.Length)
            {
                warnings.Add($"{path}: segment header is incomplete ({bytes.Length} bytes, torn at creation); the empty segment was removed.");
                File.Delete(path);
                yield break;
            }

            throw new InvalidDataException($"{path} is not a DWCP write-ahead log segment (bad magic); move it out of the data directory.");
        }

        var offset = Magic.Length;
        while (offset < bytes.Length)
        {
            string? problem = null;
            var remaining = bytes.Length - offset;
            uint length = 0;
            if (remaining < 8)
            {
                problem = $"record header at byte {offset} is cut short";
            }
            else
            {
                length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset));
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4));
                if (length > remaining - 8)
                {
                    problem = $"record at byte {offset} claims {length} bytes but only {remaining - 8} remain";
                }
                else if (Crc32.Compute(bytes.AsSpan(offset + 8, (int)length)) != crc)
                {
                    problem = $"record at byte {offset} fails its CRC check";
                }
            }

            if (problem is not null)
            {
                if (!isLast)
                {
                    throw new InvalidDataException($"{path}: {problem}. The segment is corrupt (not the last one, so not a torn write); restore it from backup.");
                }

                warnings.Add($"{path}: {problem}; truncated the torn tail ({bytes.Length - offset} bytes, never acknowledged).");
                using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write))
                {
                    truncate.SetLength(offset);
                    truncate.Flush(flushToDisk: true);
                }

                yield break;
            }

            yield return Decode(bytes.AsMemory(offset + 8, (int)length), interner, path, offset);
            offset += 8 + (int)length;
        }
    }

    private static WalBatch Decode(ReadOnlyMemory<byte> payload, NameInterner interner, string path, int offset)
    {
        using var stream = new MemoryStream(payload.ToArray(), writable: false);
        using var reader = new BinaryReader(stream);
        var kind = reader.ReadByte();
        if (kind != 1)
        {
            throw new InvalidDataException($"{path}: record at byte {offset} has unknown kind {kind}; this log was written by a newer version.");
        }

        var acceptTicks = reader.ReadInt64();
        var count = reader.ReadInt32();
        var events = new List<(StreamEvent, long)>(count);
        for (var i = 0; i < count; i++)
        {
            var horizon = reader.ReadInt64();
            events.Add((EventCodec.Read(reader, interner), horizon));
        }

        return new WalBatch(acceptTicks, events);
    }

    private void Grow(long needed)
    {
        var size = Math.Max((long)_payload.Length * 2, _payloadLength + needed);
        if (size > Array.MaxLength)
        {
            // As a MemoryStream would: a batch record cannot pass 2 GB.
            throw new IOException($"A write-ahead log batch record would exceed {Array.MaxLength:N0} bytes; accept smaller batches.");
        }

        Array.Resize(ref _payload, (int)size);
    }

    private void RotateLocked()
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        SegmentId++;
        _file = OpenSegment(SegmentId);
    }

    private FileStream OpenSegment(long id)
    {
        var file = new FileStream(SegmentPath(_directory, id), FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16);
        file.Write(Magic);
        file.Flush(flushToDisk: true);
        return file;
    }
}
