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

/// <summary>One worker: owns a <see cref="WindowStore"/>, applies its queue in order, closes windows, emits them.</summary>
internal sealed class Partition
{
    /// <summary>Most consecutive batches whose window close waits for the batches queued behind them.</summary>
    internal const int MaxDeferredCloses = 16;

    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly EngineHost _host;
    private readonly List<WindowResult> _results = [];
    private readonly List<long> _closedEnds = [];
    private readonly System.Collections.Concurrent.ConcurrentQueue<QueuedEvent[]> _freeArrays = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkItem> _freeItems = new();
    private Task _loop = Task.CompletedTask;
    private WatermarkMarker? _deferredMarker; // marker of the first batch whose close is deferred (worker only)
    private int _deferredCloses;
    private long _deferredTotal;

    public Partition(int index, WindowSpec[] specs, EngineHost host)
    {
        Index = index;
        _host = host;
        Store = new WindowStore(specs, host.Config, host.Counters);
    }

    public int Index { get; }

    public WindowStore Store { get; }

    public Lock Lock { get; } = new();

    /// <summary>Batches whose window close waited for the batch queued behind them (tests, diagnostics).</summary>
    public long DeferredCloses => Interlocked.Read(ref _deferredTotal);

    public void Start() => _loop = Task.Run(RunAsync);

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
    }

    private async Task RunAsync()
    {
        await foreach (var item in _queue.Reader.ReadAllAsync())
        {
            try
            {
                await _host.WhenNotPaused();
                await ProcessAsync(item);
            }
#pragma warning disable CA1031 // a worker fault is kept and rethrown to every later caller of the engine
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _host.Fault(ex);
            }
            finally
            {
                item.Barrier?.TrySetResult();
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
        var aggregations = _host.Aggregations;
        var started = Stopwatch.GetTimestamp();
        if (item.Events is { } events)
        {
            lock (Lock)
            {
                Store.ApplyBatch(events.AsSpan(0, item.Count), aggregations);
            }

            Array.Clear(events, 0, item.Count);
            if (_freeArrays.Count < 64)
            {
                _freeArrays.Enqueue(events);
            }
        }

        if (item.Count > 0)
        {
            _host.RecordApplyCost(Stopwatch.GetElapsedTime(started), item.Count);
            _host.EventsApplied(item.Count);
        }

        // The batch's events are queryable once the lock above is released: that is its accept → queryable time, not
        // the window close that may follow.
        if (item.Token is { } token && token.PartitionDone())
        {
            _host.Latency.Observe(_host.Clock.GetElapsedTime(token.StartTimestamp));
        }

        if (item.Barrier is not null)
        {
            return;
        }

        // Closing waits while more batches are queued behind this one (at most MaxDeferredCloses in a row): each event
        // was applied against its own batch's watermark, so no event reaches a window that this close would have
        // finalised, and one close at the later watermark gives the same results. The batches behind then do not wait
        // for the merge (the accept → queryable tail); a barrier (drain, checkpoint) never finds a close pending.
        _deferredMarker ??= item.Marker;
        if (_deferredCloses < MaxDeferredCloses && _queue.Reader.TryPeek(out var next) && next.Barrier is null)
        {
            _deferredCloses++;
            Interlocked.Increment(ref _deferredTotal);
            return;
        }

        var first = _deferredMarker.Value;
        _deferredMarker = null;
        _deferredCloses = 0;
        lock (Lock)
        {
            Store.CloseUpTo(item.Marker.Watermark, aggregations, _results, _closedEnds);
        }

        if (_closedEnds.Count > 0)
        {
            var emittedAt = _host.Clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            var allowed = TimeSpan.FromMilliseconds(_host.Config.MaxLatencyMs).Ticks;
            foreach (var end in _closedEnds)
            {
                // a window the first deferred batch's watermark already passed counts from that batch
                var passedAt = end <= first.Watermark ? first.PassedAt(end) : item.Marker.PassedAt(end);
                if (emittedAt - passedAt > allowed)
                {
                    _host.Counters.Increment(ref _host.Counters.LatencyPromiseBroken);
                }
            }

            _host.Counters.Add(ref _host.Counters.WindowsClosed, _closedEnds.Count);
            _host.Counters.Add(ref _host.Counters.WindowResultsEmitted, _results.Count);
            _closedEnds.Clear();
            if (_results.Count > 0)
            {
                var batch = _results.ToArray();
                _results.Clear();
                await _host.Hub.PublishAsync(batch);
            }
        }
    }
}
