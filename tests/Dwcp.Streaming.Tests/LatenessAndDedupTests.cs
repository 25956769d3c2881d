using Dwcp.Streaming.Dedup;

namespace Dwcp.Streaming.Tests;

public class LatenessAndDedupTests
{
    private static StreamingConfig Config(TimeSpan lateness) => new()
    {
        WindowSizes = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)],
        AllowedLateness = lateness,
        ParallelismFactor = 2,
        Parser = new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) },
    };

    [Fact]
    public async Task Late_events_are_counted_routed_to_the_late_sink_and_still_count_in_open_windows()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var late = new InMemoryLateEventSink();
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromSeconds(10)), clock, late: late);
        // 08:03:30 moves the watermark to 08:03:20, closing the 08:02 one-minute window (and all before).
        await engine.TryAcceptAsync([TestData.Event("now", TestData.T0.AddSeconds(210), ("v", 1))]);
        var result = await engine.TryAcceptAsync([
            TestData.Event("late-1m", TestData.T0.AddSeconds(150), ("v", 10)),   // 08:02:30: 1-min window closed, 5-min window open
            TestData.Event("on-time", TestData.T0.AddSeconds(201), ("v", 100)),  // 08:03:21: inside open windows
        ]);
        await engine.DrainAsync();
        Assert.Equal((2, 1), (result.Accepted, result.Late));
        var routed = Assert.Single(late.Snapshot());
        Assert.Equal("late-1m", routed.Event.EventId);
        Assert.Equal([TimeSpan.FromMinutes(1)], routed.MissedWindows);
        Assert.True(routed.AggregatedElsewhere);
        Assert.Equal(TestData.T0.AddSeconds(200), routed.Watermark);
        var five = Assert.Single(engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(5) }));
        Assert.Equal(111, five.Metric("v")!.Sum); // the late event still counts in the 5-minute window
        var oneMinute = engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(1) });
        Assert.Equal(101, Assert.Single(oneMinute).Metric("v")!.Sum);
        Assert.Equal(1, engine.GetMetrics().Late);
        Assert.Equal(1, late.TotalCount);
    }

    [Fact]
    public async Task An_event_behind_every_closed_window_is_routed_not_dropped()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var late = new InMemoryLateEventSink(capacity: 2);
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.Zero), clock, late: late);
        await engine.TryAcceptAsync([TestData.Event("new", TestData.T0.AddMinutes(30), ("v", 1))]);
        var result = await engine.TryAcceptAsync([
            TestData.Event("old-1", TestData.T0, ("v", 1)),
            TestData.Event("old-2", TestData.T0.AddMinutes(1), ("v", 1)),
            TestData.Event("old-3", TestData.T0.AddMinutes(2), ("v", 1)),
        ]);
        await engine.DrainAsync();
        Assert.Equal((3, 3), (result.Accepted, result.Late));
        Assert.Equal(3, late.TotalCount);
        Assert.Equal(["old-2", "old-3"], late.Snapshot().Select(l => l.Event.EventId)); // bounded list keeps the latest
        Assert.All(late.Snapshot(), l => Assert.False(l.AggregatedElsewhere));
        var closedSum = engine.QueryClosedWindows().Sum(r => r.EventCount);
        var openSum = engine.QueryOpenWindows().Sum(r => r.EventCount);
        Assert.Equal(2, openSum + closedSum); // only "new", in its 1- and 5-minute windows
    }

    [Fact]
    public async Task Duplicate_ids_within_retention_count_once_and_after_retention_count_again()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var config = Config(TimeSpan.FromHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(config, clock);
        var first = await engine.TryAcceptAsync([
            TestData.Event("x", TestData.T0, ("v", 1)),
            TestData.Event("x", TestData.T0, ("v", 1)),      // same batch
        ]);
        var second = await engine.ProcessAsync(TestData.Event("x", TestData.T0.AddSeconds(30), ("v", 5))); // other batch, other content
        // Far beyond the 2-minute retention of event time, the id is forgotten.
        await engine.ProcessAsync(TestData.Event("filler", TestData.T0.AddMinutes(10), ("v", 0)));
        var third = await engine.ProcessAsync(TestData.Event("x", TestData.T0.AddMinutes(10), ("v", 7)));
        await engine.DrainAsync();
        Assert.Equal((1, 1), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 1), (second.Accepted, second.Duplicates));
        Assert.Equal((1, 0), (third.Accepted, third.Duplicates));
        Assert.Equal(2, engine.GetMetrics().Duplicates);
        var fiveMinute = engine.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(5) });
        Assert.Equal([1.0, 7.0], fiveMinute.Select(r => r.Metric("v")!.Sum));
    }

    [Fact]
    public void Duplicate_filter_stays_within_its_memory_budget_and_counts_early_evictions()
    {
        const long budget = 256 * 1024;
        var filter = new DuplicateFilter(TimeSpan.FromMinutes(2), budget);
        var random = new Random(9);
        long maxSeen = 0;
        for (var i = 0; i < 200_000; i++)
        {
            // 200k distinct ids within 2 minutes of event time: far more than 256 KiB can hold at 16 bytes each.
            filter.TryAdd(DuplicateFilter.Fingerprint("id-" + i), TimeSpan.FromSeconds(random.NextDouble() * 120).Ticks);
            maxSeen = Math.Max(maxSeen, filter.MemoryBytes);
        }

        Assert.InRange(maxSeen, budget / 2, budget);
        Assert.True(filter.EarlyEvictions > 0);
    }

    [Fact]
    public void Duplicate_filter_finds_every_repeat_when_the_budget_suffices()
    {
        var filter = new DuplicateFilter(TimeSpan.FromMinutes(2), 64L * 1024 * 1024);
        var random = new Random(4);
        var ids = Enumerable.Range(0, 50_000).Select(i => "evt-" + i).ToArray();
        var seen = new HashSet<string>();
        var duplicates = 0;
        var expected = 0;
        for (var i = 0; i < 100_000; i++)
        {
            var id = ids[random.Next(ids.Length)];
            expected += seen.Add(id) ? 0 : 1;
            duplicates += filter.TryAdd(DuplicateFilter.Fingerprint(id), TimeSpan.FromSeconds(i * 60.0 / 100_000).Ticks) ? 0 : 1;
        }

        Assert.Equal(expected, duplicates);
        Assert.Equal(0, filter.EarlyEvictions);
        Assert.Equal(seen.Count, filter.Count);
        Assert.True(filter.MemoryBytes <= 32L * seen.Count + (5 * 8192), $"{filter.MemoryBytes} bytes for {seen.Count} ids");
    }
}
