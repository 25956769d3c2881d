using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Dwcp.Streaming.Events;

namespace Dwcp.Streaming.Durability;

/// <summary>Binary form of an event in the write-ahead log (strings as 7-bit-length-prefixed UTF-8, little-endian numbers).</summary>
internal static class EventCodec
{
    // BinaryWriter's default encoding: UTF-8 without BOM, a lone surrogate written as U+FFFD (EF BF BD).
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>An upper bound of the bytes <see cref="Write"/> produces for <paramref name="e"/>.</summary>
    public static long MaxBytes(StreamEvent e)
    {
        long bytes = 8 + 4 + 4 + MaxBytes(e.EventId) + MaxBytes(e.EventType) + MaxBytes(e.ResourceId) + MaxBytes(e.Provider)
            + MaxBytes(e.Region) + MaxBytes(e.Service) + MaxBytes(e.Account);
        foreach (var metric in e.Metrics)
        {
            bytes += MaxBytes(metric.Name) + 8;
        }

        foreach (var tag in e.Tags)
        {
            bytes += MaxBytes(tag.Key) + MaxBytes(tag.Value);
        }

        return bytes;
    }

    /// <summary>
    /// Encodes <paramref name="e"/> into <paramref name="destination"/> (at least <see cref="MaxBytes(StreamEvent)"/> long)
    /// byte for byte as <see cref="BinaryWriter"/> did: strings as a 7-bit-encoded UTF-8 length and the bytes, numbers
    /// little-endian. Returns the bytes written.
    /// </summary>
    public static int Write(Span<byte> destination, StreamEvent e)
    {
        var at = WriteString(destination, e.EventId);
        BinaryPrimitives.WriteInt64LittleEndian(destination[at..], e.Timestamp.UtcTicks);
        at += 8;
        at += WriteString(destination[at..], e.EventType);
        var metrics = e.Metrics;
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], metrics.Length);
        at += 4;
        foreach (ref readonly var metric in metrics.AsSpan())
        {
            at += WriteString(destination[at..], metric.Name);
            BinaryPrimitives.WriteDoubleLittleEndian(destination[at..], metric.Value);
            at += 8;
        }

        at += WriteString(destination[at..], e.ResourceId);
        at += WriteString(destination[at..], e.Provider);
        at += WriteString(destination[at..], e.Region);
        at += WriteString(destination[at..], e.Service);
        at += WriteString(destination[at..], e.Account);
        var tags = e.Tags;
        BinaryPrimitives.WriteInt32LittleEndian(destination[at..], tags.Length);
        at += 4;
        foreach (ref readonly var tag in tags.AsSpan())
        {
            at += WriteString(destination[at..], tag.Key);
            at += WriteString(destination[at..], tag.Value);
        }

        return at;
    }

    private static long MaxBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return 5 + (3L * text.Length); // 7-bit length prefix of an int, and at most 3 UTF-8 bytes per UTF-16 unit
    }

    private static int WriteString(Span<byte> destination, string text)
    {
        if (text.Length <= 127 / 3)
        {
            // At most 127 bytes: the length prefix is one byte, written after the bytes are known.
            var count = Utf8.GetBytes(text, destination[1..]);
            destination[0] = (byte)count;
            return 1 + count;
        }

        var length = Utf8.GetByteCount(text);
        var prefix = 0;
        var rest = (uint)length;
        while (rest > 0x7Fu)
        {
            destination[prefix++] = (byte)(rest | 0x80u);
            rest >>= 7;
        }

        destination[prefix++] = (byte)rest;
        return prefix + Utf8.GetBytes(text, destination[prefix..]);
    }

    public static StreamEvent Read(BinaryReader reader, NameInterner interner)
    {
        var id = reader.ReadString();
        var ticks = reader.ReadInt64();
        var type = interner.Intern(reader.ReadString());
        var metrics = new MetricValue[reader.ReadInt32()];
        for (var i = 0; i < metrics.Length; i++)
        {
            metrics[i] = new MetricValue(interner.Intern(reader.ReadString()), reader.ReadDouble());
        }

        var resource = interner.Intern(reader.ReadString());
        var provider = interner.Intern(reader.ReadString());
        var region = interner.Intern(reader.ReadString());
        var service = interner.Intern(reader.ReadString());
        var account = interner.Intern(reader.ReadString());
        var tags = new Tag[reader.ReadInt32()];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = new Tag(interner.Intern(reader.ReadString()), interner.Intern(reader.ReadString()));
        }

        return new StreamEvent
        {
            EventId = id,
            Timestamp = new DateTimeOffset(ticks, TimeSpan.Zero),
            EventType = type,
            Metrics = ImmutableArray.Create(metrics),
            ResourceId = resource,
            Provider = provider,
            Region = region,
            Service = service,
            Account = account,
            Tags = ImmutableArray.Create(tags),
        };
    }
}
