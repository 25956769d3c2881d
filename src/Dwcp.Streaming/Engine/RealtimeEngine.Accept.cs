using Dwcp.Streaming.Dedup;
using Dwcp.Streaming.Engine;
using Dwcp.Streaming.Events;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming;

/// <summary>The accept path: validation, duplicates, watermark, late routing, log and partition queues.</summary>
public sealed partial class RealtimeEngine
{
    private static int CompareSeries(in SeriesKey a, in SeriesKey b)
    {
        var c = string.CompareOrdinal(a.EventType, b.EventType);
        c = c != 0 ? c : string.CompareOrdinal(a.Provider, b.Provider);
        c = c != 0 ? c : string.CompareOrdinal(a.Region, b.Region);
        c = c != 0 ? c : string.CompareOrdinal(a.Service, b.Service);
        c = c != 0 ? c : string.CompareOrdinal(a.Account, b.Account);
        c = c != 0 ? c : string.CompareOrdinal(a.ResourceId, b.ResourceId);
        return c != 0 ? c : string.CompareOrdinal(a.Tags, b.Tags);
    }

    private async ValueTask<BatchAcceptResult> AcceptCoreAsync(IReadOnlyList<StreamEvent> events, List<EventError>? errors, bool validated, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("The RealtimeEngine is not running: call StartAsync before accepting events (and not after StopAsync).");
        }

        var valid = events;
        if (!validated)
        {
            var now = _clock.GetUtcNow();
            List<StreamEvent>? kept = null;
            for (var i = 0; i < events.Count; i++)
            {
                var error = events[i] is null
                    ? new EventError(i + 1, "event", "the batch holds a null event.")
                    : EventValidator.Validate(events[i], _config.Parser, now, i + 1);
                if (error is not null)
                {
                    kept ??= [.. events.Take(i)];
                    (errors ??= []).Add(error);
                }
                else
                {
                    kept?.Add(events[i]);
                }
            }

            valid = kept ?? events;
        }

        if (valid.Count > _config.BufferSize)
        {
            throw new ArgumentException($"The batch holds {valid.Count} valid events, more than StreamingConfig.BufferSize ({_config.BufferSize}); send smaller batches.", nameof(events));
        }

        long sequence = 0;
        (int Accepted, int Duplicates, int Late) counts;
        await _host.WaitForRoomAsync(valid.Count, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _host.ThrowIfFaulted();
            if (_host.InFlight + valid.Count > _config.BufferSize)
            {
                _counters.Increment(ref _counters.BufferFullRejections);
                return new BatchAcceptResult(AcceptStatus.BufferFull, 0, 0, 0, 0, [], _host.RetryAfter());
            }

            _counters.Add(ref _counters.Rejected, errors?.Count ?? 0);
            counts = ApplyBatchLocked(valid, Epoch(_clock.GetUtcNow()), null, log: _wal is not null, _clock.GetTimestamp(), out sequence);
        }
        finally
        {
            _gate.Release();
        }

        if (sequence > 0)
        {
            await _wal!.WaitDurableAsync(sequence, cancellationToken);
        }

        MaybeCheckpoint();
        IReadOnlyList<EventError> reported = errors is { Count: > 0 } ? errors : [];
        return new BatchAcceptResult(AcceptStatus.Accepted, counts.Accepted, reported.Count, counts.Duplicates, counts.Late, reported, TimeSpan.Zero);
    }

    /// <summary>De-duplicates, advances the watermark, routes late events, logs and queues a batch. Caller holds the gate.</summary>
    private (int Accepted, int Duplicates, int Late) ApplyBatchLocked(IReadOnlyList<StreamEvent> events, long nowTicks, IReadOnlyList<long>? storedHorizons,
        bool log, long startTimestamp, out long walSequence)
    {
        var partitionCount = _partitions.Length;
        var perPartition = _perPartition; // reused: the caller holds the gate
        var perCount = _perCount;
        Array.Clear(perPartition);
        Array.Clear(perCount);
        int accepted = 0, duplicates = 0, late = 0, queued = 0;
        if (log)
        {
            _wal!.BeginBatch(nowTicks);
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var ticks = e.EpochTicks;
            if (!_dedup.TryAdd(DuplicateFilter.Fingerprint(e.EventId), ticks))
            {
                duplicates++;
                continue;
            }

            long horizon;
            if (storedHorizons is null)
            {
                horizon = _watermark.Current(nowTicks);
            }
            else
            {
                horizon = storedHorizons[i];
                _watermark.RaiseTo(horizon);
            }

            _watermark.Observe(ticks, nowTicks);
            accepted++;
            if (log)
            {
                _wal!.AddEvent(e, horizon);
            }

            if (RouteIfLate(e, ticks, horizon, out var missedAll))
            {
                late++;
                if (missedAll)
                {
                    continue;
                }
            }

            var series = _keys.Resolve(e);
            var p = (int)(series.Key.Hash % (ulong)partitionCount);
            var slot = perPartition[p] ??= _partitions[p].RentArray(events.Count);
            slot[perCount[p]++] = new QueuedEvent(e, series, horizon);
            queued++;
        }

        walSequence = log && accepted > 0 ? _wal!.CommitBatch() : 0;
        var marker = _watermark.Publish(nowTicks);
        _host.AddInFlight(queued);
        var busy = 0;
        for (var p = 0; p < partitionCount; p++)
        {
            busy += perCount[p] > 0 ? 1 : 0;
        }

        var token = queued > 0 ? new BatchToken(startTimestamp, busy) : null;
        if (token is not null)
        {
            _host.Track(token);
        }

        for (var p = 0; p < partitionCount; p++)
        {
            _partitions[p].Enqueue(_partitions[p].RentItem(perPartition[p], perCount[p], marker, perCount[p] > 0 ? token : null));
            perPartition[p] = null;
        }

        _counters.Add(ref _counters.Accepted, accepted);
        _counters.Add(ref _counters.Duplicates, duplicates);
        _counters.Add(ref _counters.Late, late);
        _acceptedSinceCheckpoint += accepted;
        return (accepted, duplicates, late);
    }

    private bool RouteIfLate(StreamEvent e, long ticks, long horizon, out bool missedAll)
    {
        missedAll = false;
        List<TimeSpan>? missed = null;
        var total = 0;
        foreach (var spec in _specs)
        {
            for (var start = spec.LastStart(ticks); start > ticks - spec.SizeTicks; start -= spec.SlideTicks)
            {
                total++;
                if (start + spec.SizeTicks <= horizon)
                {
                    (missed ??= []).Add(spec.Size);
                }
            }
        }

        if (missed is null)
        {
            return false;
        }

        missedAll = missed.Count == total;
        try
        {
            LateEvents.OnLateEvent(new LateEvent(e, WindowStore.ToTime(horizon), missed, !missedAll));
        }
#pragma warning disable CA1031 // a failing late sink must not fail the batch; the failure is counted
        catch (Exception)
#pragma warning restore CA1031
        {
            _counters.Increment(ref _counters.LateSinkFailures);
        }

        return true;
    }
}
