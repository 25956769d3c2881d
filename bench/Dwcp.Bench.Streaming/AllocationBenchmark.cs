using BenchmarkDotNet.Attributes;
using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>Allocations and time per event of the engine's accept → aggregate path in steady state: all events fall in one
/// 1-minute window (so in one window of each size); the first 150,000 open the windows and series and grow their sketches, the next 50,000 are measured.
/// Window closing and result building are per window, not per event, and are measured by the whole-run figures.</summary>
[MemoryDiagnoser]
public class AllocationBenchmark
{
    public const int EventsPerInvoke = 50_000;
    public const int WarmUpEvents = 150_000; // ~60 values per cell: every sketch has turned dense and grown to its range
    private const int Batch = 1_000;
    private StreamEvent[] _events = [];
    private DateTimeOffset _now;
    private RealtimeEngine? _engine;

    [Params(1, 2)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _now = DateTimeOffset.UtcNow;
        var minute = new DateTimeOffset((_now - TimeSpan.FromHours(2)).UtcTicks / TimeSpan.TicksPerHour * TimeSpan.TicksPerHour, TimeSpan.Zero);
        _events = BenchData.Generate(WarmUpEvents + EventsPerInvoke, _now, TimeSpan.FromSeconds(50), seed: 7, idPrefix: "alloc", from: minute);
    }

    [IterationSetup]
    public void IterationSetup()
    {
        _engine = new RealtimeEngine(BenchData.EngineConfig(Parallelism), new FrozenClock(_now));
        _engine.StartAsync().GetAwaiter().GetResult();
        Feed(0, WarmUpEvents).GetAwaiter().GetResult(); // warm: opens the windows and series and grows their sketches
    }

    [IterationCleanup]
    public void IterationCleanup() => _engine!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public Task AcceptAndAggregate() => Feed(WarmUpEvents, EventsPerInvoke);

    private async Task Feed(int from, int count)
    {
        for (var i = from; i < from + count; i += Batch)
        {
            while ((await _engine!.TryAcceptAsync(new ArraySegment<StreamEvent>(_events, i, Batch))).Status == AcceptStatus.BufferFull)
            {
                await Task.Delay(1);
            }
        }

        await _engine!.DrainAsync();
    }
}
