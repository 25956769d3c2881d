using System.Collections.Immutable;
using Dwcp.Streaming.Engine;
using Dwcp.Streaming.Events;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// <c>WindowStore.ApplyBatch</c> (chunks prefetched before they are applied, metric slots matched by reference) must give
/// exactly what applying the events one by one gives, whatever the batch boundaries: same series, counts, sums (same
/// order of additions), extremes, last values and quantiles. The events vary what the fast path depends on: metric
/// names in another order, missing or extra names, more than 16 metrics, a name twice in one event, late events,
/// series over the per-pane limit, negative, zero and tiny values.
/// </summary>
public class HotBatchApplyTests
{
    private static readonly string[] Names = [.. Enumerable.Range(0, 20).Select(k => "m" + k)];

    [Theory]
    [InlineData(11, 1)]
    [InlineData(12, 7)]
    [InlineData(13, 1000)]
    public void ApplyBatch_equals_applying_each_event_in_turn(int seed, int maxBatch)
    {
        var config = new StreamingConfig
        {
            SlidingWindows = [new SlidingWindow(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2))],
            MaxSeriesPerWindow = 40,
        };
        var specs = WindowSpec.FromConfig(config);
        var one = new WindowStore(specs, config, new EngineCounters());
        var batched = new WindowStore(specs, config, new EngineCounters());
        var keys = new SeriesKeyBuilder(config.GroupBy, new NameInterner());
        var random = new Random(seed);
        var (fromOne, fromBatches) = (new List<WindowResult>(), new List<WindowResult>());
        var ends = new List<long>();
        var pending = new List<QueuedEvent>();
        var t0 = TestData.T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var maxTicks = long.MinValue;
        for (var i = 0; i < 20_000; i++)
        {
            var ticks = t0 + (i * TimeSpan.TicksPerMinute * 30 / 20_000) - (random.Next(25) == 0 ? random.NextInt64(TimeSpan.TicksPerMinute * 4) : 0);
            maxTicks = Math.Max(maxTicks, ticks);
            var horizon = maxTicks - TimeSpan.TicksPerSecond * 20;
            var e = RandomEvent(random, i, ticks);
            var series = keys.Resolve(e);
            one.Apply(e, series.Key, horizon, []);
            pending.Add(new QueuedEvent(e, series, horizon));
            var closing = i % 997 == 996;
            if (pending.Count >= random.Next(1, maxBatch + 1) || closing || i == 19_999)
            {
                batched.ApplyBatch(pending.ToArray(), []);
                pending.Clear();
            }

            if (closing)
            {
                one.CloseUpTo(horizon, [], fromOne, ends);
                batched.CloseUpTo(horizon, [], fromBatches, ends);
                one.Snapshot(null, [], fromOne); // open windows too, merged from their panes so far
                batched.Snapshot(null, [], fromBatches);
            }
        }

        one.CloseUpTo(long.MaxValue, [], fromOne, ends);
        batched.CloseUpTo(long.MaxValue, [], fromBatches, ends);
        Assert.True(fromOne.Count > 1000, $"only {fromOne.Count} results");
        Assert.Equal(Describe(fromOne), Describe(fromBatches));
    }

    [Fact]
    public void ApplyBatch_counts_extremes_and_last_values_match_a_direct_computation()
    {
        var config = new StreamingConfig { WindowSizes = [TimeSpan.FromMinutes(1)] };
        var store = new WindowStore(WindowSpec.FromConfig(config), config, new EngineCounters());
        var keys = new SeriesKeyBuilder(config.GroupBy, new NameInterner());
        var random = new Random(3);
        var events = Enumerable.Range(0, 3000).Select(i => RandomEvent(random, i, (TestData.T0.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) + (i * TimeSpan.TicksPerSecond / 100))).ToList();
        var queued = events.Select(e => new QueuedEvent(e, keys.Resolve(e), long.MinValue)).ToArray();
        store.ApplyBatch(queued, []);
        var results = new List<WindowResult>();
        store.CloseUpTo(long.MaxValue, [], results, []);

        // Direct: per minute × series × metric, every value of the events (a repeated name counts each time).
        var expected = events
            .SelectMany(e => e.Metrics.Select(m => (Minute: e.Timestamp.UtcTicks / TimeSpan.TicksPerMinute, Series: TestData.SeriesOf(e), m.Name, m.Value, e.Timestamp)))
            .GroupBy(x => (x.Minute, x.Series, x.Name))
            .ToDictionary(g => g.Key, g => (Count: (long)g.Count(), Min: g.Min(x => x.Value), Max: g.Max(x => x.Value), Last: g.Last(x => x.Timestamp == g.Max(y => y.Timestamp)).Value));
        var actual = results
            .SelectMany(r => r.Metrics.Select(m => (Key: (r.Start.UtcTicks / TimeSpan.TicksPerMinute, $"{r.Series.EventType}|{r.Series.Provider}|{r.Series.Region}|{r.Series.Service}|{r.Series.Account}", m.Metric), m)))
            .ToDictionary(x => x.Key, x => (x.m.Count, x.m.Min, x.m.Max, x.m.Last));
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, value) in expected)
        {
            Assert.Equal(value, actual[key]);
        }
    }

    private static StreamEvent RandomEvent(Random random, int i, long epochTicks)
    {
        var shape = random.Next(20);
        // names shared by reference as the parser's interned ones are, except for one event in 20 (equal strings,
        // other instances: the slot check by reference fails and the lookup by value must find the same cells)
        var names = shape == 4 ? [.. Names.Select(n => new string(n.AsSpan()))] : Names;
        var count = shape switch { 0 => 18, 1 => random.Next(1, 5), _ => 10 };
        var metrics = new MetricValue[count];
        for (var k = 0; k < count; k++)
        {
            var name = shape switch
            {
                2 => names[(k + 3) % 10], // same names, another order
                3 => names[k == 1 ? 0 : k], // a name twice
                _ => names[k],
            };
            var value = random.Next(12) switch
            {
                0 => 0,
                1 => -Math.Exp(random.NextDouble() * 8),
                2 => 1e-12,
                3 => Math.Exp((random.NextDouble() * 60) - 30),
                _ => Math.Round(Math.Exp((random.NextDouble() * 4) + k), 3),
            };
            metrics[k] = new MetricValue(name, value);
        }

        return new StreamEvent
        {
            EventId = "e" + i,
            Timestamp = DateTimeOffset.UnixEpoch.AddTicks(epochTicks),
            Metrics = ImmutableArray.Create(metrics),
            Provider = TestData.Providers[random.Next(3)],
            Region = TestData.Regions[random.Next(2)],
            Service = TestData.Services[random.Next(3)],
            Account = "a" + random.Next(9),
        };
    }

    private static List<string> Describe(List<WindowResult> results) =>
        [.. results.Select(r => $"{r.Start:O} {r.Size} {r.Slide} {r.Series} {r.IsFinal} {r.EventCount} " + string.Join(" | ", r.Metrics.Select(m =>
            $"{m.Metric} {m.Count} {m.Sum:R} {m.Min:R} {m.Max:R} {m.Last:R} {m.LastTimestamp:O} {m.P50:R} {m.P95:R} {m.P99:R}")))];
}
