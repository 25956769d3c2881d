namespace Dwcp.Streaming;

/// <summary>Receives closed (final) windows, e.g. to write them as rollup rows. Called from one background task, in
/// closing order, off the engine's workers; the windows closed while a write runs come as one group in the next call
/// (group commit, up to 20,000 results); after a crash, windows closed since the last checkpoint are delivered again, so writes should be
/// idempotent on (start, size, slide, series). A slow sink makes ingest wait (bounded queue), it never loses windows.</summary>
public interface IWindowSink
{
    /// <summary>Writes a batch of final window results.</summary>
    /// <param name="results">Results of windows that just closed.</param>
    /// <param name="cancellationToken">Cancelled when the engine stops.</param>
    /// <returns>Completion.</returns>
    ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken);
}

/// <summary>An accepted event that arrived after some of its windows had closed.</summary>
/// <param name="Event">The event.</param>
/// <param name="Watermark">The watermark it was behind.</param>
/// <param name="MissedWindows">Sizes of the closed windows it missed (once per missed sliding window).</param>
/// <param name="AggregatedElsewhere">True when it still counted in some later-closing window (e.g. a longer window size).</param>
public sealed record LateEvent(StreamEvent Event, DateTimeOffset Watermark, IReadOnlyList<TimeSpan> MissedWindows, bool AggregatedElsewhere);

/// <summary>Receives late events. Called on the accept path, so it must be fast and must not block.</summary>
public interface ILateEventSink
{
    /// <summary>Takes one late event.</summary>
    /// <param name="lateEvent">The event and why it is late.</param>
    void OnLateEvent(LateEvent lateEvent);
}

/// <summary>Default late-events sink: keeps the most recent <see cref="Capacity"/> late events and counts all of them.</summary>
public sealed class InMemoryLateEventSink : ILateEventSink
{
    private readonly Queue<LateEvent> _recent = new();
    private readonly Lock _lock = new();
    private long _total;

    /// <summary>Creates the sink.</summary>
    /// <param name="capacity">Most events kept (default 10,000); older ones are forgotten but stay counted.</param>
    public InMemoryLateEventSink(int capacity = 10_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most events kept.</summary>
    public int Capacity { get; }

    /// <summary>All late events received.</summary>
    public long TotalCount => Interlocked.Read(ref _total);

    /// <inheritdoc />
    public void OnLateEvent(LateEvent lateEvent)
    {
        lock (_lock)
        {
            if (_recent.Count == Capacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(lateEvent);
        }

        Interlocked.Increment(ref _total);
    }

    /// <summary>The kept events, oldest first.</summary>
    /// <returns>A copy.</returns>
    public IReadOnlyList<LateEvent> Snapshot()
    {
        lock (_lock)
        {
            return [.. _recent];
        }
    }
}
