using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Text;
using Dwcp.Streaming.Durability;
using Dwcp.Streaming.Events;
using Dwcp.Tests;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// The write-ahead log's byte format did not change with the span encoder and the library CRC: both are checked against
/// copies of the routines the format was defined with (a table-driven CRC-32 and <see cref="BinaryWriter"/> encoding).
/// </summary>
public class WalFormatTests
{
    [Fact]
    public void Crc32_of_the_standard_check_string_is_CBF43926()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0xCBF43926u, ReferenceCrc32("123456789"u8));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Crc32_equals_the_table_driven_reference_on_random_inputs_of_every_alignment()
    {
        var random = new Random(20261128);
        var buffer = new byte[70_000];
        random.NextBytes(buffer);
        for (var i = 0; i < 400; i++)
        {
            var length = i < 130 ? i : random.Next(buffer.Length / 2);
            var start = random.Next(17);
            var data = buffer.AsSpan(start, length);
            Assert.Equal(ReferenceCrc32(data), Crc32.Compute(data));
        }
    }

    [Fact]
    public void EventCodec_writes_the_same_bytes_as_the_BinaryWriter_encoding()
    {
        var random = new Random(7);
        for (var i = 0; i < 300; i++)
        {
            var e = RandomEvent(random, i);
            var expected = ReferenceEncode(e);
            var destination = new byte[EventCodec.MaxBytes(e)];
            var written = EventCodec.Write(destination, e);
            Assert.Equal(expected, destination.AsSpan(0, written).ToArray());
        }
    }

    [Fact]
    public void EventCodec_writes_a_lone_surrogate_as_the_replacement_character_as_the_BinaryWriter_encoding_did()
    {
        var e = new StreamEvent { EventId = "bad\ud800id", Timestamp = TestData.T0, Region = new string('r', 50) + "\udfff" };
        var destination = new byte[EventCodec.MaxBytes(e)];
        var written = EventCodec.Write(destination, e);
        var expected = ReferenceEncode(e);
        Assert.Equal(expected, destination.AsSpan(0, written).ToArray());
        Assert.Equal([8, (byte)'b', (byte)'a', (byte)'d', 0xEF, 0xBF, 0xBD, (byte)'i', (byte)'d'], expected[..9]);
    }

    [Fact]
    public void WriteAheadLog_writes_segments_byte_identical_to_the_old_encoder_and_reads_them_back()
    {
        var directory = RepoPaths.NewTempDir();
        try
        {
            var random = new Random(11);
            var batches = Enumerable.Range(0, 6)
                .Select(b => (Accept: TestData.T0.UtcTicks + b, Events: Enumerable.Range(0, b == 0 ? 1 : random.Next(1, 400)).Select(i => (RandomEvent(random, i), Horizon: random.NextInt64())).ToList()))
                .ToList();
            using (var wal = new WriteAheadLog(directory, 1, long.MaxValue))
            {
                foreach (var (accept, events) in batches)
                {
                    wal.BeginBatch(accept);
                    foreach (var (e, horizon) in events)
                    {
                        wal.AddEvent(e, horizon);
                    }

                    wal.CommitBatch();
                }
            }

            var expected = new MemoryStream();
            expected.Write(WriteAheadLog.Magic);
            foreach (var (accept, events) in batches)
            {
                var payload = ReferencePayload(accept, events);
                var header = new byte[8];
                BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), ReferenceCrc32(payload));
                expected.Write(header);
                expected.Write(payload);
            }

            var path = WriteAheadLog.SegmentPath(directory, 1);
            Assert.Equal(expected.ToArray(), File.ReadAllBytes(path));

            // A segment written entirely by the old routines (here: the same bytes, from the reference encoder) replays.
            var oldPath = WriteAheadLog.SegmentPath(directory, 2);
            File.WriteAllBytes(oldPath, expected.ToArray());
            var warnings = new List<string>();
            var read = WriteAheadLog.ReadSegment(oldPath, isLast: true, new NameInterner(), warnings).ToList();
            Assert.Empty(warnings);
            Assert.Equal(batches.Count, read.Count);
            for (var b = 0; b < batches.Count; b++)
            {
                Assert.Equal(batches[b].Accept, read[b].AcceptTicks);
                Assert.Equal(batches[b].Events.Count, read[b].Events.Count);
                for (var i = 0; i < batches[b].Events.Count; i++)
                {
                    Assert.Equal(batches[b].Events[i].Horizon, read[b].Events[i].Horizon);
                    AssertSameEvent(batches[b].Events[i].Item1, read[b].Events[i].Event);
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void WriteAheadLog_grows_its_batch_buffer_past_64_KiB_for_a_large_event()
    {
        var directory = RepoPaths.NewTempDir();
        try
        {
            var big = new StreamEvent
            {
                EventId = new string('x', 100_000),
                Timestamp = TestData.T0,
                Tags = [new Tag("note", string.Concat(Enumerable.Repeat("é€😀", 20_000)))],
            };
            using (var wal = new WriteAheadLog(directory, 1, long.MaxValue))
            {
                wal.BeginBatch(5);
                wal.AddEvent(TestData.Event("small", TestData.T0, ("cost", 1)), 1);
                wal.AddEvent(big, 2);
                wal.CommitBatch();
            }

            var batch = Assert.Single(WriteAheadLog.ReadSegment(WriteAheadLog.SegmentPath(directory, 1), isLast: true, new NameInterner(), []));
            Assert.Equal(2, batch.Events.Count);
            AssertSameEvent(big, batch.Events[1].Event);
            Assert.Equal(ReferencePayload(5, [(TestData.Event("small", TestData.T0, ("cost", 1)), 1), (big, 2)]).Length,
                File.ReadAllBytes(WriteAheadLog.SegmentPath(directory, 1)).Length - WriteAheadLog.Magic.Length - 8);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static void AssertSameEvent(StreamEvent expected, StreamEvent actual)
    {
        Assert.Equal(expected.EventId, actual.EventId);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.EventType, actual.EventType);
        Assert.Equal(expected.Metrics.Select(m => (m.Name, BitConverter.DoubleToInt64Bits(m.Value))), actual.Metrics.Select(m => (m.Name, BitConverter.DoubleToInt64Bits(m.Value))));
        Assert.Equal((expected.ResourceId, expected.Provider, expected.Region, expected.Service, expected.Account), (actual.ResourceId, actual.Provider, actual.Region, actual.Service, actual.Account));
        Assert.Equal(expected.Tags.ToArray(), actual.Tags.ToArray());
    }

    /// <summary>Strings of every size class of the 7-bit length prefix (1, 2 and 3 bytes) and of UTF-8 (1–4 bytes a char).</summary>
    private static StreamEvent RandomEvent(Random random, int i)
    {
        string Text(int maxLength)
        {
            var length = random.Next(4) switch { 0 => 0, 1 => random.Next(1, 50), 2 => random.Next(40, 200), _ => random.Next(maxLength) };
            var builder = new StringBuilder(length);
            while (builder.Length < length)
            {
                switch (random.Next(10))
                {
                    case 0: builder.Append((char)random.Next(0x80, 0x800)); break;       // 2-byte UTF-8
                    case 1: builder.Append((char)random.Next(0x800, 0xD800)); break;     // 3-byte UTF-8
                    case 2: builder.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x10FFFF))); break; // surrogate pair, 4 bytes
                    default: builder.Append((char)random.Next(0x20, 0x7F)); break;
                }
            }

            return builder.ToString();
        }

        var metrics = new MetricValue[random.Next(4) == 0 ? 0 : random.Next(1, 30)];
        for (var m = 0; m < metrics.Length; m++)
        {
            var value = random.Next(5) switch
            {
                0 => -0.0,
                1 => double.MaxValue,
                2 => BitConverter.Int64BitsToDouble(random.NextInt64()),
                _ => Math.Round((random.NextDouble() - 0.3) * 1e6, random.Next(8)),
            };
            metrics[m] = new MetricValue(Text(60), value);
        }

        var tags = new Tag[random.Next(3) == 0 ? random.Next(1, 5) : 0];
        for (var t = 0; t < tags.Length; t++)
        {
            tags[t] = new Tag(Text(30), Text(20_000));
        }

        return new StreamEvent
        {
            EventId = i % 7 == 0 ? "ev-" + i : Text(400) + i,
            Timestamp = new DateTimeOffset(random.NextInt64(DateTimeOffset.UnixEpoch.UtcTicks, DateTime.MaxValue.Ticks), TimeSpan.Zero),
            EventType = Text(20) is { Length: > 0 } type ? type : "usage",
            Metrics = ImmutableArray.Create(metrics),
            ResourceId = Text(70),
            Provider = Text(10),
            Region = Text(10),
            Service = Text(10),
            Account = Text(10),
            Tags = ImmutableArray.Create(tags),
        };
    }

    /// <summary>The event encoding as written before (BinaryWriter, UTF-8 without BOM, throwing on invalid UTF-16).</summary>
    private static byte[] ReferenceEncode(StreamEvent e)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            ReferenceWrite(writer, e);
        }

        return stream.ToArray();
    }

    private static byte[] ReferencePayload(long acceptTicks, IReadOnlyList<(StreamEvent Event, long Horizon)> events)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            writer.Write((byte)1);
            writer.Write(acceptTicks);
            writer.Write(events.Count);
            foreach (var (e, horizon) in events)
            {
                writer.Write(horizon);
                ReferenceWrite(writer, e);
            }
        }

        return stream.ToArray();
    }

    private static void ReferenceWrite(BinaryWriter writer, StreamEvent e)
    {
        writer.Write(e.EventId);
        writer.Write(e.Timestamp.UtcTicks);
        writer.Write(e.EventType);
        writer.Write(e.Metrics.Length);
        foreach (var metric in e.Metrics)
        {
            writer.Write(metric.Name);
            writer.Write(metric.Value);
        }

        writer.Write(e.ResourceId);
        writer.Write(e.Provider);
        writer.Write(e.Region);
        writer.Write(e.Service);
        writer.Write(e.Account);
        writer.Write(e.Tags.Length);
        foreach (var tag in e.Tags)
        {
            writer.Write(tag.Key);
            writer.Write(tag.Value);
        }
    }

    /// <summary>The byte-at-a-time table CRC-32 (IEEE, reflected 0xEDB88320) the log format was defined with.</summary>
    private static uint ReferenceCrc32(ReadOnlySpan<byte> data)
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }
}
