namespace Dwcp.Streaming.Engine;

/// <summary>State shared by the engine's accept path and its partition workers.</summary>
internal sealed class EngineHost(StreamingConfig config, TimeProvider clock, EngineCounters counters, ClosedWindowHub hub)
{
    private readonly Queue<BatchToken> _pending = new(); // accepted batches in order, until applied (admission pacing)
    private CustomAggregation[] _aggregations = [];
    private long _inFlight;
    private double _nanosPerEvent = 1000;
    private Exception? _fault;
    private TaskCompletionSource? _paused;
    private TaskCompletionSource? _room;

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

    public void EventsApplied(int count)
    {
        Interlocked.Add(ref _inFlight, -count);
        if (Volatile.Read(ref _room) is not null)
        {
            Interlocked.Exchange(ref _room, null)?.TrySetResult();
        }
    }

    /// <summary>Remembers an accepted batch (in acceptance order) until it is applied, for admission pacing.</summary>
    public void Track(BatchToken token)
    {
        if (Config.AdmissionQueueDelay > TimeSpan.Zero)
        {
            lock (_pending)
            {
                while (_pending.TryPeek(out var oldest) && oldest.IsDone)
                {
                    _pending.Dequeue();
                }

                _pending.Enqueue(token);
            }
        }
    }

    /// <summary>
    /// Admission pacing (<see cref="StreamingConfig.AdmissionQueueDelay"/>): returns once the oldest accepted batch not yet
    /// applied is younger than the target (or none is pending), when the batch would not fit the buffer anyway (it is
    /// answered at once), or after <see cref="StreamingConfig.AdmissionMaxWait"/>. Waits on the workers' progress, in
    /// real time: the age of the oldest pending batch is the accept → queryable latency the next batch would add to.
    /// </summary>
    public async ValueTask WaitForRoomAsync(int batch, CancellationToken cancellationToken)
    {
        var target = Config.AdmissionQueueDelay;
        if (target <= TimeSpan.Zero || IsAdmissible(batch, target))
        {
            return;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            var room = Volatile.Read(ref _room);
            if (room is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = Interlocked.CompareExchange(ref _room, created, null) ?? created;
            }

            if (IsAdmissible(batch, target)) // checked after the waiter is published: no progress is missed
            {
                return;
            }

            var remaining = Config.AdmissionMaxWait - System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            try
            {
                await room.Task.WaitAsync(remaining, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }

    private bool IsAdmissible(int batch, TimeSpan target)
    {
        var inFlight = InFlight;
        if (inFlight == 0 || inFlight + batch > Config.BufferSize)
        {
            return true;
        }

        lock (_pending)
        {
            while (_pending.TryPeek(out var oldest))
            {
                if (!oldest.IsDone)
                {
                    return System.Diagnostics.Stopwatch.GetElapsedTime(oldest.AdmittedAt) <= target;
                }

                _pending.Dequeue();
            }
        }

        return true;
    }

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
