namespace Dwcp.Streaming.Tests;

/// <summary>
/// Closed windows' results are built and emitted by each partition's closer task, not by the worker that applies
/// events: a close (or a slow sink behind it) must not hold up the batches queued after it, and panes retired at a
/// close must not be reused while the closer still reads them.
/// </summary>
[Collection("Memory-measuring")] // blocks a sink: keep it away from timing-sensitive neighbours
public class CloserTests
{
    private static StreamingConfig Config(params TimeSpan[] sizes) => new()
    {
        WindowSizes = [.. sizes],
        AllowedLateness = TimeSpan.Zero,
        ParallelismFactor = 1,
        SinkQueueCapacity = 1, // the second queued batch of closed windows already makes the publisher wait
    };

    [Fact]
    public async Task Events_after_a_close_become_queryable_while_the_closer_waits_for_a_blocked_sink()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var sink = new BlockingSink();
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromMinutes(1)), clock, sink);
        await engine.ProcessAsync(TestData.Event("e0", TestData.T0, ("v", 0)));
        await engine.ProcessAsync(TestData.Event("e1", TestData.T0.AddMinutes(1), ("v", 1))); // closes 08:00
        await sink.FirstCallStarted.Task;                                                      // the sink is now blocked
        await engine.ProcessAsync(TestData.Event("e2", TestData.T0.AddMinutes(2), ("v", 2))); // 08:01 waits in the sink queue
        await engine.ProcessAsync(TestData.Event("e3", TestData.T0.AddMinutes(3), ("v", 3))); // 08:02: the closer now waits
        await engine.ProcessAsync(TestData.Event("e4", TestData.T0.AddMinutes(4), ("v", 4)));
        await engine.ProcessAsync(TestData.Event("e5", TestData.T0.AddMinutes(5).AddSeconds(7), ("v", 5)));

        try
        {
            // The worker went on applying: the open window of the last event shows it although the sink is still blocked.
            await WaitUntilAsync(() => engine.QueryOpenWindows().Any(w => w.Start == TestData.T0.AddMinutes(5) && w.EventCount == 1));
            Assert.Single(sink.Calls);
            Assert.Equal(6, engine.GetMetrics().Accepted);
        }
        finally
        {
            sink.Release.TrySetResult(); // a failed assertion must not leave the engine's disposal waiting on the sink
        }

        await engine.DrainAsync();
        var written = sink.Calls.SelectMany(c => c).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(m => TestData.T0.AddMinutes(m)), written.Select(r => r.Start));
        Assert.Equal(Enumerable.Range(0, 5).Select(m => (double)m), written.Select(r => r.Metric("v")!.Sum));
        Assert.All(written, r => Assert.True(r.IsFinal));
        Assert.Equal(5, engine.GetMetrics().WindowsClosed);
    }

    [Fact]
    public async Task Windows_closed_while_the_closer_is_held_up_equal_a_brute_force_once_it_resumes()
    {
        // In time order with no lateness, so every event is on time and the brute force is a plain group-by. While the
        // sink blocks, the worker keeps closing 1- and 5-minute windows and retiring panes; if a retired pane were reused
        // before the closer had read it, the held-up windows' results would mix in later events.
        var events = TestData.Generate(seed: 41, count: 3000, span: TimeSpan.FromMinutes(12), duplicateShare: 0)
            .OrderBy(e => e.Timestamp).ToList();
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var sink = new BlockingSink();
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)), clock, sink);
        await EngineWindowTests.AcceptAllAsync(engine, events, batchSize: 100);
        await engine.ProcessAsync(new StreamEvent { EventId = "close", Timestamp = TestData.T0.AddMinutes(30), EventType = "metric" });
        try
        {
            await sink.FirstCallStarted.Task;
            await WaitUntilAsync(() => engine.GetMetrics().BufferedEvents == 0); // every batch applied with the closer held up
            Assert.Single(sink.Calls);
        }
        finally
        {
            sink.Release.TrySetResult();
        }

        await engine.DrainAsync();
        var written = sink.Calls.SelectMany(c => c).ToList();
        foreach (var minutes in new[] { 1, 5 })
        {
            var size = TimeSpan.FromMinutes(minutes);
            TestData.AssertMatches(TestData.BruteForce(events, size, size), written.Where(r => r.Size == size));
        }

        Assert.Equal(3000, written.Where(r => r.Size == TimeSpan.FromMinutes(1)).Sum(r => r.EventCount));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private sealed class BlockingSink : IWindowSink
    {
        public List<IReadOnlyList<WindowResult>> Calls { get; } = [];

        public TaskCompletionSource FirstCallStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            lock (Calls)
            {
                Calls.Add([.. results]);
            }

            FirstCallStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
        }
    }
}
