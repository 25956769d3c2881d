namespace Dwcp.Streaming.Tests;

public class EngineWindowTests
{
    internal static StreamingConfig Config(Func<StreamingConfig, StreamingConfig>? change = null, TimeSpan? lateness = null) =>
        new()
        {
            WindowSizes = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)],
            AllowedLateness = lateness ?? TimeSpan.FromHours(1),
            ParallelismFactor = 3,
            MaxLatencyMs = 2000,
            Parser = new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) },
        };

    internal static async Task<RealtimeEngine> StartedAsync(StreamingConfig config, FakeClock clock, IWindowSink? sink = null, ILateEventSink? late = null)
    {
        var engine = new RealtimeEngine(config, clock, sink, late);
        await engine.StartAsync();
        return engine;
    }

    internal static async Task AcceptAllAsync(RealtimeEngine engine, IReadOnlyList<StreamEvent> events, int batchSize = 250)
    {
        for (var i = 0; i < events.Count; i += batchSize)
        {
            var result = await engine.TryAcceptAsync(events.Skip(i).Take(batchSize).ToList());
            Assert.Equal(AcceptStatus.Accepted, result.Status);
        }
    }

    [Fact]
    public async Task Open_and_closed_windows_match_a_brute_force_computation()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await StartedAsync(Config(), clock);
        var events = TestData.Generate(seed: 11, count: 6000, span: TimeSpan.FromMinutes(40));
        await AcceptAllAsync(engine, events);
        await engine.DrainAsync();
        var unique = TestData.Unique(events);
        var metrics = engine.GetMetrics();
        Assert.Equal(unique.Count, metrics.Accepted);
        Assert.Equal(events.Count - unique.Count, metrics.Duplicates);
        Assert.Equal(0, metrics.Late);

        foreach (var minutes in new[] { 1, 5, 15 })
        {
            var size = TimeSpan.FromMinutes(minutes);
            var open = engine.QueryOpenWindows(new WindowQuery { WindowSize = size });
            Assert.All(open, r => Assert.False(r.IsFinal));
            TestData.AssertMatches(TestData.BruteForce(unique, size, size), open);
        }

        clock.Advance(TimeSpan.FromHours(3)); // the watermark advances by processing time and closes everything
        await engine.DrainAsync();
        Assert.Empty(engine.QueryOpenWindows());
        foreach (var minutes in new[] { 1, 5, 15 })
        {
            var size = TimeSpan.FromMinutes(minutes);
            var closed = engine.QueryClosedWindows(new WindowQuery { WindowSize = size });
            Assert.All(closed, r => Assert.True(r.IsFinal));
            TestData.AssertMatches(TestData.BruteForce(unique, size, size), closed);
            Assert.Equal(unique.Count, closed.Where(r => r.Size == size).Sum(r => r.EventCount));
        }
    }

    [Fact]
    public async Task Sliding_windows_match_a_brute_force_computation()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var config = new StreamingConfig
        {
            WindowSizes = [],
            SlidingWindows = [new SlidingWindow(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1))],
            AllowedLateness = TimeSpan.FromHours(1),
            ParallelismFactor = 2,
        };
        await using var engine = await StartedAsync(config, clock);
        var events = TestData.Generate(seed: 5, count: 2000, span: TimeSpan.FromMinutes(12));
        await AcceptAllAsync(engine, events);
        await engine.DrainAsync();
        var open = engine.QueryOpenWindows();
        Assert.All(open, r => Assert.True(r.IsSliding));
        TestData.AssertMatches(TestData.BruteForce(TestData.Unique(events), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)), open);
        // every event is in exactly size/slide = 5 windows
        Assert.Equal(5L * TestData.Unique(events).Count, open.Sum(r => r.EventCount));
    }

    [Fact]
    public async Task Tumbling_window_boundaries_are_start_inclusive_and_end_exclusive()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await StartedAsync(Config(), clock);
        var boundary = TestData.T0.AddMinutes(5); // 08:05 starts a 1-, 5- window; inside the 08:00 15-min window
        await engine.TryAcceptAsync([
            TestData.Event("a", boundary.AddTicks(-1), ("v", 1)),
            TestData.Event("b", boundary, ("v", 10)),
            TestData.Event("c", boundary.AddMinutes(1).AddTicks(-1), ("v", 100)),
        ]);
        await engine.DrainAsync();
        var oneMinute = engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(1) });
        Assert.Equal([(boundary.AddMinutes(-1), 1.0), (boundary, 110.0)], oneMinute.Select(r => (r.Start, r.Metric("v")!.Sum)));
        Assert.All(oneMinute, r => Assert.Equal(r.Start + TimeSpan.FromMinutes(1), r.End));
        var fiveMinutes = engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(5) });
        Assert.Equal([(TestData.T0, 1.0), (boundary, 110.0)], fiveMinutes.Select(r => (r.Start, r.Metric("v")!.Sum)));
        var fifteen = Assert.Single(engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(15) }));
        Assert.Equal((TestData.T0, 111.0, 100.0), (fifteen.Start, fifteen.Metric("v")!.Sum, fifteen.Metric("v")!.Last));
    }

    [Fact]
    public async Task Queries_filter_by_metric_event_type_and_dimension()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await StartedAsync(Config(), clock);
        var events = TestData.Generate(seed: 2, count: 500, span: TimeSpan.FromMinutes(3));
        await AcceptAllAsync(engine, events);
        await engine.DrainAsync();
        var query = new WindowQuery
        {
            Metrics = ["cpu"],
            EventType = "cost",
            WindowSize = TimeSpan.FromMinutes(5),
            Dimensions = new Dictionary<string, string> { ["provider"] = "gcp" },
        };
        var results = engine.QueryOpenWindows(query);
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            Assert.Equal(("cost", "gcp"), (r.Series.EventType, r.Series.Provider));
            Assert.Equal(["cpu"], r.Metrics.Select(m => m.Metric));
        });
        var expected = TestData.Unique(events).Where(e => e.EventType == "cost" && e.Provider == "gcp" && e.TryGetMetric("cpu", out _)).Count();
        Assert.Equal(expected, results.Sum(r => r.Metric("cpu")!.Count));
    }

    [Fact]
    public async Task Series_beyond_the_per_window_limit_fold_into_the_overflow_series()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var config = new StreamingConfig { WindowSizes = [TimeSpan.FromMinutes(1)], MaxSeriesPerWindow = 2, ParallelismFactor = 1, AllowedLateness = TimeSpan.FromHours(1) };
        await using var engine = await StartedAsync(config, clock);
        var events = Enumerable.Range(0, 5).Select(i => TestData.Event("o" + i, TestData.T0, ("v", i)) is var e ? new StreamEvent
        {
            EventId = e.EventId, Timestamp = e.Timestamp, Metrics = e.Metrics, Account = "acct-" + i,
        } : null!).ToList();
        await engine.TryAcceptAsync(events);
        await engine.DrainAsync();
        var results = engine.QueryOpenWindows();
        Assert.Equal(3, results.Count);
        var overflow = Assert.Single(results, r => r.Series.Account == SeriesKey.OverflowValue);
        Assert.Equal((3L, 2.0 + 3 + 4), (overflow.EventCount, overflow.Metric("v")!.Sum));
        Assert.Equal(3, engine.GetMetrics().SeriesOverflow);
    }
}
