using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>
/// The hot-path scenario in steady state, shared by <see cref="AllocationBenchmark"/>, <see cref="HotPath"/> and the
/// allocation profile: the engine has already closed a full set of windows and recycled their state, as a long-running
/// engine has. Warm-up: 150,000 events in minute A (opening the windows and the 2,400 series, growing their sketches),
/// one event 16 minutes later (closing every window containing minute A and retiring its pane, whose series and
/// sketch arrays return to the pools), then 150,000 events in minute B (series and sketches taken from the pools).
/// Measured: the next <see cref="MeasuredEvents"/> events of minute B, each touching one of the series already open.
/// </summary>
public sealed class SteadyState
{
    public const int MeasuredEvents = 50_000;
    public const int WarmUpPerMinute = 150_000;
    public const int Batch = 1_000;

    public SteadyState(DateTimeOffset now)
    {
        Now = now;
        var minuteA = new DateTimeOffset((now - TimeSpan.FromHours(2)).UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        var minuteB = minuteA.AddMinutes(16);
        MinuteA = BenchData.Generate(WarmUpPerMinute, now, TimeSpan.FromSeconds(50), seed: 7, idPrefix: "steady-a", from: minuteA);
        Closer = BenchData.Generate(1, now, TimeSpan.FromSeconds(1), seed: 9, idPrefix: "steady-close", from: minuteB);
        MinuteB = BenchData.Generate(WarmUpPerMinute + MeasuredEvents, now, TimeSpan.FromSeconds(50), seed: 8, idPrefix: "steady-b", from: minuteB);
    }

    public DateTimeOffset Now { get; }

    public StreamEvent[] MinuteA { get; }

    public StreamEvent[] Closer { get; }

    public StreamEvent[] MinuteB { get; }

    /// <summary>A started engine after the warm-up (every batch applied and every closed window emitted).</summary>
    public async Task<RealtimeEngine> WarmEngineAsync(int parallelism)
    {
        var engine = new RealtimeEngine(BenchData.EngineConfig(parallelism), new FrozenClock(Now));
        await engine.StartAsync();
        await FeedAsync(engine, MinuteA, 0, MinuteA.Length);
        await FeedAsync(engine, Closer, 0, 1, batch: 1);
        await FeedAsync(engine, MinuteB, 0, WarmUpPerMinute); // its first batch reclaims minute A's retired pane
        return engine;
    }

    /// <summary>Feeds the measured events and waits until they are applied.</summary>
    public Task MeasuredAsync(RealtimeEngine engine) => FeedAsync(engine, MinuteB, WarmUpPerMinute, MeasuredEvents);

    private static async Task FeedAsync(RealtimeEngine engine, StreamEvent[] events, int from, int count, int batch = Batch)
    {
        for (var i = from; i < from + count; i += batch)
        {
            while ((await engine.TryAcceptAsync(new ArraySegment<StreamEvent>(events, i, Math.Min(batch, from + count - i)))).Status == AcceptStatus.BufferFull)
            {
                await Task.Delay(1);
            }
        }

        await engine.DrainAsync();
    }
}
