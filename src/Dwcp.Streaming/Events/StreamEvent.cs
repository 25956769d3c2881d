using System.Collections.Immutable;

namespace Dwcp.Streaming;

/// <summary>One named numeric measurement of an event.</summary>
/// <param name="Name">Metric name, e.g. <c>cost</c> or <c>cpu_seconds</c>.</param>
/// <param name="Value">A finite number.</param>
public readonly record struct MetricValue(string Name, double Value);

/// <summary>A free-form string tag of an event.</summary>
/// <param name="Key">Tag key.</param>
/// <param name="Value">Tag value.</param>
public readonly record struct Tag(string Key, string Value);

/// <summary>
/// One usage/cost/metric event. Wire form (NDJSON, snake_case): <c>event_id</c>, <c>timestamp</c>, <c>event_type</c>,
/// <c>metrics</c>, <c>resource_id</c>, <c>provider</c>, <c>region</c>, <c>service</c>, <c>account</c>, <c>tags</c>.
/// Immutable once built; the engine keeps references, never copies.
/// </summary>
public sealed class StreamEvent
{
    private readonly DateTimeOffset _timestamp;

    /// <summary>Producer-assigned id; the same id within <see cref="StreamingConfig.DuplicateRetention"/> counts once.</summary>
    public required string EventId { get; init; }

    /// <summary>Event time, normalised to UTC.</summary>
    public required DateTimeOffset Timestamp
    {
        get => _timestamp;
        init => _timestamp = value.ToUniversalTime();
    }

    /// <summary>Event type, e.g. <c>usage</c>, <c>cost</c>, <c>metric</c>.</summary>
    public string EventType { get; init; } = "usage";

    /// <summary>Numeric measurements; names should be unique within an event (the first wins).</summary>
    public ImmutableArray<MetricValue> Metrics { get; init; } = [];

    /// <summary>Resource the event is about (empty when not given).</summary>
    public string ResourceId { get; init; } = "";

    /// <summary>Cloud provider (empty when not given).</summary>
    public string Provider { get; init; } = "";

    /// <summary>Region (empty when not given).</summary>
    public string Region { get; init; } = "";

    /// <summary>Service (empty when not given).</summary>
    public string Service { get; init; } = "";

    /// <summary>Account (empty when not given).</summary>
    public string Account { get; init; } = "";

    /// <summary>Free-form tags.</summary>
    public ImmutableArray<Tag> Tags { get; init; } = [];

    /// <summary>Event time as ticks since the Unix epoch.</summary>
    internal long EpochTicks => _timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    /// <summary>Looks up a metric by name (ordinal).</summary>
    /// <param name="name">Metric name.</param>
    /// <param name="value">The value when found.</param>
    /// <returns>Whether the event carries the metric.</returns>
    public bool TryGetMetric(string name, out double value)
    {
        foreach (var metric in Metrics)
        {
            if (string.Equals(metric.Name, name, StringComparison.Ordinal))
            {
                value = metric.Value;
                return true;
            }
        }

        value = double.NaN;
        return false;
    }

    /// <summary>Value of a dimension by name: <c>resource_id</c>, <c>provider</c>, <c>region</c>, <c>service</c>,
    /// <c>account</c>, <c>event_type</c>, <c>event_id</c> or <c>tag:NAME</c>; empty when absent.</summary>
    /// <param name="dimension">Dimension name.</param>
    /// <returns>The value, or an empty string.</returns>
    public string GetDimension(string dimension)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        switch (dimension)
        {
            case "resource_id": return ResourceId;
            case "provider": return Provider;
            case "region": return Region;
            case "service": return Service;
            case "account": return Account;
            case "event_type": return EventType;
            case "event_id": return EventId;
            default:
                if (dimension.StartsWith("tag:", StringComparison.Ordinal))
                {
                    var key = dimension.AsSpan(4);
                    foreach (var tag in Tags)
                    {
                        if (key.SequenceEqual(tag.Key))
                        {
                            return tag.Value;
                        }
                    }
                }

                return "";
        }
    }
}
