namespace Dwcp.Streaming.Tests;

/// <summary>Admission pacing, the sink's group commit and batched subscription reads.</summary>
[Collection("Memory-measuring")] // pauses workers and blocks a sink: keep it away from timing-sensitive neighbours
public class PacingAndGroupCommitTests
{
    private static StreamingConfig Config(TimeSpan admissionDelay, TimeSpan admissionMaxWait, int buffer = 10_000) => new()
    {
        WindowSizes = [TimeSpan.FromMinutes(1)],
        AllowedLateness = TimeSpan.Zero,
        BufferSize = buffer,
        ParallelismFactor = 1,
        AdmissionQueueDelay = admissionDelay,
        AdmissionMaxWait = admissionMaxWait,
    };

    [Fact]
    public async Task A_batch_waits_for_the_workers_while_the_queue_is_over_the_admission_target_then_is_accepted()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        // A 1-tick target: any queued event is "too much", so the second batch must wait for the first to be applied.
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromTicks(1), TimeSpan.FromHours(1)), clock);
        var events = TestData.Generate(seed: 5, count: 200, span: TimeSpan.FromSeconds(50), duplicateShare: 0);
        engine.PauseWorkers(true);
        var first = await engine.TryAcceptAsync(events.Take(100).ToList()); // empty queue: admitted at once
        Assert.Equal((AcceptStatus.Accepted, 100), (first.Status, first.Accepted));

        var second = engine.TryAcceptAsync(events.Skip(100).ToList()).AsTask();
        await Task.Delay(200);
        Assert.False(second.IsCompleted); // paced, not refused: nothing of it was taken yet
        Assert.Equal(100, engine.GetMetrics().Accepted);
        Assert.Equal(0, engine.GetMetrics().BufferFullRejections);

        engine.PauseWorkers(false);
        var result = await second;
        Assert.Equal((AcceptStatus.Accepted, 100), (result.Status, result.Accepted));
        await engine.DrainAsync();
        Assert.Equal(200, engine.QueryOpenWindows().Sum(w => w.EventCount)); // 200 distinct ids, all in minute 0
    }

    [Fact]
    public async Task A_batch_that_cannot_fit_the_buffer_is_refused_at_once_even_while_pacing()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromTicks(1), TimeSpan.FromHours(1), buffer: 150), clock);
        var events = TestData.Generate(seed: 6, count: 200, span: TimeSpan.FromSeconds(50), duplicateShare: 0);
        engine.PauseWorkers(true);
        try
        {
            Assert.Equal(AcceptStatus.Accepted, (await engine.TryAcceptAsync(events.Take(100).ToList())).Status);
            var refused = await engine.TryAcceptAsync(events.Skip(100).Take(100).ToList()); // 100 + 100 > 150: no wait
            Assert.Equal(AcceptStatus.BufferFull, refused.Status);
            Assert.Equal(1, engine.GetMetrics().BufferFullRejections);
        }
        finally
        {
            engine.PauseWorkers(false);
        }

        await engine.DrainAsync();
        Assert.Equal(100, engine.QueryOpenWindows().Sum(w => w.EventCount));
    }

    [Fact]
    public async Task Windows_closed_while_the_sink_writes_reach_it_as_one_group_in_closing_order()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var sink = new BlockingSink();
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), clock, sink);
        await engine.ProcessAsync(TestData.Event("e0", TestData.T0, ("v", 0)));
        await engine.ProcessAsync(TestData.Event("e1", TestData.T0.AddMinutes(1), ("v", 1))); // closes 08:00
        await sink.FirstCallStarted.Task;                                                      // the sink is now blocked
        for (var minute = 2; minute <= 6; minute++)
        {
            await engine.ProcessAsync(TestData.Event("e" + minute, TestData.T0.AddMinutes(minute), ("v", minute))); // closes minute-1
        }

        await WaitUntilAsync(() => engine.GetMetrics().WindowsClosed == 6);
        sink.Release.TrySetResult();
        await engine.DrainAsync();

        Assert.Equal(2, sink.Calls.Count); // 08:00 alone, then 08:01 … 08:05 grouped
        Assert.Equal([TestData.T0], sink.Calls[0].Select(r => r.Start));
        Assert.Equal(Enumerable.Range(1, 5).Select(m => TestData.T0.AddMinutes(m)), sink.Calls[1].Select(r => r.Start));
        Assert.Equal(Enumerable.Range(0, 6).Select(m => (double)m), sink.Calls.SelectMany(c => c).Select(r => r.Metric("v")!.Sum));
    }

    [Fact]
    public async Task A_subscriber_reads_every_result_of_large_batches_in_order_through_chunked_reads()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(Config(TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1)), clock);
        using var subscription = engine.Subscribe(capacity: 10_000);
        // 300 series in minute 0 (more than several read chunks), closed together by an event in minute 1.
        var batch = Enumerable.Range(0, 300)
            .Select(i => new StreamEvent
            {
                EventId = "s" + i,
                Timestamp = TestData.T0.AddSeconds(i % 50),
                Metrics = [new MetricValue("v", i)],
                Provider = "aws",
                Account = "acct-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture),
            })
            .ToList();
        await engine.TryAcceptAsync(batch);
        await engine.ProcessAsync(TestData.Event("close", TestData.T0.AddMinutes(1), ("v", 0)));
        await engine.DrainAsync();

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var read = new List<WindowResult>();
        await foreach (var r in subscription.ReadAllAsync(cts.Token))
        {
            read.Add(r);
            if (read.Count == 300)
            {
                break;
            }
        }

        Assert.Equal(0, subscription.Dropped);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (double)i).Order(), read.Select(r => r.Metric("v")!.Sum).Order());
        Assert.Equal(300, read.Select(r => r.Series.Account).Distinct().Count());
        Assert.False(subscription.TryRead(out _));
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
