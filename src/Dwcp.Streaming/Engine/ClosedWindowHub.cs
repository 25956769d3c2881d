using System.Threading.Channels;

namespace Dwcp.Streaming.Engine;

/// <summary>Fans closed windows out to the query history, the subscribers (bounded, drop oldest) and the sink (bounded, waits).</summary>
internal sealed class ClosedWindowHub
{
    private readonly StreamingConfig _config;
    private readonly EngineCounters _counters;
    private readonly IWindowSink? _sink;
    private readonly Queue<WindowResult> _history = new();
    private readonly Lock _lock = new();
    private readonly Channel<WindowResult[]>? _sinkQueue;
    private WindowSubscription[] _subscribers = [];
    private long _sinkPending;
    private Task _sinkLoop = Task.CompletedTask;

    public ClosedWindowHub(StreamingConfig config, EngineCounters counters, IWindowSink? sink)
    {
        _config = config;
        _counters = counters;
        _sink = sink;
        if (sink is not null)
        {
            _sinkQueue = Channel.CreateBounded<WindowResult[]>(new BoundedChannelOptions(config.SinkQueueCapacity)
            {
                SingleReader = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }
    }

    public Exception? LastSinkError { get; private set; }

    public void Start(CancellationToken stopping)
    {
        if (_sinkQueue is not null)
        {
            _sinkLoop = Task.Run(() => SinkLoopAsync(stopping), CancellationToken.None);
        }
    }

    public async ValueTask PublishAsync(WindowResult[] results)
    {
        lock (_lock)
        {
            foreach (var result in results)
            {
                if (_config.ClosedWindowHistory == 0)
                {
                    break;
                }

                if (_history.Count == _config.ClosedWindowHistory)
                {
                    _history.Dequeue();
                }

                _history.Enqueue(result);
            }
        }

        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Offer(results);
        }

        if (_sinkQueue is not null)
        {
            Interlocked.Increment(ref _sinkPending);
            await _sinkQueue.Writer.WriteAsync(results);
        }
    }

    public List<WindowResult> QueryHistory(WindowQuery? query)
    {
        lock (_lock)
        {
            var list = new List<WindowResult>();
            foreach (var result in _history)
            {
                if (query is null || (query.Matches(result.Size, result.Series) && (query.EndsAfter is not { } after || result.End > after)))
                {
                    list.Add(query?.Metrics is null ? result : result with { Metrics = [.. result.Metrics.Where(m => query.WantsMetric(m.Metric))] });
                }
            }

            return list;
        }
    }

    public WindowSubscription Subscribe(int capacity, WindowQuery? filter)
    {
        var subscription = new WindowSubscription(this, capacity, filter, _counters);
        lock (_lock)
        {
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    public void Unsubscribe(WindowSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
        }
    }

    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _sinkPending) > 0)
        {
            await Task.Delay(1, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        _sinkQueue?.Writer.TryComplete();
        await _sinkLoop;
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            subscriber.Complete();
        }
    }

    private async Task SinkLoopAsync(CancellationToken stopping)
    {
        await foreach (var batch in _sinkQueue!.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                await _sink!.WriteAsync(batch, stopping);
            }
#pragma warning disable CA1031 // a failing sink must not stop the engine; the failure is counted and kept
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LastSinkError = ex;
                _counters.Increment(ref _counters.SinkFailures);
            }
            finally
            {
                Interlocked.Decrement(ref _sinkPending);
            }
        }
    }
}

/// <summary>
/// A subscriber to closed windows with its own bounded queue: when the queue is full the oldest result is dropped and
/// counted, so a slow subscriber never blocks ingest. Read with <see cref="ReadAllAsync"/>; dispose to unsubscribe.
/// </summary>
public sealed class WindowSubscription : IDisposable
{
    private readonly ClosedWindowHub _hub;
    private readonly WindowQuery? _filter;
    private readonly Channel<WindowResult> _queue;
    private long _dropped;

    internal WindowSubscription(ClosedWindowHub hub, int capacity, WindowQuery? filter, EngineCounters counters)
    {
        _hub = hub;
        _filter = filter;
        _queue = Channel.CreateBounded<WindowResult>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false, SingleWriter = false },
            _ =>
            {
                Interlocked.Increment(ref _dropped);
                counters.Increment(ref counters.SubscriberDrops);
            });
    }

    /// <summary>Results dropped because this subscriber's queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Results waiting in the queue.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Reads closed windows as they are emitted until the subscription is disposed or the engine stops.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The results, in closing order.</returns>
    public IAsyncEnumerable<WindowResult> ReadAllAsync(CancellationToken cancellationToken = default) => _queue.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Takes one queued result without waiting.</summary>
    /// <param name="result">The result.</param>
    /// <returns>Whether one was queued.</returns>
    public bool TryRead(out WindowResult result) => _queue.Reader.TryRead(out result!);

    /// <summary>Unsubscribes and completes the reader.</summary>
    public void Dispose()
    {
        _hub.Unsubscribe(this);
        Complete();
    }

    internal void Offer(WindowResult[] results)
    {
        foreach (var result in results)
        {
            if (_filter is null || _filter.Matches(result.Size, result.Series))
            {
                _queue.Writer.TryWrite(result);
            }
        }
    }

    internal void Complete() => _queue.Writer.TryComplete();
}
