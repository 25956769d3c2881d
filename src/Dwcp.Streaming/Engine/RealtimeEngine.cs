using Dwcp.Streaming.Dedup;
using Dwcp.Streaming.Durability;
using Dwcp.Streaming.Engine;
using Dwcp.Streaming.Events;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming;

/// <summary>
/// The real-time analytics engine. Accepts events (validated, de-duplicated, logged durably when
/// <see cref="StreamingConfig.DataDirectory"/> is set), routes them by series-key hash to
/// <see cref="StreamingConfig.ParallelismFactor"/> workers that keep event-time windows, closes windows as the watermark
/// passes them and emits them final to subscribers, the query history and the <see cref="IWindowSink"/>.
/// Call <see cref="StartAsync"/> (recovery) before accepting and <see cref="StopAsync"/> (flush + checkpoint) at the end.
/// </summary>
public sealed partial class RealtimeEngine : IAsyncDisposable
{
    private readonly StreamingConfig _config;
    private readonly TimeProvider _clock;
    private readonly EngineCounters _counters = new();
    private readonly EngineHost _host;
    private readonly WindowSpec[] _specs;
    private readonly Partition[] _partitions;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DuplicateFilter _dedup;
    private readonly WatermarkTracker _watermark;
    private readonly SeriesKeyBuilder _keys;
    private readonly Lock _aggregationLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _timer;
    private WriteAheadLog? _wal;
    private int _state; // 0 new, 1 running, 2 stopping/stopped
    private long _acceptedSinceCheckpoint;
    private int _checkpointRunning;
    private readonly QueuedEvent[]?[] _perPartition;
    private readonly int[] _perCount;

    /// <summary>Creates an engine; nothing runs until <see cref="StartAsync"/>.</summary>
    /// <param name="config">Configuration (validated here).</param>
    /// <param name="timeProvider">Clock for watermarks, the future check and latency (default system clock).</param>
    /// <param name="windowSink">Receives closed windows (optional).</param>
    /// <param name="lateEventSink">Receives late events (default a bounded <see cref="InMemoryLateEventSink"/>).</param>
    public RealtimeEngine(StreamingConfig config, TimeProvider? timeProvider = null, IWindowSink? windowSink = null, ILateEventSink? lateEventSink = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        _clock = timeProvider ?? TimeProvider.System;
        _host = new EngineHost(config, _clock, _counters, new ClosedWindowHub(config, _counters, windowSink));
        _specs = WindowSpec.FromConfig(config);
        _partitions = [.. Enumerable.Range(0, config.ParallelismFactor).Select(i => new Partition(i, _specs, _host))];
        _perPartition = new QueuedEvent[]?[_partitions.Length];
        _perCount = new int[_partitions.Length];
        _dedup = new DuplicateFilter(config.DuplicateRetention, config.DedupMemoryBudgetBytes);
        _watermark = new WatermarkTracker(config.AllowedLateness.Ticks);
        var interner = new NameInterner();
        Parser = new NdjsonEventParser(config.Parser, _clock, interner);
        _keys = new SeriesKeyBuilder(config.GroupBy, interner);
        LateEvents = lateEventSink ?? new InMemoryLateEventSink();
    }

    /// <summary>The configuration.</summary>
    public StreamingConfig Config => _config;

    /// <summary>The NDJSON decoder using this engine's limits, clock and name pool.</summary>
    public NdjsonEventParser Parser { get; }

    /// <summary>Where late events go.</summary>
    public ILateEventSink LateEvents { get; }

    /// <summary>What the last <see cref="StartAsync"/> recovered.</summary>
    public RecoveryReport? Recovery { get; private set; }

    /// <summary>Last published watermark (event time); <see cref="DateTimeOffset.MinValue"/> before any event.</summary>
    public DateTimeOffset Watermark => _watermark.Published == long.MinValue ? DateTimeOffset.MinValue : WindowStore.ToTime(_watermark.Published);

    /// <summary>The registered custom aggregations.</summary>
    public IReadOnlyList<CustomAggregation> CustomAggregations => _host.Aggregations;

    /// <summary>The last error of the <see cref="IWindowSink"/>, if any (failures are also counted).</summary>
    public Exception? LastSinkError => _host.Hub.LastSinkError;

    /// <summary>Accepts one event (a batch of one). See <see cref="TryAcceptAsync"/>.</summary>
    /// <param name="streamEvent">The event.</param>
    /// <param name="cancellationToken">Cancels waiting for the log.</param>
    /// <returns>The outcome, after the event is durable.</returns>
    public ValueTask<BatchAcceptResult> ProcessAsync(StreamEvent streamEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(streamEvent);
        return AcceptCoreAsync([streamEvent], null, validated: false, cancellationToken);
    }

    /// <summary>
    /// Accepts a batch: invalid events are rejected with reasons, duplicates counted, the rest logged (one group-commit
    /// fsync) and queued for aggregation. Returns only after the log is on disk. When the input buffer cannot take the
    /// batch, nothing is taken and the result says <see cref="AcceptStatus.BufferFull"/> with a retry-after.
    /// </summary>
    /// <param name="batch">Events; at most <see cref="StreamingConfig.BufferSize"/> valid ones (more throws <see cref="ArgumentException"/>).</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<BatchAcceptResult> TryAcceptAsync(IReadOnlyList<StreamEvent> batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return AcceptCoreAsync(batch, null, validated: false, cancellationToken);
    }

    /// <summary>Decodes an NDJSON body (errors carry line numbers) and accepts its valid events as one batch.</summary>
    /// <param name="ndjson">UTF-8 NDJSON.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The outcome, with parse errors included.</returns>
    public ValueTask<BatchAcceptResult> TryAcceptNdjsonAsync(ReadOnlyMemory<byte> ndjson, CancellationToken cancellationToken = default)
    {
        var lines = Parser.Parse(ndjson.Span);
        var events = new List<StreamEvent>(lines.Count);
        List<EventError>? errors = null;
        foreach (var line in lines)
        {
            if (line.Event is { } e)
            {
                events.Add(e);
            }
            else
            {
                (errors ??= []).Add(line.Error!);
            }
        }

        return AcceptCoreAsync(events, errors, validated: true, cancellationToken);
    }

    /// <summary>Waits until every event accepted so far is applied and every closed window delivered to the sink.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Completion.</returns>
    public async Task DrainAsync(CancellationToken cancellationToken = default)
    {
        await DrainPartitionsAsync(cancellationToken);
        await _host.Hub.DrainAsync(cancellationToken);
        _host.ThrowIfFaulted();
    }

    /// <summary>Provisional aggregates of the open windows (a consistent snapshot per partition).</summary>
    /// <param name="query">Filter (null = all).</param>
    /// <returns>Results ordered by window end, size and series.</returns>
    public IReadOnlyList<WindowResult> QueryOpenWindows(WindowQuery? query = null)
    {
        var results = new List<WindowResult>();
        var aggregations = _host.Aggregations;
        foreach (var partition in _partitions)
        {
            lock (partition.Lock)
            {
                partition.Store.Snapshot(query, aggregations, results);
            }
        }

        return Sorted(results);
    }

    /// <summary>Final aggregates of recently closed windows (the last <see cref="StreamingConfig.ClosedWindowHistory"/>).</summary>
    /// <param name="query">Filter (null = all).</param>
    /// <returns>Results ordered by window end, size and series.</returns>
    public IReadOnlyList<WindowResult> QueryClosedWindows(WindowQuery? query = null) => Sorted(_host.Hub.QueryHistory(query));

    /// <summary>Subscribes to closed windows with a bounded queue (oldest dropped and counted when full).</summary>
    /// <param name="capacity">Queue length (default <see cref="StreamingConfig.SubscriberQueueCapacity"/>).</param>
    /// <param name="filter">Only matching windows (metrics filter not applied).</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    public WindowSubscription Subscribe(int? capacity = null, WindowQuery? filter = null)
    {
        var size = capacity ?? _config.SubscriberQueueCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(capacity));
        return _host.Hub.Subscribe(size, filter);
    }

    /// <summary>Registers a custom aggregation computed for every window (of its size) from now on; windows that already
    /// had events for a series report it as <see cref="CustomAggregateValue.Partial"/>. Register before
    /// <see cref="StartAsync"/> to have its state restored from a checkpoint.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="config">Definition.</param>
    /// <returns>The registered aggregation.</returns>
    public CustomAggregation CreateCustomAggregation(string name, AggregationConfig config)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(name);
        if (config.WindowSize is { } size && !Array.Exists(_specs, s => s.SizeTicks == size.Ticks))
        {
            throw new ArgumentException($"Custom aggregation '{name}': window {size} is not a configured window size ({string.Join(", ", _specs.Select(s => s.Size))}); add it to StreamingConfig.WindowSizes or omit it.");
        }

        lock (_aggregationLock)
        {
            var current = _host.Aggregations;
            if (Array.Exists(current, a => a.Name == name))
            {
                throw new ArgumentException($"A custom aggregation named '{name}' already exists; remove it first or choose another name.");
            }

            var aggregation = new CustomAggregation(name, config, _config.SketchRelativeAccuracy, _config.SketchMaxBuckets);
            _host.Aggregations = [.. current, aggregation];
            return aggregation;
        }
    }

    /// <summary>Registers a custom aggregation from its JSON description (see <see cref="AggregationJson"/>).</summary>
    /// <param name="json">Description with a <c>name</c>.</param>
    /// <returns>The registered aggregation.</returns>
    public CustomAggregation CreateCustomAggregation(string json)
    {
        var (name, config) = AggregationJson.Parse(json);
        return CreateCustomAggregation(name, config);
    }

    /// <summary>Removes a custom aggregation; it disappears from results at once.</summary>
    /// <param name="name">Name.</param>
    /// <returns>Whether it existed.</returns>
    public bool RemoveCustomAggregation(string name)
    {
        lock (_aggregationLock)
        {
            var current = _host.Aggregations;
            var kept = current.Where(a => a.Name != name).ToArray();
            _host.Aggregations = kept;
            return kept.Length != current.Length;
        }
    }

    /// <summary>Counters, gauges and the accept → queryable latency histogram.</summary>
    /// <returns>A snapshot.</returns>
    public EngineMetrics GetMetrics()
    {
        long openWindows = 0;
        foreach (var partition in _partitions)
        {
            lock (partition.Lock)
            {
                openWindows += partition.Store.OpenWindowCount;
            }
        }

        return new EngineMetrics
        {
            Accepted = EngineCounters.Read(ref _counters.Accepted),
            Rejected = EngineCounters.Read(ref _counters.Rejected),
            Duplicates = EngineCounters.Read(ref _counters.Duplicates),
            Late = EngineCounters.Read(ref _counters.Late),
            WindowsClosed = EngineCounters.Read(ref _counters.WindowsClosed),
            WindowResultsEmitted = EngineCounters.Read(ref _counters.WindowResultsEmitted),
            LatencyPromiseBroken = EngineCounters.Read(ref _counters.LatencyPromiseBroken),
            BufferFullRejections = EngineCounters.Read(ref _counters.BufferFullRejections),
            SeriesOverflow = EngineCounters.Read(ref _counters.SeriesOverflow),
            CustomAggregationOverflow = EngineCounters.Read(ref _counters.CustomAggregationOverflow),
            SubscriberDrops = EngineCounters.Read(ref _counters.SubscriberDrops),
            SinkFailures = EngineCounters.Read(ref _counters.SinkFailures),
            LateSinkFailures = EngineCounters.Read(ref _counters.LateSinkFailures),
            DedupEarlyEvictions = _dedup.EarlyEvictions,
            DedupMemoryBytes = _dedup.MemoryBytes,
            BufferedEvents = _host.InFlight,
            OpenWindows = openWindows,
            Watermark = Watermark,
            AcceptToQueryableLatency = _host.Latency.Snapshot(),
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _gate.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Test hook: stops the workers from taking new work (to fill the buffer deterministically).</summary>
    internal void PauseWorkers(bool paused) => _host.SetPaused(paused);

    /// <summary>Test hook: batches whose window close waited for the batches queued behind them, over all partitions.</summary>
    internal long DeferredCloses => _partitions.Sum(p => p.DeferredCloses);

    private static long Epoch(DateTimeOffset time) => time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    private static List<WindowResult> Sorted(List<WindowResult> results)
    {
        results.Sort((a, b) =>
        {
            var c = a.End.CompareTo(b.End);
            c = c != 0 ? c : a.Size.CompareTo(b.Size);
            c = c != 0 ? c : a.Slide.CompareTo(b.Slide);
            return c != 0 ? c : CompareSeries(a.Series, b.Series);
        });
        return results;
    }

    private async Task DrainPartitionsAsync(CancellationToken cancellationToken)
    {
        var barriers = new Task[_partitions.Length];
        for (var p = 0; p < _partitions.Length; p++)
        {
            var barrier = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _partitions[p].Enqueue(new WorkItem { Barrier = barrier });
            barriers[p] = barrier.Task;
        }

        await Task.WhenAll(barriers).WaitAsync(cancellationToken);
    }

    private void OnTimer()
    {
        if (Volatile.Read(ref _state) != 1 || !_gate.Wait(0))
        {
            return; // busy accepting: that batch publishes the watermark itself
        }

        try
        {
            var before = _watermark.Published;
            var marker = _watermark.Publish(Epoch(_clock.GetUtcNow()));
            if (marker.Watermark > before)
            {
                foreach (var partition in _partitions)
                {
                    partition.Enqueue(new WorkItem { Marker = marker });
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }
}
