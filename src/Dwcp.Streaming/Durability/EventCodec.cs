using System.Collections.Immutable;
using Dwcp.Streaming.Events;

namespace Dwcp.Streaming.Durability;

/// <summary>Binary form of an event in the write-ahead log (strings as 7-bit-length-prefixed UTF-8, little-endian numbers).</summary>
internal static class EventCodec
{
    public static void Write(BinaryWriter writer, StreamEvent e)
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
