using GraphQL.Types;

namespace Dwcp.Server.Graph;

/// <summary>Direction of a window's value against the previous closed window of the same key (rule: <see cref="StreamTrends"/>).</summary>
public enum StreamTrend
{
    /// <summary>The value rose by more than the stable band.</summary>
    Increasing,

    /// <summary>The value fell by more than the stable band.</summary>
    Decreasing,

    /// <summary>Within the stable band, or no previous closed window.</summary>
    Stable,
}

/// <summary>Which windows <c>streamWindows</c> reads.</summary>
public enum StreamWindowState
{
    /// <summary>Provisional aggregates of windows the watermark has not passed yet.</summary>
    Open,

    /// <summary>Final aggregates of closed windows (the engine keeps the last <c>ClosedWindowHistory</c>).</summary>
    Closed,
}

/// <summary>Which aggregate of a window is its <c>value</c> (and drives its trend).</summary>
public enum StreamAggregate
{
    /// <summary>sum / count.</summary>
    Avg,

    /// <summary>Sum.</summary>
    Sum,

    /// <summary>Minimum.</summary>
    Min,

    /// <summary>Maximum.</summary>
    Max,

    /// <summary>Value of the latest event by event time.</summary>
    Last,

    /// <summary>Events carrying the metric.</summary>
    Count,

    /// <summary>Median estimate (DDSketch).</summary>
    P50,

    /// <summary>95th percentile estimate (DDSketch).</summary>
    P95,

    /// <summary>99th percentile estimate (DDSketch).</summary>
    P99,
}

/// <summary>One metric of one window × series, as <c>streamMetrics</c> and <c>streamWindows</c> return it.</summary>
/// <param name="Name">Metric name.</param>
/// <param name="Value">The <c>valueOf</c> aggregate (default the average).</param>
/// <param name="Timestamp">The window end: the value summarises the window that ends here.</param>
/// <param name="Trend">Against the previous closed window of the same key.</param>
/// <param name="PreviousValue">That previous window's value, or null when there is none.</param>
/// <param name="Window">The window and series.</param>
/// <param name="Aggregate">All built-in aggregates of the metric.</param>
public sealed record StreamMetricView(string Name, double Value, DateTimeOffset Timestamp, StreamTrend Trend, double? PreviousValue,
    Dwcp.Streaming.WindowResult Window, Dwcp.Streaming.MetricAggregate Aggregate);

/// <summary>Engine health for dashboards: ingest rate, counters, latency quantiles, watermark.</summary>
public sealed record StreamStatsView
{
    /// <summary>Events accepted per second over the last measurement window, or null until two samples exist.</summary>
    public double? IngestRate { get; init; }

    /// <summary>Seconds the rate was measured over (0 when <see cref="IngestRate"/> is null).</summary>
    public double IngestRateWindowSeconds { get; init; }

    /// <summary>The engine's counters and gauges.</summary>
    public required Dwcp.Streaming.EngineMetrics Metrics { get; init; }

    /// <summary>Accept → queryable latency quantiles in milliseconds (histogram interpolation), null without observations.</summary>
    public double? LatencyP50Ms { get; init; }

    /// <inheritdoc cref="LatencyP50Ms"/>
    public double? LatencyP95Ms { get; init; }

    /// <inheritdoc cref="LatencyP50Ms"/>
    public double? LatencyP99Ms { get; init; }

    /// <summary>Open <c>streamMetrics</c> subscriptions of this server.</summary>
    public long ActiveSubscriptions { get; init; }

    /// <summary>Configured window sizes (short form, e.g. <c>1m</c>).</summary>
    public required IReadOnlyList<string> WindowSizes { get; init; }
}

/// <summary>GraphQL enum INCREASING / DECREASING / STABLE of a streamed metric.</summary>
public sealed class StreamTrendEnum : EnumerationGraphType<StreamTrend>
{
    /// <summary>Creates the type.</summary>
    public StreamTrendEnum()
    {
        Name = "MetricTrend";
        Description = "A window's value against the previous closed window of the same metric, series and window size: "
            + "INCREASING / DECREASING when it moved by more than 1% of the previous value's magnitude, else STABLE (also when there is no previous window).";
    }
}

/// <summary>GraphQL enum OPEN / CLOSED.</summary>
public sealed class StreamWindowStateEnum : EnumerationGraphType<StreamWindowState>
{
    /// <summary>Creates the type.</summary>
    public StreamWindowStateEnum()
    {
        Name = "WindowState";
        Description = "OPEN: provisional aggregates of windows the watermark has not passed; CLOSED: final aggregates.";
    }
}

/// <summary>GraphQL enum of the aggregate a streamed metric's value is.</summary>
public sealed class StreamAggregateEnum : EnumerationGraphType<StreamAggregate>
{
    /// <summary>Creates the type.</summary>
    public StreamAggregateEnum()
    {
        Name = "StreamAggregate";
        Description = "Which aggregate of the window is the metric's value (and drives its trend).";
    }
}

/// <summary>GraphQL type <c>StreamMetric</c>.</summary>
public sealed class StreamMetricType : ObjectGraphType<StreamMetricView>
{
    /// <summary>Creates the type.</summary>
    public StreamMetricType()
    {
        Name = "StreamMetric";
        Description = "One metric of one event-time window × series. Closed windows are final; open ones provisional (final: false).";
        Field<NonNullGraphType<StringGraphType>>("name").Description("Metric name.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<FloatGraphType>>("value").Description("The valueOf aggregate (default AVG: sum / count).").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<StringGraphType>>("timestamp").Description("The window end (ISO 8601, UTC): the value summarises the window ending here.")
            .Resolve(c => StreamFormat.Time(c.Source.Timestamp));
        Field<NonNullGraphType<StreamTrendEnum>>("trend").Description("Against the previous closed window of the same key (see MetricTrend).").Resolve(c => c.Source.Trend);
        Field<FloatGraphType>("previousValue").Description("The previous closed window's value; null when there is none.").Resolve(c => c.Source.PreviousValue);
        Field<NonNullGraphType<StringGraphType>>("windowStart").Description("Window start, inclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(c.Source.Window.Start));
        Field<NonNullGraphType<StringGraphType>>("windowEnd").Description("Window end, exclusive (ISO 8601, UTC).").Resolve(c => StreamFormat.Time(c.Source.Window.End));
        Field<NonNullGraphType<StringGraphType>>("windowSize").Description("Window length, e.g. 1m, 5m, 15m.").Resolve(c => StreamFormat.Size(c.Source.Window.Size));
        Field<NonNullGraphType<StringGraphType>>("windowSlide").Description("Distance between window starts (= windowSize for tumbling windows).").Resolve(c => StreamFormat.Size(c.Source.Window.Slide));
        Field<NonNullGraphType<BooleanGraphType>>("final").Description("True for a closed window, false for a provisional open one.").Resolve(c => c.Source.Window.IsFinal);
        Field<NonNullGraphType<StringGraphType>>("eventType").Resolve(c => c.Source.Window.Series.EventType);
        Field<NonNullGraphType<StringGraphType>>("resourceId").Description("Empty unless the engine groups by resource_id.").Resolve(c => c.Source.Window.Series.ResourceId);
        Field<NonNullGraphType<StringGraphType>>("provider").Resolve(c => c.Source.Window.Series.Provider);
        Field<NonNullGraphType<StringGraphType>>("region").Resolve(c => c.Source.Window.Series.Region);
        Field<NonNullGraphType<StringGraphType>>("service").Resolve(c => c.Source.Window.Series.Service);
        Field<NonNullGraphType<StringGraphType>>("account").Resolve(c => c.Source.Window.Series.Account);
        Field<NonNullGraphType<StringGraphType>>("tags").Description("Grouped tags as key=value pairs joined by ';'.").Resolve(c => c.Source.Window.Series.Tags);
        Field<NonNullGraphType<LongGraphType>>("count").Description("Events carrying the metric.").Resolve(c => c.Source.Aggregate.Count);
        Field<NonNullGraphType<FloatGraphType>>("sum").Resolve(c => c.Source.Aggregate.Sum);
        Field<NonNullGraphType<FloatGraphType>>("avg").Resolve(c => c.Source.Aggregate.Average);
        Field<NonNullGraphType<FloatGraphType>>("min").Resolve(c => c.Source.Aggregate.Min);
        Field<NonNullGraphType<FloatGraphType>>("max").Resolve(c => c.Source.Aggregate.Max);
        Field<NonNullGraphType<FloatGraphType>>("last").Description("Value of the latest event by event time.").Resolve(c => c.Source.Aggregate.Last);
        Field<NonNullGraphType<FloatGraphType>>("p50").Description("DDSketch estimate (relative error ≤ 1% by default).").Resolve(c => c.Source.Aggregate.P50);
        Field<NonNullGraphType<FloatGraphType>>("p95").Resolve(c => c.Source.Aggregate.P95);
        Field<NonNullGraphType<FloatGraphType>>("p99").Resolve(c => c.Source.Aggregate.P99);
        Field<NonNullGraphType<LongGraphType>>("windowEventCount").Description("All events of the window × series (with any metric).").Resolve(c => c.Source.Window.EventCount);
    }
}

/// <summary>GraphQL type <c>StreamStats</c>.</summary>
public sealed class StreamStatsType : ObjectGraphType<StreamStatsView>
{
    /// <summary>Creates the type.</summary>
    public StreamStatsType()
    {
        Name = "StreamStats";
        Description = "The real-time engine's ingest rate, counters, latency and watermark.";
        Field<FloatGraphType>("ingestRate").Description("Events accepted per second over the last ≤ 10 s between streamStats calls; null on the first call.").Resolve(c => c.Source.IngestRate);
        Field<NonNullGraphType<FloatGraphType>>("ingestRateWindowSeconds").Description("Seconds ingestRate was measured over.").Resolve(c => c.Source.IngestRateWindowSeconds);
        Field<NonNullGraphType<LongGraphType>>("accepted").Resolve(c => c.Source.Metrics.Accepted);
        Field<NonNullGraphType<LongGraphType>>("rejected").Resolve(c => c.Source.Metrics.Rejected);
        Field<NonNullGraphType<LongGraphType>>("duplicates").Resolve(c => c.Source.Metrics.Duplicates);
        Field<NonNullGraphType<LongGraphType>>("late").Resolve(c => c.Source.Metrics.Late);
        Field<NonNullGraphType<LongGraphType>>("windowsClosed").Resolve(c => c.Source.Metrics.WindowsClosed);
        Field<NonNullGraphType<LongGraphType>>("latencyPromiseBroken").Resolve(c => c.Source.Metrics.LatencyPromiseBroken);
        Field<NonNullGraphType<LongGraphType>>("bufferedEvents").Resolve(c => c.Source.Metrics.BufferedEvents);
        Field<NonNullGraphType<LongGraphType>>("openWindows").Resolve(c => c.Source.Metrics.OpenWindows);
        Field<NonNullGraphType<LongGraphType>>("subscriberDrops").Resolve(c => c.Source.Metrics.SubscriberDrops);
        Field<NonNullGraphType<LongGraphType>>("latencyCount").Description("Accept → queryable observations (one per batch).").Resolve(c => c.Source.Metrics.AcceptToQueryableLatency.Count);
        Field<FloatGraphType>("latencyP50Ms").Description("Accept → queryable latency, ms, interpolated in the /metrics histogram buckets; null without observations.").Resolve(c => c.Source.LatencyP50Ms);
        Field<FloatGraphType>("latencyP95Ms").Resolve(c => c.Source.LatencyP95Ms);
        Field<FloatGraphType>("latencyP99Ms").Resolve(c => c.Source.LatencyP99Ms);
        Field<StringGraphType>("watermark").Description("Event-time watermark (ISO 8601); null before any event.")
            .Resolve(c => c.Source.Metrics.Watermark == DateTimeOffset.MinValue ? null : StreamFormat.Time(c.Source.Metrics.Watermark));
        Field<NonNullGraphType<LongGraphType>>("activeSubscriptions").Description("Open streamMetrics subscriptions in this server.").Resolve(c => c.Source.ActiveSubscriptions);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("windowSizes").Description("Configured window sizes.").Resolve(c => c.Source.WindowSizes);
    }
}
