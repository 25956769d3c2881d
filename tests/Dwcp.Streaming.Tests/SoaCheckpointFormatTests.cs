using System.Collections.Immutable;
using Dwcp.Streaming.Durability;
using Dwcp.Streaming.Sketches;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// A series' metric cells are slots of one struct array now, not a cell and a sketch object each; the checkpoint bytes
/// must stay those of the earlier layout (a cell's count, sum, min, max, last, last time, then the DDSketch as it wrote
/// itself: count, min, max, zero count, positive and negative stores as (collapsed, n, (index, count)…)). The expected
/// bytes are written here field by field from the values themselves.
/// </summary>
public class SoaCheckpointFormatTests
{
    [Fact]
    public void A_series_is_written_in_the_earlier_byte_format_and_reads_back_to_the_same_bytes()
    {
        var config = new StreamingConfig();
        var key = new SeriesKey("usage", "", "aws", "eu-west-1", "compute", "acct", "");
        var hashed = new HashedKey(key, SeriesKeyBuilder.HashOf(key));
        var series = new SeriesWindow(hashed);
        var mapper = new DDSketch(config.SketchRelativeAccuracy, config.SketchMaxBuckets);
        (long Ticks, double Cost, double Delta)[] rows = [(100, 2.5, -1.5), (300, 2.5, 0), (200, 10, -1.5), (300, 0.25, 4)];
        foreach (var (ticks, cost, delta) in rows)
        {
            series.AddMetrics(new[] { new MetricValue("cost", cost), new MetricValue("delta", delta) }, mapper, ticks, config.SketchMaxBuckets);
            series.EventCount++;
        }

        var multiplier = 1 / Math.Log((1 + 0.01) / (1 - 0.01));
        int Index(double v) => (int)Math.Ceiling(Math.Log(Math.Abs(v)) * multiplier);
        using var expected = new MemoryStream();
        using (var w = new BinaryWriter(expected))
        {
            foreach (var part in new[] { "usage", "", "aws", "eu-west-1", "compute", "acct", "" })
            {
                w.Write(part);
            }

            w.Write(hashed.Hash);
            w.Write(4L); // events
            w.Write(2); // metrics
            // cost: 2.5, 2.5, 10, 0.25; last = 0.25 (time 300, the later of two at 300)
            w.Write("cost");
            WriteCell(w, count: 4, sum: 15.25, min: 0.25, max: 10, last: 0.25, lastTicks: 300, zero: 0,
                positive: [.. new[] { (Index(0.25), 1L), (Index(2.5), 2L), (Index(10), 1L) }.OrderBy(p => p.Item1)], negative: []);
            // delta: −1.5, 0, −1.5, 4; last = 4
            w.Write("delta");
            WriteCell(w, count: 4, sum: 1, min: -1.5, max: 4, last: 4, lastTicks: 300, zero: 1, positive: [(Index(4), 1L)], negative: [(Index(1.5), 2L)]);
            w.Write(0); // custom entries
        }

        var written = Write(series);
        Assert.Equal(expected.ToArray(), written);

        using var reader = new BinaryReader(new MemoryStream(written));
        var restored = CheckpointCodec.ReadSeries(reader, config, [], []);
        Assert.Equal(written, Write(restored));
        Assert.Equal(new[] { "cost", "delta" }, restored.Names.ToArray());
        var costResult = restored.CellAt(0).ToResult("cost", mapper.Gamma);
        var reference = new DDSketch();
        foreach (var row in rows)
        {
            reference.Add(row.Cost);
        }

        Assert.Equal((reference.Quantile(0.5), reference.Quantile(0.95), reference.Quantile(0.99)), (costResult.P50, costResult.P95, costResult.P99));
    }

    private static byte[] Write(SeriesWindow series)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            CheckpointCodec.WriteSeries(writer, series);
        }

        return stream.ToArray();
    }

    private static void WriteCell(BinaryWriter w, long count, double sum, double min, double max, double last, long lastTicks, long zero,
        (int Index, long Count)[] positive, (int Index, long Count)[] negative)
    {
        w.Write(count);
        w.Write(sum);
        w.Write(min);
        w.Write(max);
        w.Write(last);
        w.Write(lastTicks);
        w.Write(count); // the sketch's own count, min, max
        w.Write(min);
        w.Write(max);
        w.Write(zero);
        foreach (var store in new[] { positive, negative })
        {
            w.Write(false); // not collapsed
            w.Write(store.Length);
            foreach (var (index, c) in store)
            {
                w.Write(index);
                w.Write(c);
            }
        }
    }
}
