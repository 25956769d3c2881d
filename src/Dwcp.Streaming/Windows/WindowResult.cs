namespace Dwcp.Streaming;

/// <summary>
/// A series: the event type plus the values of the dimensions in <see cref="StreamingConfig.GroupBy"/> (dimensions not
/// grouped on are empty). <see cref="Tags"/> holds grouped tags as <c>key=value</c> pairs joined by <c>;</c> in the
/// configured order. The overflow series has every dimension set to <see cref="OverflowValue"/>.
/// </summary>
/// <param name="EventType">Event type.</param>
/// <param name="ResourceId">Resource id, when grouped.</param>
/// <param name="Provider">Provider, when grouped.</param>
/// <param name="Region">Region, when grouped.</param>
/// <param name="Service">Service, when grouped.</param>
/// <param name="Account">Account, when grouped.</param>
/// <param name="Tags">Grouped tags.</param>
public readonly record struct SeriesKey(string EventType, string ResourceId, string Provider, string Region, string Service, string Account, string Tags)
{
    /// <summary>Dimension value of the series that collects events beyond <see cref="StreamingConfig.MaxSeriesPerWindow"/>.</summary>
    public const string OverflowValue = "__overflow__";

    /// <summary>Value of a dimension by name (<c>event_type</c>, <c>resource_id</c>, <c>provider</c>, <c>region</c>,
    /// <c>service</c>, <c>account</c>, <c>tags</c>, or <c>tag:NAME</c>).</summary>
    /// <param name="dimension">Dimension name.</param>
    /// <returns>The value, or null for an unknown dimension.</returns>
    public string? Get(string dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        switch (dimension)
        {
            case "event_type": return EventType;
            case "resource_id": return ResourceId;
            case "provider": return Provider;
            case "region": return Region;
            case "service": return Service;
            case "account": return Account;
            case "tags": return Tags;
        }

        if (dimension.StartsWith("tag:", StringComparison.Ordinal))
        {
            var prefix = string.Concat(dimension.AsSpan(4), "=");
            foreach (var part in Tags.Split(';'))
            {
                if (part.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return part[prefix.Length..];
                }
            }

            return "";
        }

        return null;
    }
}

/// <summary>Built-in aggregates of one metric in one window × series. Quantiles come from a DDSketch (relative error ≤ α).</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Count">Events carrying the metric.</param>
/// <param name="Sum">Sum.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
/// <param name="Average">Sum / Count.</param>
/// <param name="Last">Value of the latest event by event time (on ties, the later accepted).</param>
/// <param name="LastTimestamp">Event time of <paramref name="Last"/>.</param>
/// <param name="P50">Median estimate.</param>
/// <param name="P95">95th percentile estimate.</param>
/// <param name="P99">99th percentile estimate.</param>
public sealed record MetricAggregate(string Metric, long Count, double Sum, double Min, double Max, double Average, double Last,
    DateTimeOffset LastTimestamp, double P50, double P95, double P99);

/// <summary>Value of a custom aggregation in one window × series.</summary>
/// <param name="Name">Aggregation name.</param>
/// <param name="Type">Aggregation type.</param>
/// <param name="Value">Value (NaN when undefined, e.g. a zero denominator).</param>
/// <param name="Partial">True when the aggregation was created after the series' window had already received events.</param>
public sealed record CustomAggregateValue(string Name, AggregationType Type, double Value, bool Partial);

/// <summary>Aggregates of one window × series: provisional while the window is open, final once the watermark passed its end.</summary>
/// <param name="Start">Window start (inclusive, event time, UTC).</param>
/// <param name="End">Window end (exclusive).</param>
/// <param name="Size">Window length.</param>
/// <param name="Slide">Distance between window starts (= <paramref name="Size"/> for tumbling windows).</param>
/// <param name="Series">Series key.</param>
/// <param name="IsFinal">True for a closed window; false for a provisional snapshot of an open one.</param>
/// <param name="EventCount">Events aggregated.</param>
/// <param name="Metrics">Built-in aggregates per metric, ordered by metric name.</param>
/// <param name="Custom">Custom aggregations, ordered by name.</param>
public sealed record WindowResult(DateTimeOffset Start, DateTimeOffset End, TimeSpan Size, TimeSpan Slide, SeriesKey Series, bool IsFinal,
    long EventCount, IReadOnlyList<MetricAggregate> Metrics, IReadOnlyList<CustomAggregateValue> Custom)
{
    /// <summary>Whether this is a sliding (not tumbling) window.</summary>
    public bool IsSliding => Slide != Size;

    /// <summary>The aggregates of a metric, or null.</summary>
    /// <param name="metric">Metric name.</param>
    /// <returns>The aggregates or null.</returns>
    public MetricAggregate? Metric(string metric)
    {
        foreach (var m in Metrics)
        {
            if (string.Equals(m.Metric, metric, StringComparison.Ordinal))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>The value of a custom aggregation, or null.</summary>
    /// <param name="name">Aggregation name.</param>
    /// <returns>The value or null.</returns>
    public CustomAggregateValue? CustomValue(string name)
    {
        foreach (var c in Custom)
        {
            if (string.Equals(c.Name, name, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return null;
    }
}

/// <summary>Filter for <see cref="RealtimeEngine.QueryOpenWindows"/> and <see cref="RealtimeEngine.QueryClosedWindows"/>; null fields match all.</summary>
public sealed class WindowQuery
{
    /// <summary>Only these metrics (others are left out of <see cref="WindowResult.Metrics"/>).</summary>
    public IReadOnlyList<string>? Metrics { get; init; }

    /// <summary>Only windows of this size.</summary>
    public TimeSpan? WindowSize { get; init; }

    /// <summary>Only this event type.</summary>
    public string? EventType { get; init; }

    /// <summary>Only series whose dimensions equal these values (keys as in <see cref="SeriesKey.Get"/>).</summary>
    public IReadOnlyDictionary<string, string>? Dimensions { get; init; }

    /// <summary>Only windows ending after this time.</summary>
    public DateTimeOffset? EndsAfter { get; init; }

    internal bool Matches(TimeSpan size, in SeriesKey key)
    {
        if (WindowSize is { } s && s != size)
        {
            return false;
        }

        if (EventType is not null && !string.Equals(EventType, key.EventType, StringComparison.Ordinal))
        {
            return false;
        }

        if (Dimensions is not null)
        {
            foreach (var (dimension, value) in Dimensions)
            {
                if (!string.Equals(key.Get(dimension), value, StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    internal bool WantsMetric(string metric)
    {
        if (Metrics is null)
        {
            return true;
        }

        foreach (var m in Metrics)
        {
            if (string.Equals(m, metric, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
