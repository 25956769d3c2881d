using Dwcp.Server;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>Closed windows written by the engine through <see cref="RollupWindowSink"/> into DuckDB's <c>stream_rollups</c>.</summary>
public sealed class RollupSinkTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Closed_windows_land_in_stream_rollups_with_the_values_of_their_events()
    {
        var dir = RepoPaths.NewTempDir("rollup-sink");
        await using var store = DuckDbRollupStore.Open(dir);
        var events = TestEvents.Make(600, T0, TimeSpan.FromMinutes(3), seed: 7);
        await using (var engine = NewEngine(dir, new RollupWindowSink(store)))
        {
            await engine.StartAsync();
            foreach (var chunk in events.Chunk(100))
            {
                Assert.Equal(AcceptStatus.Accepted, (await engine.TryAcceptNdjsonAsync(TestEvents.Ndjson(chunk))).Status);
            }

            // An event 20 minutes on pushes the watermark (10 min lateness) past all three windows.
            var closer = new TestEvent("closer", T0.AddMinutes(20), "aws", "eu-west-1", 1, 1).Line().Replace("\"usage\"", "\"closer\"", StringComparison.Ordinal);
            await engine.TryAcceptNdjsonAsync(System.Text.Encoding.UTF8.GetBytes(closer));
            await engine.DrainAsync();
            Assert.Null(engine.LastSinkError);
        }

        foreach (var (metric, value) in new (string, Func<TestEvent, double>)[] { ("cost", e => e.Cost), ("cpu", e => e.Cpu) })
        {
            var expected = TestEvents.Windows(events, TimeSpan.FromMinutes(1), value);
            var rows = await store.QueryAsync(new RollupQuery { EventType = "usage", Metric = metric });
            Assert.Equal(3, expected.Select(x => x.Start).Distinct().Count());
            Assert.Equal(expected.Count, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                var (e, r) = (expected[i], rows[i]);
                Assert.Equal((e.Start, e.Start.AddMinutes(1), e.Provider, e.Region), (r.WindowStart, r.WindowEnd, r.Provider, r.Region));
                Assert.Equal((TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "compute", "acct-1", ""), (r.WindowSize, r.Slide, r.Service, r.Account, r.ResourceId));
                Assert.Equal((e.Count, e.Count, e.Sum, e.Min, e.Max, e.Last), (r.EventCount, r.Count, r.Sum, r.Min, r.Max, r.Last));
                Assert.Equal(e.Sum / e.Count, r.Average, 9);
                Assert.InRange(r.P50, e.Min * 0.99, e.Max * 1.01);
                Assert.InRange(r.P99, r.P50, e.Max * 1.01);
            }
        }

        Assert.Empty(await store.QueryAsync(new RollupQuery { EventType = "closer" })); // its window is still open
    }

    [Fact]
    public async Task Writing_a_window_again_replaces_its_rows_and_never_doubles_them()
    {
        var dir = RepoPaths.NewTempDir("rollup-idempotent");
        await using (var costStore = DuckDbCostStore.Open(dir))
        {
            Assert.Equal(5, (await costStore.GetInfoAsync()).SchemaVersion);
        }

        await using var store = DuckDbRollupStore.Open(dir);
        var row = new WindowRollup(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu", "ec2", "a", "",
            "cost", 3, 3, 6, 1, 3, 2, 3, T0.AddSeconds(30), 2, 3, 3);
        var other = row with { Metric = "cpu", Sum = 60 };
        await store.AppendAsync([row, other]);
        await store.AppendAsync([row, other]); // a crash replays the same windows
        var replaced = row with { EventCount = 4, Count = 4, Sum = 10, Max = 4 };
        await store.AppendAsync([replaced]);

        var rows = await store.QueryAsync(new RollupQuery());
        Assert.Equal(2, rows.Count);
        Assert.Equal(replaced, rows.Single(r => r.Metric == "cost"));
        Assert.Equal(other, rows.Single(r => r.Metric == "cpu"));
        Assert.Single(await store.QueryAsync(new RollupQuery { WindowSize = TimeSpan.FromMinutes(1), Metric = "cpu", From = T0, To = T0.AddMinutes(1) }));
        Assert.Empty(await store.QueryAsync(new RollupQuery { From = T0.AddMinutes(1) }));
        await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(new RollupQuery { Limit = 0 }));
    }

    [Fact]
    public void Provisional_windows_are_refused_as_rollups()
    {
        var open = new WindowResult(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1),
            new SeriesKey("usage", "", "aws", "", "", "", ""), IsFinal: false, 1, [], []);
        var error = Assert.Throws<ArgumentException>(() => RollupWindowSink.ToRollups([open]));
        Assert.Contains("provisional", error.Message, StringComparison.Ordinal);
    }

    internal static RealtimeEngine NewEngine(string dir, IWindowSink? sink = null, int bufferSize = 10_000, int sinkQueue = 1024, TimeSpan? lateness = null, int maxLineBytes = 1024 * 1024) => new(
        new StreamingConfig
        {
            WindowSizes = [TimeSpan.FromMinutes(1)],
            AllowedLateness = lateness ?? TimeSpan.FromMinutes(10),
            ParallelismFactor = 2,
            BufferSize = bufferSize,
            SinkQueueCapacity = sinkQueue,
            DataDirectory = Path.Combine(dir, "stream"),
            Parser = new ParserOptions { MaxLineBytes = maxLineBytes },
        },
        windowSink: sink);
}
