using System.Threading.Channels;

namespace Dwcp.Streaming.Engine;

/// <summary>Fans closed windows out to the query history, the subscribers (bounded, drop oldest) and the sink (bounded, waits).</summary>
internal sealed class ClosedWindowHub
{
    /// <summary>Most window results given to the sink in one write (several queued batches are grouped).</summary>
    internal const int SinkGroupResults = 20_000;

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
        // Group commit: the batches queued while the sink wrote the previous group go to it as one write (one store
        // transaction instead of one per partition batch), in closing order, up to SinkGroupResults results.
        var reader = _sinkQueue!.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (!reader.TryRead(out var first))
            {
                continue;
            }

            var batches = 1;
            IReadOnlyList<WindowResult> group = first;
            List<WindowResult>? grouped = null;
            while (group.Count < SinkGroupResults && reader.TryRead(out var batch))
            {
                grouped ??= [.. first];
                grouped.AddRange(batch);
                group = grouped;
                batches++;
            }

            try
            {
                await _sink!.WriteAsync(group, stopping).ConfigureAwait(false);
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
                Interlocked.Add(ref _sinkPending, -batches);
            }
        }
    }
}

/// <summary>
/// A subscriber to closed windows with its own bounded queue: when the queue is full the oldest result is dropped and
/// counted, so a slow subscriber never blocks ingest. Read with <see cref="ReadAllAsync"/>; dispose to unsubscribe.
/// A partition offers a whole batch of closed windows under one lock and a reader takes up to
/// <see cref="ReadChunk"/> results per lock, so thousands of windows closing at once do not contend result by result
/// (a reader holds at most that many results besides the queue).
/// </summary>
public sealed class WindowSubscription : IDisposable
{
    /// <summary>Most results a reader takes from the queue at once.</summary>
    public const int ReadChunk = 64;

    private readonly ClosedWindowHub _hub;
    private readonly WindowQuery? _filter;
    private readonly EngineCounters _counters;
    private readonly int _capacity;
    private readonly Queue<WindowResult> _queue = new();
    private readonly Lock _lock = new();
    private TaskCompletionSource? _waiter;
    private bool _completed;
    private long _dropped;

    internal WindowSubscription(ClosedWindowHub hub, int capacity, WindowQuery? filter, EngineCounters counters)
    {
        _hub = hub;
        _filter = filter;
        _capacity = capacity;
        _counters = counters;
    }

    /// <summary>Results dropped because this subscriber's queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Results waiting in the queue.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Reads closed windows as they are emitted until the subscription is disposed or the engine stops.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The results, in closing order.</returns>
    public async IAsyncEnumerable<WindowResult> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var chunk = new WindowResult[ReadChunk];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var taken = 0;
            Task? wait = null;
            lock (_lock)
            {
                while (taken < chunk.Length && _queue.TryDequeue(out var result))
                {
                    chunk[taken++] = result;
                }

                if (taken == 0 && !_completed)
                {
                    wait = (_waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                }
            }

            if (taken == 0 && wait is null)
            {
                yield break; // completed and empty
            }

            for (var i = 0; i < taken; i++)
            {
                var result = chunk[i];
                chunk[i] = null!;
                yield return result;
            }

            if (wait is not null)
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Takes one queued result without waiting.</summary>
    /// <param name="result">The result.</param>
    /// <returns>Whether one was queued.</returns>
    public bool TryRead(out WindowResult result)
    {
        lock (_lock)
        {
            return _queue.TryDequeue(out result!);
        }
    }

    /// <summary>Unsubscribes and completes the reader.</summary>
    public void Dispose()
    {
        _hub.Unsubscribe(this);
        Complete();
    }

    internal void Offer(WindowResult[] results)
    {
        var dropped = 0;
        TaskCompletionSource? wake = null;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            var added = 0;
            foreach (var result in results)
            {
                if (_filter is null || _filter.Matches(result.Size, result.Series))
                {
                    if (_queue.Count == _capacity)
                    {
                        _queue.Dequeue();
                        dropped++;
                    }

                    _queue.Enqueue(result);
                    added++;
                }
            }

            if (added > 0)
            {
                wake = _waiter;
                _waiter = null;
            }
        }

        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
            _counters.Add(ref _counters.SubscriberDrops, dropped);
        }

        wake?.TrySetResult();
    }

    internal void Complete()
    {
        TaskCompletionSource? wake;
        lock (_lock)
        {
            _completed = true;
            wake = _waiter;
            _waiter = null;
        }

        wake?.TrySetResult();
    }
}
