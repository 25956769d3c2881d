using BenchmarkDotNet.Attributes;
using Dwcp.Streaming;

namespace Dwcp.Bench.Streaming;

/// <summary>Allocations and time per event of the engine's accept → aggregate path in steady state (see
/// <see cref="SteadyState"/>: the warm-up has opened every series and recycled a closed pane's state, as in a
/// long-running engine); 50,000 events measured per invocation. Window closing and result building are per window,
/// not per event, and are measured by the whole-run figures.</summary>
[MemoryDiagnoser]
public class AllocationBenchmark
{
    public const int EventsPerInvoke = SteadyState.MeasuredEvents;
    private SteadyState? _scenario;
    private RealtimeEngine? _engine;

    [Params(1, 2)]
    public int Parallelism { get; set; }

    [GlobalSetup]
    public void GlobalSetup() => _scenario = new SteadyState(DateTimeOffset.UtcNow);

    [IterationSetup]
    public void IterationSetup() => _engine = _scenario!.WarmEngineAsync(Parallelism).GetAwaiter().GetResult();

    [IterationCleanup]
    public void IterationCleanup() => _engine!.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke)]
    public Task AcceptAndAggregate() => _scenario!.MeasuredAsync(_engine!);
}
