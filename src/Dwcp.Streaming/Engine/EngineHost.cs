namespace Dwcp.Streaming.Engine;

/// <summary>State shared by the engine's accept path and its partition workers.</summary>
internal sealed class EngineHost(StreamingConfig config, TimeProvider clock, EngineCounters counters, ClosedWindowHub hub)
{
    private CustomAggregation[] _aggregations = [];
    private long _inFlight;
    private double _nanosPerEvent = 1000;
    private Exception? _fault;
    private TaskCompletionSource? _paused;

    public StreamingConfig Config { get; } = config;

    public TimeProvider Clock { get; } = clock;

    public EngineCounters Counters { get; } = counters;

    public ClosedWindowHub Hub { get; } = hub;

    public LatencyHistogram Latency { get; } = new();

    public CustomAggregation[] Aggregations
    {
        get => Volatile.Read(ref _aggregations);
        set => Volatile.Write(ref _aggregations, value);
    }

    public long InFlight => Interlocked.Read(ref _inFlight);

    public void AddInFlight(long count) => Interlocked.Add(ref _inFlight, count);

    public void EventsApplied(int count) => Interlocked.Add(ref _inFlight, -count);

    /// <summary>Keeps an exponentially weighted cost per applied event (real CPU time, for retry-after hints).</summary>
    public void RecordApplyCost(TimeSpan elapsed, int count)
    {
        var sample = elapsed.TotalNanoseconds / count;
        Volatile.Write(ref _nanosPerEvent, (0.9 * Volatile.Read(ref _nanosPerEvent)) + (0.1 * sample));
    }

    /// <summary>Suggested wait before retrying a refused batch: time for the workers to drain the buffer, 10 ms – 5 s.</summary>
    public TimeSpan RetryAfter()
    {
        var nanos = InFlight * Volatile.Read(ref _nanosPerEvent) / Config.ParallelismFactor;
        return TimeSpan.FromMilliseconds(Math.Clamp(nanos / 1e6, 10, 5000));
    }

    /// <summary>Test hook: while paused, workers do not start new work items.</summary>
    public void SetPaused(bool paused)
    {
        if (paused)
        {
            Interlocked.CompareExchange(ref _paused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);
        }
        else
        {
            Interlocked.Exchange(ref _paused, null)?.TrySetResult();
        }
    }

    public Task WhenNotPaused() => Volatile.Read(ref _paused)?.Task ?? Task.CompletedTask;

    public void Fault(Exception ex) => Interlocked.CompareExchange(ref _fault, ex, null);

    public void ThrowIfFaulted()
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw new InvalidOperationException("A RealtimeEngine worker failed; the engine must be restarted (state is recovered from the write-ahead log). Cause: " + fault.Message, fault);
        }
    }
}
