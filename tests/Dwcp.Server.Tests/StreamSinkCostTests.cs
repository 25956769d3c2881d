using Dwcp.Anomalies;
using Dwcp.Server.Graph;
using Dwcp.Storage;
using Dwcp.Streaming;

namespace Dwcp.Server.Tests;

/// <summary>
/// The closed-window sinks' per-row work: the anomaly monitor's detector book (series hashed once per window, nothing
/// allocated for a window it does not score), the multivariate metric selection, and the rollup rows.
/// </summary>
public sealed class StreamSinkCostTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static long Allocated(Action action)
    {
        action(); // JIT and first-use allocations out of the way
        var before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_series_id_with_a_precomputed_series_hash_equals_the_plain_one_and_differs_when_any_part_does()
    {
        var series = new SeriesKey("usage", "i-1", "aws", "eu-west-1", "ec2", "acct-a", "team=a");
        var plain = new StreamSeriesId("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series);
        var hashed = new StreamSeriesId("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series, series.GetHashCode());

        Assert.Equal(plain, hashed);
        Assert.Equal(plain.GetHashCode(), hashed.GetHashCode());

        // The same values in other string instances: still the same id.
        var copy = new SeriesKey(new string("usage".AsSpan()), "i-1", "aws", "eu-west-1", "ec2", "acct-a", "team=a");
        Assert.Equal(plain, new StreamSeriesId(new string("cpu".AsSpan()), TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, copy));

        StreamSeriesId[] others =
        [
            new("mem", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series),
            new("cpu", 5 * TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series),
            new("cpu", TimeSpan.TicksPerMinute, 2 * TimeSpan.TicksPerMinute, series),
            new("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series with { ResourceId = "i-2" }),
            new("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series with { Tags = "" }),
        ];
        Assert.All(others, o => Assert.NotEqual(plain, o));
    }

    [Fact]
    public void A_window_the_full_book_does_not_admit_allocates_nothing()
    {
        var skipped = 0;
        var book = new StreamDetectorBook(1, new OnlineDetectorOptions(), 30, () => { }, () => skipped++);
        var active = new StreamSeriesId("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, new SeriesKey("usage", "", "aws", "r", "ec2", "a", ""));
        var other = new StreamSeriesId("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, new SeriesKey("usage", "", "aws", "r", "s3", "a", ""));
        var t = T0.AddMinutes(1);
        Assert.NotNull(book.Update(active, t, 1));

        var bytes = Allocated(() =>
        {
            for (var i = 0; i < 100; i++)
            {
                Assert.Null(book.Update(other, t, 2));
            }
        });

        Assert.Equal(0, bytes);
        Assert.Equal(200, skipped);
        Assert.Equal(1, book.Count);
    }

    [Fact]
    public void The_metrics_scored_together_are_the_first_by_ordinal_name_among_the_finite_ones()
    {
        var rng = new Random(42);
        for (var round = 0; round < 200; round++)
        {
            var n = rng.Next(0, 40);
            var metrics = new List<MetricAggregate>();
            foreach (var name in Enumerable.Range(0, n).Select(i => $"m{rng.Next(0, 1000)}_{i}").OrderBy(_ => rng.Next()))
            {
                var avg = rng.Next(5) == 0 ? double.NaN : rng.Next(7) == 0 ? double.PositiveInfinity : (rng.NextDouble() * 100) - 50;
                metrics.Add(new MetricAggregate(name, 1, avg, avg, avg, avg, avg, T0, avg, avg, avg));
            }

            var most = rng.Next(2, 33);
            var names = new string[32];
            var values = new double[32];
            var count = StreamAnomalyMonitor.SelectTogether(metrics, StreamAggregate.Avg, most, names, values);

            // Reference: every finite one, sorted by ordinal name, cut to `most` (as the monitor did with a list and LINQ).
            var expected = metrics.Where(m => double.IsFinite(m.Average)).OrderBy(m => m.Metric, StringComparer.Ordinal).Take(most).ToArray();
            Assert.Equal(expected.Select(m => m.Metric), names.Take(count));
            Assert.Equal(expected.Select(m => m.Average), values.Take(count));
        }
    }

    [Fact]
    public void Rollup_rows_carry_each_window_metric_and_custom_value_and_type_names_are_snake_case()
    {
        var series = new SeriesKey("usage", "i-1", "aws", "eu-west-1", "ec2", "acct-a", "");
        var cpu = new MetricAggregate("cpu", 3, 6, 1, 3, 2, 3, T0.AddSeconds(50), 2, 3, 3);
        var mem = new MetricAggregate("mem", 2, 10, 4, 6, 5, 6, T0.AddSeconds(40), 5, 6, 6);
        var w1 = new WindowResult(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), series, true, 3, [cpu, mem],
            [new CustomAggregateValue("cost_per_cpu", AggregationType.WeightedAverage, 1.5, false)]);
        var w2 = w1 with { Start = T0.AddMinutes(1), End = T0.AddMinutes(2), Metrics = [mem], Custom = [] };

        var rows = RollupWindowSink.ToRollups([w1, w2]);
        var custom = RollupWindowSink.ToCustomRollups([w1, w2]);

        Assert.Equal(
            new[] { (T0, "cpu", 3L, 6.0), (T0, "mem", 2L, 10.0), (T0.AddMinutes(1), "mem", 2L, 10.0) },
            rows.Select(r => (r.WindowStart, r.Metric, r.Count, r.Sum)));
        Assert.All(rows, r => Assert.Equal(("i-1", 3L), (r.ResourceId, r.EventCount)));
        var c = Assert.Single(custom);
        Assert.Equal(("cost_per_cpu", "weighted_average", 1.5, T0), (c.Name, c.Type, c.Value, c.WindowStart));

        // The names as documented for stream_custom_rollups.type (docs/streaming.md), written out by hand.
        var documented = new Dictionary<AggregationType, string>
        {
            [AggregationType.WeightedAverage] = "weighted_average", [AggregationType.Rate] = "rate", [AggregationType.DistinctCount] = "distinct_count",
            [AggregationType.Ratio] = "ratio", [AggregationType.Percentile] = "percentile", [AggregationType.ThresholdCount] = "threshold_count",
        };
        Assert.Equal(documented.Count, Enum.GetValues<AggregationType>().Length);
        Assert.All(documented, kv => Assert.Equal(kv.Value, RollupWindowSink.TypeName(kv.Key)));
        Assert.Throws<ArgumentException>(() => RollupWindowSink.ToRollups([w1 with { IsFinal = false }]));
    }

    [Fact]
    public void The_rows_made_on_reading_equal_the_rows_of_ToRollups_in_any_reading_order()
    {
        var rng = new Random(3);
        var results = new List<WindowResult>();
        for (var i = 0; i < 60; i++)
        {
            // Some windows carry no metric at all (only custom values), at the start, in the middle and at the end.
            var n = i is 0 or 1 or 30 or 59 ? 0 : rng.Next(1, 6);
            var metrics = Enumerable.Range(0, n).Select(j => new MetricAggregate("m" + j, j + 1, i * 10 + j, 0, j, j, j, T0.AddSeconds(j), j, j, j)).ToArray();
            var series = new SeriesKey("usage", "i-" + (i % 9), "aws", "", "ec2", "acct-a", "");
            results.Add(new WindowResult(T0.AddMinutes(i / 9), T0.AddMinutes((i / 9) + 1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), series, true, 9, metrics, []));
        }

        var expected = RollupWindowSink.ToRollups(results);
        var rows = new WindowRollupRows(results);

        Assert.Equal(expected.Count, rows.Count);
        Assert.Equal(expected, rows); // enumeration, in order (records compare by value)
        foreach (var i in Enumerable.Range(0, rows.Count).OrderBy(_ => rng.Next()))
        {
            Assert.Equal(expected[i], rows[i]);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => rows[rows.Count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => rows[-1]);
        Assert.Throws<ArgumentException>(() => new WindowRollupRows([results[5] with { IsFinal = false }]));
        Assert.Empty(new WindowRollupRows([results[0], results[1]]));
    }
}
