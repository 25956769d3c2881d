using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming.Durability;

/// <summary>Binary form of one window × series in a checkpoint.</summary>
internal static class CheckpointCodec
{
    public static void WriteSeries(BinaryWriter writer, SeriesWindow series)
    {
        var key = series.Key.Key;
        writer.Write(key.EventType);
        writer.Write(key.ResourceId);
        writer.Write(key.Provider);
        writer.Write(key.Region);
        writer.Write(key.Service);
        writer.Write(key.Account);
        writer.Write(key.Tags);
        writer.Write(series.Key.Hash);
        writer.Write(series.EventCount);
        writer.Write(series.MetricCount);
        for (var i = 0; i < series.MetricCount; i++)
        {
            writer.Write(series.Names[i]);
            series.CellAt(i).Write(writer);
        }

        var custom = series.Custom ?? [];
        writer.Write(custom.Count);
        foreach (var entry in custom)
        {
            writer.Write(entry.Aggregation.Name);
            writer.Write(entry.Partial);
            using var state = new MemoryStream();
            using (var stateWriter = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                entry.State.Write(stateWriter);
            }

            writer.Write((int)state.Length);
            writer.Write(state.GetBuffer(), 0, (int)state.Length);
        }
    }

    public static SeriesWindow ReadSeries(BinaryReader reader, StreamingConfig config, CustomAggregation[] aggregations, HashSet<string> unknown)
    {
        var key = new SeriesKey(reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString(), reader.ReadString());
        var series = new SeriesWindow(new HashedKey(key, reader.ReadUInt64())) { EventCount = reader.ReadInt64() };
        var metrics = reader.ReadInt32();
        for (var i = 0; i < metrics; i++)
        {
            series.ReadCell(reader.ReadString(), reader, config.SketchMaxBuckets);
        }

        var custom = reader.ReadInt32();
        for (var i = 0; i < custom; i++)
        {
            var name = reader.ReadString();
            var partial = reader.ReadBoolean();
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            var aggregation = Array.Find(aggregations, a => a.Name == name);
            if (aggregation is null)
            {
                unknown.Add(name);
                continue;
            }

            var state = aggregation.NewState();
            using (var stateReader = new BinaryReader(new MemoryStream(bytes, writable: false)))
            {
                state.Read(stateReader);
            }

            (series.Custom ??= []).Add(new CustomEntry(aggregation, state, partial));
        }

        return series;
    }
}
