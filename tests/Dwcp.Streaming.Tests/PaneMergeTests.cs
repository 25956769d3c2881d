using System.Collections.Concurrent;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// Windows larger than the pane (gcd of sizes and slides) are built by merging pane states, plus the window's own state
/// for events that were already late for a smaller window. These tests check the merged windows against two independent
/// computations over the same seeded events: an engine whose only window size is the one under test (one pane per
/// window, so nothing is merged), and a brute force that replays the watermark to know which events each window counts.
/// </summary>
[Collection("Memory-measuring")] // allocation-heavy: not beside EngineFlowTests' memory check
public class PaneMergeTests
{
    private static readonly TimeSpan Lateness = TimeSpan.FromSeconds(10); // < the ±20 s disorder: many events are late for 1-min windows

    [Theory]
    [InlineData(5)]
    [InlineData(15)]
    public async Task Merged_windows_equal_an_engine_that_keeps_only_that_window_size(int minutes)
    {
        var size = TimeSpan.FromMinutes(minutes);
        var events = TestData.Generate(seed: 23, count: 5000, span: TimeSpan.FromMinutes(45));
        var merged = await ClosedWindowsAsync(events, [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)], []);
        var direct = await ClosedWindowsAsync(events, [size], []);

        var fromPanes = merged.Where(r => r.Size == size).ToDictionary(r => (r.Start, TestData.SeriesOf(r.Series)));
        var single = direct.ToDictionary(r => (r.Start, TestData.SeriesOf(r.Series)));
        Assert.Equal(single.Keys.Order().ToList(), fromPanes.Keys.Order().ToList());
        foreach (var (key, expected) in single)
        {
            var actual = fromPanes[key];
            Assert.Equal(expected.EventCount, actual.EventCount);
            Assert.Equal(expected.Metrics.Select(m => m.Metric), actual.Metrics.Select(m => m.Metric));
            foreach (var (e, a) in expected.Metrics.Zip(actual.Metrics))
            {
                Assert.Equal((e.Count, e.Min, e.Max, e.Last, e.LastTimestamp), (a.Count, a.Min, a.Max, a.Last, a.LastTimestamp));
                Assert.Equal(e.Sum, a.Sum, Math.Max(1e-9, Math.Abs(e.Sum) * 1e-12)); // only the order of additions differs
                Assert.Equal((e.P50, e.P95, e.P99), (a.P50, a.P95, a.P99)); // merged sketch = sketch of the union, bucket for bucket
            }
        }

        Assert.Contains(merged, r => r.Size == TimeSpan.FromMinutes(1)); // the merged engine really had smaller windows
    }

    [Fact]
    public async Task Tumbling_and_sliding_windows_with_late_events_equal_a_watermark_replaying_brute_force()
    {
        var events = TestData.Generate(seed: 31, count: 4000, span: TimeSpan.FromMinutes(40));
        var sliding = new SlidingWindow(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2));
        var late = new InMemoryLateEventSink();
        var results = await ClosedWindowsAsync(events, [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)], [sliding], late);
        Assert.Contains(late.Snapshot(), l => l.AggregatedElsewhere); // late for a small window, still counted in larger ones (their own state)

        foreach (var (windowSize, slide) in new[] { (1, 1), (5, 5), (15, 15), (10, 2) })
        {
            var size = TimeSpan.FromMinutes(windowSize);
            var step = TimeSpan.FromMinutes(slide);
            var expected = BruteForceOnTime(TestData.Unique(events), size, step);
            TestData.AssertMatches(expected, results.Where(r => r.Size == size && r.Slide == step));
        }
    }

    /// <summary>Exact aggregates of the events each window counts: an event counts in a window when the window ends after
    /// the watermark at its acceptance (max event time accepted before it − lateness; the clock never moves).</summary>
    private static Dictionary<(DateTimeOffset Start, string Series, string Metric), TestData.Expected> BruteForceOnTime(
        List<StreamEvent> unique, TimeSpan size, TimeSpan slide)
    {
        var counted = new List<(StreamEvent Event, string Series, DateTimeOffset Horizon)>();
        var max = DateTimeOffset.MinValue;
        foreach (var e in unique)
        {
            counted.Add((e, TestData.SeriesOf(e), max == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : max - Lateness));
            max = e.Timestamp > max ? e.Timestamp : max;
        }

        var bySeries = counted.ToLookup(c => c.Series);
        var perWindow = new Dictionary<(DateTimeOffset Start, string Series, string Metric), TestData.Expected>();
        foreach (var key in TestData.BruteForce(unique, size, slide).Keys)
        {
            var end = key.Start + size;
            var kept = bySeries[key.Series].Where(c => c.Horizon < end && c.Event.Timestamp >= key.Start && c.Event.Timestamp < end)
                .Select(c => c.Event).ToList();
            if (TestData.BruteForce(kept, size, slide).TryGetValue(key, out var expected))
            {
                perWindow[key] = expected;
            }
        }

        return perWindow;
    }

    private static async Task<List<WindowResult>> ClosedWindowsAsync(List<StreamEvent> events, TimeSpan[] sizes, SlidingWindow[] sliding,
        ILateEventSink? late = null)
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var sink = new CollectingSink();
        var config = new StreamingConfig
        {
            WindowSizes = sizes,
            SlidingWindows = sliding,
            AllowedLateness = Lateness,
            ParallelismFactor = 2,
            Parser = new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) },
        };
        await using (var engine = await EngineWindowTests.StartedAsync(config, clock, sink, late))
        {
            await EngineWindowTests.AcceptAllAsync(engine, events);
            await engine.DrainAsync();
            clock.Advance(TimeSpan.FromHours(3)); // the watermark passes every window
            await engine.DrainAsync();
            Assert.Empty(engine.QueryOpenWindows());
        }

        return [.. sink.Results];
    }

    private sealed class CollectingSink : IWindowSink
    {
        public ConcurrentQueue<WindowResult> Results { get; } = new();

        public ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            foreach (var r in results)
            {
                Results.Enqueue(r);
            }

            return ValueTask.CompletedTask;
        }
    }
}
