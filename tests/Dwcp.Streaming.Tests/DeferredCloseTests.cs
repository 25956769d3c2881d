using System.Collections.Concurrent;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// A partition worker defers closing windows while more batches are queued behind the current one (at most
/// <c>Partition.MaxDeferredCloses</c> in a row), so queued batches do not wait for the pane merge. These tests check that
/// the deferred closes give exactly the windows of closing after every batch, and that the backpressure path (a held sink,
/// a full one-slot sink queue, a full input buffer) neither deadlocks nor loses events, over many seeded iterations.
/// </summary>
[Collection("Memory-measuring")] // allocation-heavy: not beside EngineFlowTests' memory check
public class DeferredCloseTests
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60); // turns a deadlock into a failure; not a timing assertion

    private static StreamingConfig Config(int buffer, int sinkQueue, TimeSpan lateness) => new()
    {
        WindowSizes = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)],
        SlidingWindows = [new SlidingWindow(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2))],
        AllowedLateness = lateness,
        ParallelismFactor = 2,
        BufferSize = buffer,
        SinkQueueCapacity = sinkQueue,
        AdmissionQueueDelay = TimeSpan.Zero, // paused workers must not make accepts wait in real time
        Parser = new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) },
    };

    [Fact]
    public async Task Closes_deferred_behind_queued_batches_equal_closing_after_every_batch()
    {
        var events = TestData.Generate(seed: 41, count: 4000, span: TimeSpan.FromMinutes(40));
        var lateness = TimeSpan.FromSeconds(10); // < the ±20 s disorder: late events take the windows' own-state path too

        // Reference: every batch applied and closed on its own (the drain's barrier is queued behind it, so no deferral).
        var oneByOne = new CollectingSink();
        var clock = new FakeClock(TestData.T0 + TimeSpan.FromHours(2));
        await using (var engine = new RealtimeEngine(Config(10_000, 1024, lateness), clock, oneByOne))
        {
            await engine.StartAsync();
            foreach (var batch in events.Chunk(100))
            {
                Assert.Equal(AcceptStatus.Accepted, (await engine.TryAcceptAsync(batch)).Status);
                await engine.DrainAsync().WaitAsync(HangGuard);
            }

            Assert.Equal(0, engine.DeferredCloses);
            await engine.StopAsync();
        }

        // Deferred: all 40 batches queued while the workers are paused, then applied back to back.
        var deferred = new CollectingSink();
        await using (var engine = new RealtimeEngine(Config(10_000, 1024, lateness), new FakeClock(TestData.T0 + TimeSpan.FromHours(2)), deferred))
        {
            await engine.StartAsync();
            engine.PauseWorkers(true);
            foreach (var batch in events.Chunk(100))
            {
                Assert.Equal(AcceptStatus.Accepted, (await engine.TryAcceptAsync(batch)).Status);
            }

            engine.PauseWorkers(false);
            await engine.DrainAsync().WaitAsync(HangGuard);
            Assert.True(engine.DeferredCloses > 0, "the queued batches should have deferred some closes");
            Assert.Equal(0, engine.GetMetrics().LatencyPromiseBroken); // the fake clock does not move
            await engine.StopAsync();
        }

        var expected = oneByOne.Results.ToDictionary(Key);
        var actual = deferred.Results.ToDictionary(Key);
        Assert.True(expected.Count > 500, $"{expected.Count} closed windows"); // 40 minutes × 4 window kinds × many series
        Assert.Equal(expected.Keys.Order().ToList(), actual.Keys.Order().ToList());
        foreach (var (key, e) in expected)
        {
            var a = actual[key];
            Assert.Equal(e.EventCount, a.EventCount);
            Assert.Equal(e.Metrics.Select(m => (m.Metric, m.Count, m.Min, m.Max, m.Last, m.LastTimestamp, m.P50, m.P95, m.P99)),
                a.Metrics.Select(m => (m.Metric, m.Count, m.Min, m.Max, m.Last, m.LastTimestamp, m.P50, m.P95, m.P99)));
            foreach (var (em, am) in e.Metrics.Zip(a.Metrics))
            {
                Assert.Equal(em.Sum, am.Sum, Math.Max(1e-9, Math.Abs(em.Sum) * 1e-12)); // only the order of additions may differ
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task A_held_sink_with_a_full_close_queue_fills_the_buffer_and_loses_nothing_once_released(int seed)
    {
        // In event-time order with no lateness, every minute boundary closes windows. The sink holds its first write, the
        // one-slot sink queue fills, the worker that closes next waits, and its queue fills the 200-event input buffer.
        var events = TestData.Generate(seed, count: 3000, span: TimeSpan.FromMinutes(10), duplicateShare: 0)
            .OrderBy(e => e.Timestamp).ToList();
        var sink = new HeldSink();
        await using var engine = new RealtimeEngine(Config(buffer: 200, sinkQueue: 1, lateness: TimeSpan.Zero), new FakeClock(TestData.T0 + TimeSpan.FromHours(1)), sink);
        await engine.StartAsync();
        var next = 0;
        try
        {
            // Feed until the engine stops taking batches: a BufferFull can be transient (workers catching up), but with the
            // sink held every partition eventually waits on its close, so the buffer stays full (200 refusals in a row).
            var refusedInARow = 0;
            while (next < events.Count && refusedInARow < 200)
            {
                var batch = events.Skip(next).Take(50).ToList();
                var result = await engine.TryAcceptAsync(batch).AsTask().WaitAsync(HangGuard);
                if (result.Status == AcceptStatus.BufferFull)
                {
                    Assert.Equal(0, result.Accepted); // a refused batch is not taken at all
                    refusedInARow++;
                    await Task.Delay(5);
                }
                else
                {
                    Assert.Equal(batch.Count, result.Accepted);
                    refusedInARow = 0;
                    next += batch.Count;
                }
            }

            Assert.True(next < events.Count, "the held sink should have stopped ingest before the end");
            await WaitUntilAsync(() => sink.Calls >= 1);
        }
        finally
        {
            sink.Release(); // also on failure: disposing the engine waits for the sink
        }

        while (next < events.Count)
        {
            var batch = events.Skip(next).Take(50).ToList();
            var result = await engine.TryAcceptAsync(batch).AsTask().WaitAsync(HangGuard);
            if (result.Status == AcceptStatus.BufferFull)
            {
                await Task.Delay(5); // the released workers drain the buffer
                continue;
            }

            next += batch.Count;
        }

        await engine.DrainAsync().WaitAsync(HangGuard);
        var metrics = engine.GetMetrics();
        Assert.Equal(events.Count, metrics.Accepted);
        Assert.Equal(0, metrics.Late);
        var counted = engine.QueryClosedWindows().Concat(engine.QueryOpenWindows()).Where(w => w.Size == TimeSpan.FromMinutes(1)).Sum(w => w.EventCount);
        Assert.Equal(events.Count, counted); // every event in exactly one 1-minute window, closed or open
        Assert.Equal(events.Count, sink.Written.Where(w => w.Size == TimeSpan.FromMinutes(1)).Sum(w => w.EventCount)
            + engine.QueryOpenWindows().Where(w => w.Size == TimeSpan.FromMinutes(1)).Sum(w => w.EventCount)); // and the sink got every closed one
        await engine.StopAsync().WaitAsync(HangGuard);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached (hang guard)");
            await Task.Delay(10);
        }
    }

    private static (DateTimeOffset Start, TimeSpan Size, TimeSpan Slide, string Series) Key(WindowResult r) => (r.Start, r.Size, r.Slide, TestData.SeriesOf(r.Series));

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

    private sealed class HeldSink : IWindowSink
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public ConcurrentQueue<WindowResult> Written { get; } = new();

        public int Calls => Volatile.Read(ref _calls);

        public void Release() => _release.TrySetResult();

        public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await _release.Task.WaitAsync(cancellationToken);
            foreach (var r in results)
            {
                Written.Enqueue(r);
            }
        }
    }
}
