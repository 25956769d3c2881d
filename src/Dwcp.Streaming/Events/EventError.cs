namespace Dwcp.Streaming;

/// <summary>Why one event (one NDJSON line, or one item of a batch) was rejected.</summary>
/// <param name="LineNumber">1-based NDJSON line number, or 1-based position in a batch given in code.</param>
/// <param name="Field">Offending field (<c>event_id</c>, <c>timestamp</c>, <c>metrics.cpu</c>, …), or <c>line</c> for the whole line.</param>
/// <param name="Message">What was wrong and what to do.</param>
public sealed record EventError(int LineNumber, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"line {LineNumber}, field {Field}: {Message}";
}

/// <summary>One decoded NDJSON line: an event or an error.</summary>
/// <param name="LineNumber">1-based line number within the batch.</param>
/// <param name="Event">The event when the line is valid.</param>
/// <param name="Error">The reason when it is not.</param>
public readonly record struct ParsedLine(int LineNumber, StreamEvent? Event, EventError? Error)
{
    /// <summary>Whether the line produced an event.</summary>
    public bool IsValid => Event is not null;
}

/// <summary>Checks the rules every event must satisfy, whether decoded from NDJSON or built in code.</summary>
internal static class EventValidator
{
    private static readonly long MaxEpochTicks = DateTimeOffset.MaxValue.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;

    public static EventError? Validate(StreamEvent e, ParserOptions options, DateTimeOffset now, int lineNumber)
    {
        if (string.IsNullOrEmpty(e.EventId))
        {
            return new(lineNumber, "event_id", "event_id is missing or empty; give every event a unique id (e.g. a UUID).");
        }

        if (e.Timestamp < DateTimeOffset.UnixEpoch || e.EpochTicks > MaxEpochTicks)
        {
            return new(lineNumber, "timestamp", $"timestamp {e.Timestamp:O} is before 1970-01-01; send a UTC ISO-8601 time or epoch milliseconds.");
        }

        if (e.Timestamp > now + options.MaxFutureSkew)
        {
            return new(lineNumber, "timestamp",
                $"timestamp {e.Timestamp:O} is more than {options.MaxFutureSkew} after the server clock {now:O}; fix the producer's clock or raise analytics.streaming.max_future_skew (ParserOptions.MaxFutureSkew in code).");
        }

        if (string.IsNullOrEmpty(e.EventType))
        {
            return new(lineNumber, "event_type", "event_type is empty; omit it (default '" + options.DefaultEventType + "') or name the type.");
        }

        if (options.UnknownEventTypes == UnknownEventTypePolicy.Reject && !Contains(options.AllowedEventTypes, e.EventType))
        {
            return new(lineNumber, "event_type",
                $"event_type '{e.EventType}' is not allowed; use one of {string.Join(", ", options.AllowedEventTypes)} or add it to analytics.streaming.allowed_event_types (ParserOptions.AllowedEventTypes in code).");
        }

        var metrics = e.Metrics;
        if (metrics.Length > options.MaxMetricsPerEvent)
        {
            return new(lineNumber, "metrics", $"{metrics.Length} metrics exceed the limit of {options.MaxMetricsPerEvent} (ParserOptions.MaxMetricsPerEvent); split the event.");
        }

        for (var i = 0; i < metrics.Length; i++)
        {
            var metric = metrics[i];
            if (string.IsNullOrEmpty(metric.Name))
            {
                return new(lineNumber, "metrics", "a metric has an empty name; name every metric.");
            }

            if (!double.IsFinite(metric.Value))
            {
                return new(lineNumber, "metrics." + metric.Name, $"metric '{metric.Name}' is {metric.Value}; only finite numbers are accepted.");
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(metrics[j].Name, metric.Name, StringComparison.Ordinal))
                {
                    return new(lineNumber, "metrics." + metric.Name, $"metric '{metric.Name}' appears twice; send each metric once per event.");
                }
            }
        }

        return null;
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
