namespace Dwcp.Streaming.Kafka;

/// <summary>
/// Where and how <see cref="KafkaEventSource"/> reads. Broker-agnostic: everything a cluster needs (addresses, topic,
/// group, TLS/SASL) is configuration; <see cref="Properties"/> passes any further librdkafka setting through.
/// </summary>
public sealed record KafkaSourceOptions
{
    /// <summary>Bootstrap brokers, <c>host:port</c> each (<c>analytics.streaming.kafka_brokers</c>).</summary>
    public IReadOnlyList<string> Brokers { get; init; } = [];

    /// <summary>Topic whose messages hold events as NDJSON (one or more lines each). Default <c>dwcp-events</c>.</summary>
    public string Topic { get; init; } = "dwcp-events";

    /// <summary>Consumer group id; the group's committed offsets are where a restart resumes. Default <c>dwcp-analytics</c>.</summary>
    public string GroupId { get; init; } = "dwcp-analytics";

    /// <summary>Further librdkafka consumer settings, e.g. <c>security.protocol=SASL_SSL</c>, <c>sasl.mechanism</c>,
    /// <c>sasl.username</c>, <c>ssl.ca.location</c>. The source's own settings (group, commit mode) cannot be overridden.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    /// <summary>NDJSON file that receives bad messages with topic, partition, offset and reason; null keeps them only in
    /// <see cref="KafkaEventSource.RecentDeadLetters"/> and the counters.</summary>
    public string? DeadLetterPath { get; init; }

    /// <summary>Most events handed to the engine in one accept call (capped at the engine's buffer size). Default 2000.</summary>
    public int MaxBatchEvents { get; init; } = 2000;

    /// <summary>Longest time a batch waits to fill before it is accepted and committed. Default 50 ms.</summary>
    public TimeSpan MaxBatchWait { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Where a group without committed offsets starts: <c>earliest</c> (default, nothing is skipped) or <c>latest</c>.</summary>
    public string AutoOffsetReset { get; init; } = "earliest";

    /// <summary>Longest payload copied into a dead letter (longer ones are cut and marked). Default 64 KiB.</summary>
    public int MaxDeadLetterPayloadBytes { get; init; } = 64 * 1024;

    /// <summary>Settings the source owns; <see cref="Properties"/> may not set them.</summary>
    internal static readonly string[] Reserved = ["bootstrap.servers", "group.id", "enable.auto.commit", "enable.auto.offset.store", "auto.offset.reset"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and how to fix it.</summary>
    public void Validate()
    {
        if (Brokers.Count == 0 || Brokers.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("KafkaSourceOptions.Brokers is empty or holds a blank entry: list the bootstrap brokers as host:port (analytics.streaming.kafka_brokers).");
        }

        if (string.IsNullOrWhiteSpace(Topic))
        {
            throw new ArgumentException("KafkaSourceOptions.Topic is empty: name the topic to read (analytics.streaming.kafka_topic).");
        }

        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new ArgumentException("KafkaSourceOptions.GroupId is empty: name the consumer group (analytics.streaming.kafka_group_id).");
        }

        if (MaxBatchEvents < 1 || MaxBatchWait <= TimeSpan.Zero || MaxDeadLetterPayloadBytes < 64)
        {
            throw new ArgumentException($"KafkaSourceOptions: MaxBatchEvents ({MaxBatchEvents}) must be at least 1, MaxBatchWait ({MaxBatchWait}) more than 0 and MaxDeadLetterPayloadBytes ({MaxDeadLetterPayloadBytes}) at least 64.");
        }

        if (AutoOffsetReset is not ("earliest" or "latest"))
        {
            throw new ArgumentException($"KafkaSourceOptions.AutoOffsetReset is '{AutoOffsetReset}': use earliest or latest.");
        }

        foreach (var key in Properties.Keys)
        {
            if (Reserved.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Kafka property '{key}' is set by the source itself (at-least-once commits need it); remove it from analytics.streaming.kafka_properties.");
            }
        }
    }

    /// <summary>Parses <c>key=value</c> entries (as in <c>analytics.streaming.kafka_properties</c>) into a dictionary.</summary>
    /// <param name="entries">Entries.</param>
    /// <returns>The properties.</returns>
    /// <exception cref="FormatException">An entry has no <c>=</c> or an empty key.</exception>
    public static IReadOnlyDictionary<string, string> ParseProperties(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || string.IsNullOrWhiteSpace(entry[..eq]))
            {
                throw new FormatException($"'{entry}' is not a Kafka property: write key=value, e.g. security.protocol=SASL_SSL.");
            }

            result[entry[..eq].Trim()] = entry[(eq + 1)..].Trim();
        }

        return result;
    }
}
