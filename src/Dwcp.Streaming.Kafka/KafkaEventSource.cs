using System.Text;
using Confluent.Kafka;

namespace Dwcp.Streaming.Kafka;

/// <summary>
/// Reads events from a Kafka topic as a member of a consumer group and hands them to a <see cref="RealtimeEngine"/>.
/// Each message holds one event as JSON, or several as NDJSON lines, in the wire form of <c>POST /api/v1/events</c>.
/// </summary>
/// <remarks>
/// <para><b>At least once in, exactly once out.</b> Auto-commit is off. A batch's offsets are committed only after
/// <see cref="RealtimeEngine.TryAcceptAsync"/> returned for all its events, which is after the engine's write-ahead log
/// holding them was flushed to disk, and after its dead letters were written. A crash before the commit makes the group
/// read the batch again; the engine recovers its log first, so its duplicate filter (by <c>event_id</c>) drops the
/// replayed events and every event counts once.</para>
/// <para><b>Bad messages</b> (malformed JSON, missing fields, NaN, far-future time, over-long lines, empty messages)
/// become <see cref="DeadLetter"/>s with topic, partition, offset, line and reason; the good lines of the same message
/// still count and the stream never stops.</para>
/// <para><b>Backpressure.</b> When the engine's buffer is full, the source pauses its partitions (nothing is fetched or
/// dropped), waits the engine's retry-after and resumes once the batch is taken.</para>
/// </remarks>
public sealed partial class KafkaEventSource
{
    private readonly RealtimeEngine _engine;
    private readonly KafkaSourceOptions _options;
    private readonly IDeadLetterSink? _deadLetters;
    private readonly TimeProvider _time;
    private readonly Action<string>? _log;
    private readonly int _chunk;
    private readonly TaskCompletionSource _assigned = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<DeadLetter> _recent = new();
    private readonly Lock _recentLock = new();
    private readonly Counters _counters = new();

    // The batch being collected (touched only by the loop, and by the revocation handler that runs inside Consume).
    private readonly List<StreamEvent> _events = [];
    private readonly List<(TopicPartition Partition, long Offset, int Line)> _origins = [];
    private readonly List<DeadLetter> _letters = [];
    private readonly Dictionary<TopicPartition, long> _nextOffsets = [];
    private int _running;

    /// <summary>Creates a source; nothing is read until <see cref="RunAsync"/>.</summary>
    /// <param name="engine">A started engine with a <see cref="StreamingConfig.DataDirectory"/> (its log makes the commits safe).</param>
    /// <param name="options">Brokers, topic, group and limits (validated here).</param>
    /// <param name="deadLetters">Where bad messages go (default: a <see cref="FileDeadLetterSink"/> at
    /// <see cref="KafkaSourceOptions.DeadLetterPath"/> when set; the source disposes a sink it created).</param>
    /// <param name="timeProvider">Clock for batch deadlines and backoff.</param>
    /// <param name="log">Receives warnings (consumer errors, dead letters, failed commits).</param>
    public KafkaEventSource(RealtimeEngine engine, KafkaSourceOptions options, IDeadLetterSink? deadLetters = null, TimeProvider? timeProvider = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (engine.Config.DataDirectory is null)
        {
            throw new ArgumentException("The Kafka source commits offsets only once the events are durable, which needs the engine's write-ahead log: set StreamingConfig.DataDirectory.", nameof(engine));
        }

        _engine = engine;
        _options = options;
        _deadLetters = deadLetters;
        OwnsDeadLetters = deadLetters is null && options.DeadLetterPath is not null;
        if (OwnsDeadLetters)
        {
            _deadLetters = new FileDeadLetterSink(options.DeadLetterPath!);
        }

        _time = timeProvider ?? TimeProvider.System;
        _log = log;
        _chunk = Math.Max(1, Math.Min(options.MaxBatchEvents, engine.Config.BufferSize / 2));
    }

    /// <summary>Completes when the group has assigned this consumer its first partitions.</summary>
    public Task Assigned => _assigned.Task;

    /// <summary>Counters since construction.</summary>
    public KafkaSourceStats Stats => _counters.Snapshot();

    /// <summary>The most recent dead letters (up to 1000), oldest first.</summary>
    public IReadOnlyList<DeadLetter> RecentDeadLetters
    {
        get
        {
            lock (_recentLock)
            {
                return [.. _recent];
            }
        }
    }

    private bool OwnsDeadLetters { get; }

    /// <summary>
    /// Joins the group and consumes until <paramref name="cancellationToken"/> is cancelled, then leaves the group.
    /// Events collected but not yet accepted when it stops are not committed, so they are read again next time.
    /// </summary>
    /// <param name="cancellationToken">Stops the source.</param>
    /// <returns>Completes when the consumer has closed.</returns>
    /// <exception cref="KafkaException">A fatal client error (bad configuration, authentication failure).</exception>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _running, 1) != 0
            ? throw new InvalidOperationException("RunAsync was already called on this KafkaEventSource; create a new source to run again.")
            : Task.Run(() => LoopAsync(cancellationToken), CancellationToken.None);

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var consumer = BuildConsumer();
        consumer.Subscribe(_options.Topic);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Collect(consumer, cancellationToken);
                if (_nextOffsets.Count > 0)
                {
                    await FlushAsync(consumer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: whatever was not committed is read again by the next member of the group.
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException ex)
            {
                _log?.Invoke($"Kafka consumer close failed: {ex.Message}");
            }

            if (OwnsDeadLetters)
            {
                await _deadLetters!.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private IConsumer<Ignore, byte[]> BuildConsumer()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = string.Join(',', _options.Brokers),
            GroupId = _options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = _options.AutoOffsetReset == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        };
        foreach (var (key, value) in _options.Properties)
        {
            config.Set(key, value);
        }

        return new ConsumerBuilder<Ignore, byte[]>(config)
            .SetErrorHandler((_, e) =>
            {
                _counters.Increment(ref _counters.ClientErrors);
                _log?.Invoke($"Kafka client error ({(e.IsFatal ? "fatal" : "will retry")}): {e.Code}: {e.Reason}");
            })
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                _log?.Invoke($"Kafka partitions assigned: {string.Join(", ", partitions.Select(p => p.Partition.Value))}");
                _assigned.TrySetResult();
            })
            .SetPartitionsRevokedHandler((_, partitions) => DropPending([.. partitions.Select(p => p.TopicPartition)]))
            .SetPartitionsLostHandler((_, partitions) => DropPending([.. partitions.Select(p => p.TopicPartition)]))
            .Build();
    }

    /// <summary>Forgets collected, unaccepted messages of partitions this member no longer owns: their new owner reads
    /// them from the committed offset, and accepting them here could commit for a partition we lost.</summary>
    private void DropPending(HashSet<TopicPartition> revoked)
    {
        if (revoked.Count == 0 || _nextOffsets.Count == 0)
        {
            return;
        }

        for (var i = _events.Count - 1; i >= 0; i--)
        {
            if (revoked.Contains(_origins[i].Partition))
            {
                _events.RemoveAt(i);
                _origins.RemoveAt(i);
            }
        }

        _letters.RemoveAll(l => revoked.Contains(new TopicPartition(l.Topic, l.Partition)));
        foreach (var partition in revoked)
        {
            _nextOffsets.Remove(partition);
        }
    }

    private static string Cut(ReadOnlySpan<byte> bytes, int max)
    {
        if (bytes.Length > max)
        {
            bytes = bytes[..max];
        }

        return Encoding.UTF8.GetString(bytes).TrimEnd('\r');
    }

    private static ReadOnlySpan<byte> LineOf(ReadOnlySpan<byte> value, int lineNumber)
    {
        for (var n = 1; ; n++)
        {
            var end = value.IndexOf((byte)'\n');
            if (n == lineNumber || end < 0)
            {
                return end < 0 ? value : value[..end];
            }

            value = value[(end + 1)..];
        }
    }
}
