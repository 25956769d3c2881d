namespace Dwcp.Streaming.Tests;

[Collection("Memory-measuring")] // its memory check must not run beside the allocation-heavy pane-merge tests
public class EngineFlowTests
{
    private static StreamingConfig Config(int buffer = 10_000, int maxLatencyMs = 2000, TimeSpan? lateness = null) => new()
    {
        WindowSizes = [TimeSpan.FromMinutes(1)],
        AllowedLateness = lateness ?? TimeSpan.FromSeconds(5),
        BufferSize = buffer,
        MaxLatencyMs = maxLatencyMs,
        ParallelismFactor = 2,
    };

    [Fact]
    public async Task A_full_buffer_refuses_batches_with_a_retry_after_and_memory_stays_bounded()
    {
        var clock = new FakeClock(TestData.T0.AddMinutes(1));
        await using var engine = await EngineWindowTests.StartedAsync(Config(buffer: 100), clock);
        engine.PauseWorkers(true);
        var events = TestData.Generate(seed: 1, count: 20_000, span: TimeSpan.FromMinutes(1), duplicateShare: 0);
        try
        {
            var first = await engine.TryAcceptAsync(events.Take(100).ToList());
            Assert.Equal((AcceptStatus.Accepted, 100), (first.Status, first.Accepted));
            var refused = await engine.TryAcceptAsync(events.Skip(100).Take(1).ToList());
            Assert.Equal(AcceptStatus.BufferFull, refused.Status);
            Assert.Equal(0, refused.Accepted);
            Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(5));

            GC.Collect();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            for (var i = 100; i < events.Count; i += 10)
            {
                Assert.Equal(AcceptStatus.BufferFull, (await engine.TryAcceptAsync(events.Skip(i).Take(10).ToList())).Status);
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);
            Assert.True(after - before < 512 * 1024, $"memory grew by {after - before} bytes while refusing");
            var metrics = engine.GetMetrics();
            Assert.Equal(100, metrics.BufferedEvents);
            Assert.Equal(1 + ((events.Count - 100) / 10), metrics.BufferFullRejections);
            Assert.Equal(100, metrics.Accepted);
        }
        finally
        {
            // Even when an assertion above fails, let the workers run again so that disposing the engine can drain.
            engine.PauseWorkers(false);
        }

        await engine.DrainAsync();
        Assert.Equal(0, engine.GetMetrics().BufferedEvents);
        Assert.Equal(AcceptStatus.Accepted, (await engine.TryAcceptAsync(events.Skip(100).Take(100).ToList())).Status);
        Assert.Throws<ArgumentException>(() => engine.TryAcceptAsync(events.Take(101).ToList()).AsTask().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Closed_windows_are_emitted_after_the_watermark_passes_their_end_within_the_latency_promise()
    {
        var start = TestData.T0.AddSeconds(10);
        var clock = new FakeClock(start);
        await using var engine = await EngineWindowTests.StartedAsync(Config(maxLatencyMs: 2000, lateness: TimeSpan.FromSeconds(5)), clock);
        using var subscription = engine.Subscribe();
        await engine.ProcessAsync(TestData.Event("a", TestData.T0.AddSeconds(10), ("v", 1))); // max event 08:00:10, watermark 08:00:05
        // With no more events the watermark advances by processing time: it reaches 08:01:00 at 08:01:05 on the clock.
        var passedAt = TestData.T0.AddSeconds(65);
        DateTimeOffset? emittedAt = null;
        while (clock.GetUtcNow() < passedAt.AddSeconds(5))
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await engine.DrainAsync();
            if (emittedAt is null && subscription.TryRead(out var result))
            {
                emittedAt = clock.GetUtcNow();
                Assert.True(result.IsFinal);
                Assert.Equal(TestData.T0, result.Start);
            }
        }

        Assert.NotNull(emittedAt);
        Assert.InRange(emittedAt!.Value, passedAt, passedAt.AddMilliseconds(2000));
        Assert.Equal(0, engine.GetMetrics().LatencyPromiseBroken);
        Assert.Equal(1, engine.GetMetrics().WindowsClosed);
    }

    [Fact]
    public async Task A_window_emitted_late_is_counted_as_a_broken_latency_promise()
    {
        var clock = new FakeClock(TestData.T0.AddSeconds(10));
        await using var engine = await EngineWindowTests.StartedAsync(Config(maxLatencyMs: 2000, lateness: TimeSpan.FromSeconds(5)), clock);
        await engine.ProcessAsync(TestData.Event("a", TestData.T0.AddSeconds(10), ("v", 1)));
        await engine.DrainAsync();
        engine.PauseWorkers(true); // a stalled worker: the watermark passes 08:01:00 at 08:01:05 but nothing can emit it
        clock.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(0, engine.GetMetrics().WindowsClosed);
        engine.PauseWorkers(false); // emitted at 08:01:10, 5 s after the watermark passed the end: promise (2 s) broken
        await engine.DrainAsync();
        Assert.Equal(1, engine.GetMetrics().WindowsClosed);
        Assert.Equal(1, engine.GetMetrics().LatencyPromiseBroken);
    }

    [Fact]
    public async Task A_slow_subscriber_loses_the_oldest_results_without_blocking_ingest()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(Config(lateness: TimeSpan.Zero), clock);
        using var slow = engine.Subscribe(capacity: 2);
        using var fast = engine.Subscribe(capacity: 100);
        for (var minute = 0; minute <= 5; minute++)
        {
            var result = await engine.ProcessAsync(TestData.Event("m" + minute, TestData.T0.AddMinutes(minute), ("v", minute)));
            Assert.Equal(AcceptStatus.Accepted, result.Status);
        }

        await engine.DrainAsync(); // windows 08:00 … 08:04 are closed (watermark 08:05)
        Assert.Equal(3, slow.Dropped);
        Assert.Equal(3, engine.GetMetrics().SubscriberDrops);
        var kept = new List<WindowResult>();
        while (slow.TryRead(out var r))
        {
            kept.Add(r);
        }

        Assert.Equal([TestData.T0.AddMinutes(3), TestData.T0.AddMinutes(4)], kept.Select(r => r.Start));
        var all = new List<WindowResult>();
        while (fast.TryRead(out var r))
        {
            all.Add(r);
        }

        Assert.Equal(5, all.Count);
        Assert.Equal(0, fast.Dropped);
    }

    [Fact]
    public async Task Window_sink_receives_every_closed_window_and_metrics_expose_a_cumulative_latency_histogram()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var sink = new ListSink();
        await using var engine = await EngineWindowTests.StartedAsync(Config(lateness: TimeSpan.Zero), clock, sink);
        for (var minute = 0; minute < 10; minute++)
        {
            await engine.TryAcceptAsync([TestData.Event("s" + minute, TestData.T0.AddMinutes(minute), ("v", 1)), TestData.Event("t" + minute, TestData.T0.AddMinutes(minute).AddSeconds(1), ("v", 2))]);
        }

        await engine.DrainAsync();
        Assert.Equal(9, sink.Results.Count);
        Assert.All(sink.Results, r => Assert.Equal(3, r.Metric("v")!.Sum));
        var histogram = engine.GetMetrics().AcceptToQueryableLatency;
        Assert.Equal(10, histogram.Count);
        Assert.Equal(double.PositiveInfinity, histogram.UpperBoundsSeconds[^1]);
        Assert.Equal(histogram.Count, histogram.CumulativeCounts[^1]);
        Assert.Equal(histogram.CumulativeCounts.Order(), histogram.CumulativeCounts);
        Assert.Equal(10, histogram.CumulativeCounts[0]); // the fake clock does not move during a batch: 0 s latency
    }

    [Fact]
    public async Task Ndjson_accept_path_reports_parse_errors_with_line_numbers_and_counts_good_lines()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(Config(lateness: TimeSpan.FromHours(1)), clock);
        var body = System.Text.Encoding.UTF8.GetBytes("""
            {"event_id":"1","timestamp":"2026-11-28T08:00:00Z","metrics":{"v":1}}
            {"event_id":"2","timestamp":"2026-11-28T08:00:00Z","metrics":{"v":"x"}}
            {"event_id":"1","timestamp":"2026-11-28T08:00:01Z","metrics":{"v":1}}
            {"event_id":"3","timestamp":"2026-11-28T08:00:02Z","metrics":{"v":2}}
            """);
        var result = await engine.TryAcceptNdjsonAsync(body);
        Assert.Equal((2, 1, 1), (result.Accepted, result.Rejected, result.Duplicates));
        Assert.Equal(2, Assert.Single(result.Errors).LineNumber);
        await engine.DrainAsync();
        Assert.Equal(3, Assert.Single(engine.QueryOpenWindows()).Metric("v")!.Sum);
    }

    private sealed class ListSink : IWindowSink
    {
        public List<WindowResult> Results { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            lock (Results)
            {
                Results.AddRange(results);
            }

            return ValueTask.CompletedTask;
        }
    }
}
