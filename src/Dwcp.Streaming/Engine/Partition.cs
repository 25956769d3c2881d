using System.Numerics;
using System.Diagnostics;
using System.Threading.Channels;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming.Engine;

/// <summary>An event routed to a partition, with the watermark it must respect (windows ending at or before it are closed).</summary>
internal readonly record struct QueuedEvent(StreamEvent Event, SeriesRef Series, long HorizonTicks);

/// <summary>Counts partitions still applying a batch; the last one records the accept → queryable latency.</summary>
internal sealed class BatchToken(long startTimestamp, int partitions)
{
    private int _remaining = partitions;

    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>Real (<see cref="Stopwatch"/>) time of acceptance, for admission pacing.</summary>
    public long AdmittedAt { get; } = Stopwatch.GetTimestamp();

    /// <summary>Whether every partition has applied the batch.</summary>
    public bool IsDone => Volatile.Read(ref _remaining) <= 0;

    public bool PartitionDone() => Interlocked.Decrement(ref _remaining) == 0;
}

/// <summary>Work for a partition: events (pooled array), then a watermark; or a barrier.</summary>
internal sealed class WorkItem
{
    public QueuedEvent[]? Events { get; set; }

    public int Count { get; set; }

    public WatermarkMarker Marker { get; set; }

    public BatchToken? Token { get; set; }

    public TaskCompletionSource? Barrier { get; init; }

    /// <summary>Whether the partition may reuse the item once applied (batch items come from its pool).</summary>
    public bool Pooled { get; set; }
}

/// <summary>
/// One worker: owns a <see cref="WindowStore"/>, applies its queue in order and closes windows; a second task of the
/// partition, the closer, builds the closed windows' results from their frozen panes and emits them, so that a close
/// does not delay the batches queued behind it. The closer's queue is bounded: a closer held up by a slow sink makes
/// the worker wait (and ingest eventually answer <see cref="AcceptStatus.BufferFull"/>).
/// </summary>
internal sealed class Partition
{
    private const int CloseQueueCapacity = 16;
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CloseJob> _closeQueue = Channel.CreateBounded<CloseJob>(new BoundedChannelOptions(CloseQueueCapacity)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly System.Collections.Concurrent.ConcurrentQueue<CloseJob> _closed = new(); // done by the closer, to reclaim
    private readonly Stack<CloseJob> _freeJobs = new();
    private readonly ResultBuilder _closer;
    private readonly EngineHost _host;
    private readonly List<WindowResult> _results = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<QueuedEvent[]> _freeArrays = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkItem> _freeItems = new();
    private Task _loop = Task.CompletedTask;
    private Task _closeLoop = Task.CompletedTask;

    public Partition(int index, WindowSpec[] specs, EngineHost host)
    {
        Index = index;
        _host = host;
        Store = new WindowStore(specs, host.Config, host.Counters);
        _closer = new ResultBuilder(host.Config, host.Counters, Store.PaneTicks);
    }

    public int Index { get; }

    public WindowStore Store { get; }

    public Lock Lock { get; } = new();

    public void Start()
    {
        _loop = Task.Run(RunAsync);
        _closeLoop = Task.Run(CloseLoopAsync);
    }

    public void Enqueue(WorkItem item) => _queue.Writer.TryWrite(item);

    /// <summary>An array for at least <paramref name="minimum"/> queued events, reused once the worker is done with it.</summary>
    public QueuedEvent[] RentArray(int minimum)
    {
        for (var tries = _freeArrays.Count; tries > 0 && _freeArrays.TryDequeue(out var array); tries--)
        {
            if (array.Length >= minimum)
            {
                return array;
            }

            _freeArrays.Enqueue(array); // too small for this batch; keep it for smaller ones
        }

        return new QueuedEvent[Math.Max(256, (int)BitOperations.RoundUpToPowerOf2((uint)minimum))];
    }

    /// <summary>A work item for a batch (reused once the worker has applied it: no allocation per batch).</summary>
    public WorkItem RentItem(QueuedEvent[]? events, int count, WatermarkMarker marker, BatchToken? token)
    {
        var item = _freeItems.TryDequeue(out var free) ? free : new WorkItem { Pooled = true };
        item.Events = events;
        item.Count = count;
        item.Marker = marker;
        item.Token = token;
        return item;
    }

    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        _closeQueue.Writer.TryComplete();
        await _closeLoop;
    }

    private async Task RunAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            var handedOver = false;
            try
            {
                await _host.WhenNotPaused();
                await ProcessAsync(item);
                if (item.Barrier is { } barrier)
                {
                    // the drain completes once the closer has emitted every window closed before it
                    await _closeQueue.Writer.WriteAsync(new CloseJob { Barrier = barrier });
                    handedOver = true;
                }
            }
#pragma warning disable CA1031 // a worker fault is kept and rethrown to every later caller of the engine
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _host.Fault(ex);
            }
            finally
            {
                if (!handedOver)
                {
                    item.Barrier?.TrySetResult();
                }

                if (item.Pooled && _freeItems.Count < 64)
                {
                    item.Events = null;
                    item.Token = null;
                    _freeItems.Enqueue(item);
                }
            }
        }
    }

    private async Task ProcessAsync(WorkItem item)
    {
        var started = Stopwatch.GetTimestamp();
        CloseJob? job = null;
        lock (Lock)
        {
            while (_closed.TryDequeue(out var done))
            {
                Store.Reclaim(done);
                if (done.Barrier is null && _freeJobs.Count < CloseQueueCapacity * 2)
                {
                    _freeJobs.Push(done);
                }
            }

            var aggregations = _host.Aggregations;
            if (item.Events is { } events)
            {
                for (var i = 0; i < item.Count; i++)
                {
                    ref readonly var queued = ref events[i];
                    Store.Apply(queued.Event, queued.Series.Key, queued.HorizonTicks, aggregations);
                }

                Array.Clear(events, 0, item.Count);
                if (_freeArrays.Count < 64)
                {
                    _freeArrays.Enqueue(events);
                }
            }

            if (item.Barrier is null)
            {
                job = _freeJobs.TryPop(out var free) ? free : new CloseJob();
                Store.CloseUpTo(item.Marker.Watermark, job);
                job.Marker = item.Marker;
                job.Aggregations = aggregations;
            }
        }

        if (item.Count > 0)
        {
            _host.RecordApplyCost(Stopwatch.GetElapsedTime(started), item.Count);
            _host.EventsApplied(item.Count);
        }

        if (item.Token is { } token && token.PartitionDone())
        {
            _host.Latency.Observe(_host.Clock.GetElapsedTime(token.StartTimestamp));
        }

        if (job is not null)
        {
            if (job.IsEmpty)
            {
                lock (Lock)
                {
                    _freeJobs.Push(job);
                }
            }
            else
            {
                await _closeQueue.Writer.WriteAsync(job);
            }
        }
    }

    /// <summary>The closer: builds and publishes the results of closed windows in closing order, then hands each job
    /// back to the worker (which reclaims its panes) and completes drain barriers.</summary>
    private async Task CloseLoopAsync()
    {
        await foreach (var job in _closeQueue.Reader.ReadAllAsync())
        {
            try
            {
                if (job.WindowCount > 0)
                {
                    await EmitAsync(job);
                }
            }
#pragma warning disable CA1031 // a closer fault is kept and rethrown to every later caller of the engine
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _host.Fault(ex);
            }
            finally
            {
                _closed.Enqueue(job);
                job.Barrier?.TrySetResult();
            }
        }
    }

    private async Task EmitAsync(CloseJob job)
    {
        for (var i = 0; i < job.WindowCount; i++)
        {
            _closer.Build(job.WindowAt(i), job.PanesOf(i), isFinal: true, null, job.Aggregations, _results);
        }

        var emittedAt = _host.Clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var allowed = TimeSpan.FromMilliseconds(_host.Config.MaxLatencyMs).Ticks;
        for (var i = 0; i < job.WindowCount; i++)
        {
            if (emittedAt - job.Marker.PassedAt(job.WindowAt(i).End) > allowed)
            {
                _host.Counters.Increment(ref _host.Counters.LatencyPromiseBroken);
            }
        }

        _host.Counters.Add(ref _host.Counters.WindowsClosed, job.WindowCount);
        _host.Counters.Add(ref _host.Counters.WindowResultsEmitted, _results.Count);
        if (_results.Count > 0)
        {
            var batch = _results.ToArray();
            _results.Clear();
            await _host.Hub.PublishAsync(batch);
        }
    }
}
