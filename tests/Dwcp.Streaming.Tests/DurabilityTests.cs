using Dwcp.Tests;

namespace Dwcp.Streaming.Tests;

public class DurabilityTests
{
    private static StreamingConfig Config(string directory) => new()
    {
        WindowSizes = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)],
        AllowedLateness = TimeSpan.FromMinutes(2),
        ParallelismFactor = 2,
        DataDirectory = directory,
        WalSegmentBytes = 64 * 1024, // several segments
        CheckpointEveryEvents = 0,
        Parser = new ParserOptions { MaxFutureSkew = TimeSpan.FromDays(1) },
    };

    private sealed class KeyedSink : IWindowSink
    {
        public Dictionary<(DateTimeOffset, TimeSpan, SeriesKey), WindowResult> Rows { get; } = [];

        public ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            lock (Rows)
            {
                foreach (var r in results)
                {
                    Rows[(r.Start, r.Size, r.Series)] = r; // upsert, as a rollup table would
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Accepts events in order, returns what was acknowledged (unique ids in accepted order).</summary>
    private static async Task<List<StreamEvent>> FeedAsync(RealtimeEngine engine, List<StreamEvent> events, int batch = 200)
    {
        var acknowledged = new List<StreamEvent>();
        var seen = new HashSet<string>();
        for (var i = 0; i < events.Count; i += batch)
        {
            var part = events.Skip(i).Take(batch).ToList();
            var result = await engine.TryAcceptAsync(part);
            Assert.Equal(AcceptStatus.Accepted, result.Status);
            acknowledged.AddRange(part.Where(e => seen.Add(e.EventId)));
        }

        return acknowledged;
    }

    [Fact]
    public async Task After_a_crash_every_acknowledged_event_is_counted_exactly_once()
    {
        var directory = RepoPaths.NewTempDir("dwcp-wal");
        var clock = new FakeClock(TestData.T0.AddMinutes(30));
        var events = TestData.Generate(seed: 3, count: 6000, span: TimeSpan.FromMinutes(25)).OrderBy(e => e.Timestamp).ToList();
        var sink1 = new KeyedSink();
        var engine1 = new RealtimeEngine(Config(directory), clock, sink1);
        Assert.False((await engine1.StartAsync()).CheckpointLoaded);
        var acknowledged = await FeedAsync(engine1, events.Take(3000).ToList());
        await engine1.CheckpointAsync();
        acknowledged.AddRange((await FeedAsync(engine1, events.Skip(3000).ToList())).Where(e => !acknowledged.Any(a => a.EventId == e.EventId)));
        await engine1.DrainAsync();
        // Crash: engine1 is abandoned without StopAsync/DisposeAsync.

        var sink2 = new KeyedSink();
        var clock2 = new FakeClock(clock.GetUtcNow());
        await using var engine2 = new RealtimeEngine(Config(directory), clock2, sink2);
        var recovery = await engine2.StartAsync();
        Assert.True(recovery.CheckpointLoaded);
        Assert.True(recovery.ReplayedEvents > 0);
        Assert.Empty(recovery.Warnings);
        await engine2.DrainAsync();

        var unique = TestData.Unique(events);
        Assert.Equal(unique.Count, acknowledged.Count);
        Assert.Equal(unique.Count, engine2.GetMetrics().Accepted);
        foreach (var size in new[] { TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5) })
        {
            // Final windows: closed before the checkpoint (engine 1's sink) updated by those re-emitted after replay (engine 2's sink).
            var rows = new Dictionary<(DateTimeOffset, TimeSpan, SeriesKey), WindowResult>(sink1.Rows);
            foreach (var (key, value) in sink2.Rows)
            {
                rows[key] = value;
            }

            var all = rows.Values.Where(r => r.Size == size).Concat(engine2.QueryOpenWindows(new WindowQuery { WindowSize = size })).ToList();
            Assert.Equal(unique.Count, all.Sum(r => r.EventCount));
            TestData.AssertMatches(TestData.BruteForce(unique, size, size), all);
        }
    }

    [Fact]
    public async Task A_torn_last_record_is_truncated_with_a_warning_and_the_acknowledged_events_survive()
    {
        var directory = RepoPaths.NewTempDir("dwcp-wal");
        var clock = new FakeClock(TestData.T0.AddMinutes(30));
        var engine1 = new RealtimeEngine(Config(directory), clock);
        await engine1.StartAsync();
        var events = TestData.Generate(seed: 8, count: 500, span: TimeSpan.FromMinutes(3), duplicateShare: 0);
        await FeedAsync(engine1, events, batch: 100);
        await engine1.DrainAsync();
        // Crash in the middle of writing the next batch: a frame header promising 1000 bytes, then 37 bytes.
        var last = Directory.GetFiles(directory, "wal-*.log").Order().Last();
        var intact = new FileInfo(last).Length;
        await using (var file = new FileStream(last, FileMode.Append))
        {
            file.Write(BitConverter.GetBytes(1000u));
            file.Write(BitConverter.GetBytes(0xDEADBEEFu));
            file.Write(new byte[37]);
        }

        await using var engine2 = new RealtimeEngine(Config(directory), new FakeClock(clock.GetUtcNow()));
        var recovery = await engine2.StartAsync();
        var warning = Assert.Single(recovery.Warnings);
        Assert.Contains("truncated the torn tail (45 bytes", warning);
        Assert.Equal(intact, new FileInfo(last).Length);
        await engine2.DrainAsync();
        Assert.Equal(500, engine2.GetMetrics().Accepted);
        Assert.Equal(500, engine2.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(5) }).Sum(r => r.EventCount));
    }

    [Fact]
    public async Task Stop_writes_a_checkpoint_that_restores_open_windows_and_the_duplicate_filter()
    {
        var directory = RepoPaths.NewTempDir("dwcp-wal");
        var clock = new FakeClock(TestData.T0.AddMinutes(30));
        var events = TestData.Generate(seed: 12, count: 1000, span: TimeSpan.FromMinutes(4), duplicateShare: 0);
        await using (var engine1 = new RealtimeEngine(Config(directory), clock))
        {
            engine1.CreateCustomAggregation("resources", new AggregationConfig { Type = AggregationType.DistinctCount });
            await engine1.StartAsync();
            await FeedAsync(engine1, events);
        }

        Assert.Single(Directory.GetFiles(directory, "wal-*.log")); // older segments were deleted by the checkpoint
        await using var engine2 = new RealtimeEngine(Config(directory), new FakeClock(clock.GetUtcNow()));
        engine2.CreateCustomAggregation("resources", new AggregationConfig { Type = AggregationType.DistinctCount });
        var recovery = await engine2.StartAsync();
        Assert.Equal((true, 0L), (recovery.CheckpointLoaded, recovery.ReplayedEvents));
        var again = await engine2.TryAcceptAsync(events.TakeLast(10).ToList()); // within the 2-minute retention of the newest event
        Assert.Equal((0, 10), (again.Accepted, again.Duplicates));
        await engine2.DrainAsync();
        var five = engine2.QueryOpenWindows(new WindowQuery { WindowSize = TimeSpan.FromMinutes(5) });
        TestData.AssertMatches(TestData.BruteForce(events, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(5)), five);
        Assert.All(five, r => Assert.NotNull(r.CustomValue("resources")));
    }

    [Fact]
    public async Task A_corrupt_record_in_an_earlier_segment_stops_recovery_with_the_file_and_offset()
    {
        var directory = RepoPaths.NewTempDir("dwcp-wal");
        var clock = new FakeClock(TestData.T0.AddMinutes(30));
        var engine1 = new RealtimeEngine(Config(directory), clock);
        await engine1.StartAsync();
        await FeedAsync(engine1, TestData.Generate(seed: 4, count: 3000, span: TimeSpan.FromMinutes(3)));
        await engine1.DrainAsync();
        var first = Directory.GetFiles(directory, "wal-*.log").Order().First();
        var bytes = await File.ReadAllBytesAsync(first);
        bytes[100] ^= 0xFF;
        await File.WriteAllBytesAsync(first, bytes);
        await using var engine2 = new RealtimeEngine(Config(directory), new FakeClock(clock.GetUtcNow()));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => engine2.StartAsync());
        Assert.Contains(Path.GetFileName(first), error.Message);
        Assert.Contains("fails its CRC check", error.Message);
    }
}
