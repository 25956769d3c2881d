namespace Dwcp.Streaming;

/// <summary>Prometheus-style histogram data: cumulative counts per upper bound (the last bound is +Inf).</summary>
/// <param name="UpperBoundsSeconds">Bucket upper bounds in seconds, ascending, ending with +Infinity.</param>
/// <param name="CumulativeCounts">Observations ≤ each bound (same length).</param>
/// <param name="Count">All observations.</param>
/// <param name="SumSeconds">Sum of observations in seconds.</param>
public sealed record HistogramSnapshot(IReadOnlyList<double> UpperBoundsSeconds, IReadOnlyList<long> CumulativeCounts, long Count, double SumSeconds);

/// <summary>Counters and gauges of a <see cref="RealtimeEngine"/> (export them as Prometheus metrics).</summary>
public sealed record EngineMetrics
{
    /// <summary>Events accepted (durable when a data directory is set).</summary>
    public long Accepted { get; init; }

    /// <summary>Events rejected as invalid.</summary>
    public long Rejected { get; init; }

    /// <summary>Events dropped as duplicates of an id seen within retention (counted once).</summary>
    public long Duplicates { get; init; }

    /// <summary>Accepted events that missed at least one already-closed window; each went to the late-events sink.</summary>
    public long Late { get; init; }

    /// <summary>Windows (per partition) closed and emitted final.</summary>
    public long WindowsClosed { get; init; }

    /// <summary>Final window × series results emitted.</summary>
    public long WindowResultsEmitted { get; init; }

    /// <summary>Windows emitted later than <see cref="StreamingConfig.MaxLatencyMs"/> after the watermark passed their end.</summary>
    public long LatencyPromiseBroken { get; init; }

    /// <summary>Batches refused because the input buffer was full.</summary>
    public long BufferFullRejections { get; init; }

    /// <summary>Events folded into the overflow series because a window had <see cref="StreamingConfig.MaxSeriesPerWindow"/> series.</summary>
    public long SeriesOverflow { get; init; }

    /// <summary>Events not tracked by a custom aggregation because it reached its <see cref="AggregationConfig.BufferSize"/>.</summary>
    public long CustomAggregationOverflow { get; init; }

    /// <summary>Closed-window results dropped from full subscriber queues.</summary>
    public long SubscriberDrops { get; init; }

    /// <summary>Closed-window batches the <see cref="IWindowSink"/> failed to write.</summary>
    public long SinkFailures { get; init; }

    /// <summary>Late events the <see cref="ILateEventSink"/> failed to take.</summary>
    public long LateSinkFailures { get; init; }

    /// <summary>Duplicate-filter entries evicted before their retention because of the memory budget.</summary>
    public long DedupEarlyEvictions { get; init; }

    /// <summary>Bytes held by the duplicate filter.</summary>
    public long DedupMemoryBytes { get; init; }

    /// <summary>Events accepted but not yet applied to windows.</summary>
    public long BufferedEvents { get; init; }

    /// <summary>Open windows over all partitions.</summary>
    public long OpenWindows { get; init; }

    /// <summary>Current watermark (event time).</summary>
    public DateTimeOffset Watermark { get; init; }

    /// <summary>Accept → queryable latency per batch.</summary>
    public required HistogramSnapshot AcceptToQueryableLatency { get; init; }
}
