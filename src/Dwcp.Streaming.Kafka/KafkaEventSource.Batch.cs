using Confluent.Kafka;

namespace Dwcp.Streaming.Kafka;

/// <summary>The batch cycle: collect messages, accept their events, write dead letters, commit.</summary>
public sealed partial class KafkaEventSource
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Consumes until the batch holds enough events or its time is up (or, when empty, one idle poll).</summary>
    private void Collect(IConsumer<Ignore, byte[]> consumer, CancellationToken cancellationToken)
    {
        long started = 0;
        while (_events.Count < _chunk && !cancellationToken.IsCancellationRequested)
        {
            TimeSpan timeout;
            if (_nextOffsets.Count == 0)
            {
                timeout = IdlePoll;
            }
            else
            {
                timeout = _options.MaxBatchWait - _time.GetElapsedTime(started);
                if (timeout <= TimeSpan.Zero)
                {
                    return;
                }
            }

            ConsumeResult<Ignore, byte[]>? result;
            try
            {
                result = consumer.Consume(timeout);
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                _counters.Increment(ref _counters.ClientErrors);
                _log?.Invoke($"Kafka consume error (will retry): {ex.Error.Code}: {ex.Error.Reason}");
                continue;
            }

            if (result is null)
            {
                if (_nextOffsets.Count == 0)
                {
                    return; // idle: let the loop look at the cancellation token
                }

                continue;
            }

            if (result.IsPartitionEOF)
            {
                continue;
            }

            if (_nextOffsets.Count == 0)
            {
                started = _time.GetTimestamp();
            }

            Take(result);
        }
    }

    private void Take(ConsumeResult<Ignore, byte[]> result)
    {
        _counters.Increment(ref _counters.Messages);
        var tp = result.TopicPartition;
        var offset = result.Offset.Value;
        _nextOffsets[tp] = _nextOffsets.TryGetValue(tp, out var next) ? Math.Max(next, offset + 1) : offset + 1;
        var value = result.Message.Value ?? [];
        var lines = _engine.Parser.Parse(value);
        if (lines.Count == 0)
        {
            AddLetter(tp, offset, 0, "message", "the message holds no event (empty or blank); send one JSON event, or NDJSON lines, per message.", value, value);
            return;
        }

        foreach (var line in lines)
        {
            if (line.Event is { } e)
            {
                _events.Add(e);
                _origins.Add((tp, offset, line.LineNumber));
            }
            else
            {
                var error = line.Error!;
                AddLetter(tp, offset, error.LineNumber, error.Field, error.Message, LineOf(value, error.LineNumber), value);
            }
        }
    }

    private void AddLetter(TopicPartition tp, long offset, int line, string field, string reason, ReadOnlySpan<byte> payload, byte[] message) =>
        _letters.Add(new DeadLetter(tp.Topic, tp.Partition.Value, offset, line, field, reason, Cut(payload, _options.MaxDeadLetterPayloadBytes),
            line == 0 ? message.Length : payload.Length));

    private async Task FlushAsync(IConsumer<Ignore, byte[]> consumer, CancellationToken cancellationToken)
    {
        for (var start = 0; start < _events.Count; start += _chunk)
        {
            var count = Math.Min(_chunk, _events.Count - start);
            var chunk = start == 0 && count == _events.Count ? _events : _events.GetRange(start, count);
            var result = await AcceptAsync(consumer, chunk, cancellationToken).ConfigureAwait(false);
            _counters.Add(ref _counters.Accepted, result.Accepted);
            _counters.Add(ref _counters.Duplicates, result.Duplicates);
            _counters.Add(ref _counters.Late, result.Late);
            foreach (var error in result.Errors)
            {
                // Errors of an event batch carry the 1-based position in the batch; map it back to its message and line.
                var (tp, offset, line) = _origins[start + error.LineNumber - 1];
                _letters.Add(new DeadLetter(tp.Topic, tp.Partition.Value, offset, line, error.Field, error.Message, "", 0));
            }
        }

        if (_letters.Count > 0)
        {
            _counters.Add(ref _counters.DeadLetters, _letters.Count);
            if (_deadLetters is not null)
            {
                await _deadLetters.WriteAsync(_letters, cancellationToken).ConfigureAwait(false);
            }

            Remember(_letters);
        }

        Commit(consumer);
        _counters.Increment(ref _counters.Batches);
        _events.Clear();
        _origins.Clear();
        _letters.Clear();
        _nextOffsets.Clear();
    }

    /// <summary>Offers the events until the engine takes them; while its buffer is full the partitions are paused.</summary>
    private async Task<BatchAcceptResult> AcceptAsync(IConsumer<Ignore, byte[]> consumer, List<StreamEvent> events, CancellationToken cancellationToken)
    {
        List<TopicPartition>? paused = null;
        try
        {
            while (true)
            {
                var result = await _engine.TryAcceptAsync(events, cancellationToken).ConfigureAwait(false);
                if (result.Status == AcceptStatus.Accepted)
                {
                    return result;
                }

                if (paused is null)
                {
                    paused = [.. consumer.Assignment];
                    consumer.Pause(paused);
                    _counters.Increment(ref _counters.BackpressurePauses);
                }

                var wait = TimeSpan.FromTicks(Math.Clamp(result.RetryAfter.Ticks, TimeSpan.TicksPerMillisecond * 5, TimeSpan.TicksPerMillisecond * 200));
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (paused is not null)
            {
                consumer.Resume(paused);
            }
        }
    }

    private void Commit(IConsumer<Ignore, byte[]> consumer)
    {
        try
        {
            consumer.Commit([.. _nextOffsets.Select(kv => new TopicPartitionOffset(kv.Key, new Offset(kv.Value)))]);
            _counters.Increment(ref _counters.Commits);
        }
        catch (KafkaException ex) when (!ex.Error.IsFatal)
        {
            // The events are durable; a later commit covers these offsets, or a restart reads them again (deduplicated).
            _counters.Increment(ref _counters.CommitFailures);
            _log?.Invoke($"Kafka offset commit failed (the next batch's commit covers it): {ex.Error.Code}: {ex.Error.Reason}");
        }
    }

    private void Remember(List<DeadLetter> letters)
    {
        lock (_recentLock)
        {
            foreach (var letter in letters)
            {
                if (_recent.Count == 1000)
                {
                    _recent.Dequeue();
                }

                _recent.Enqueue(letter);
            }
        }

        if (_log is not null)
        {
            foreach (var letter in letters.Take(10))
            {
                _log($"Kafka dead letter: {letter}");
            }

            if (letters.Count > 10)
            {
                _log($"Kafka dead letters: {letters.Count - 10} more in this batch.");
            }
        }
    }

    private sealed class Counters
    {
        public long Messages;
        public long Accepted;
        public long Duplicates;
        public long Late;
        public long DeadLetters;
        public long Batches;
        public long Commits;
        public long CommitFailures;
        public long BackpressurePauses;
        public long ClientErrors;

        public void Increment(ref long field) => Interlocked.Increment(ref field);

        public void Add(ref long field, long value) => Interlocked.Add(ref field, value);

        public KafkaSourceStats Snapshot() => new(
            Interlocked.Read(ref Messages), Interlocked.Read(ref Accepted), Interlocked.Read(ref Duplicates), Interlocked.Read(ref Late),
            Interlocked.Read(ref DeadLetters), Interlocked.Read(ref Batches), Interlocked.Read(ref Commits), Interlocked.Read(ref CommitFailures),
            Interlocked.Read(ref BackpressurePauses), Interlocked.Read(ref ClientErrors));
    }
}

/// <summary>Counters of a <see cref="KafkaEventSource"/>.</summary>
/// <param name="Messages">Messages consumed.</param>
/// <param name="Accepted">Events the engine accepted (new, not duplicates).</param>
/// <param name="Duplicates">Events the engine dropped as already counted (e.g. re-read after a crash).</param>
/// <param name="Late">Accepted events that missed a closed window.</param>
/// <param name="DeadLetters">Bad messages or lines sent to the dead-letter sink.</param>
/// <param name="Batches">Batches accepted and committed.</param>
/// <param name="Commits">Successful offset commits.</param>
/// <param name="CommitFailures">Failed offset commits (covered by a later commit or a re-read).</param>
/// <param name="BackpressurePauses">Times the partitions were paused because the engine's buffer was full.</param>
/// <param name="ClientErrors">Errors reported by the Kafka client (connection loss and the like; it retries).</param>
public sealed record KafkaSourceStats(long Messages, long Accepted, long Duplicates, long Late, long DeadLetters, long Batches, long Commits,
    long CommitFailures, long BackpressurePauses, long ClientErrors);
