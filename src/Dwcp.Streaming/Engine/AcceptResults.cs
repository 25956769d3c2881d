namespace Dwcp.Streaming;

/// <summary>Outcome of an accept call.</summary>
public enum AcceptStatus
{
    /// <summary>The batch was taken: valid non-duplicate events are durable (when a data directory is set) and will be aggregated.</summary>
    Accepted,

    /// <summary>The input buffer is full; nothing was taken. Retry after <see cref="BatchAcceptResult.RetryAfter"/> (HTTP 429).</summary>
    BufferFull,
}

/// <summary>Result of <see cref="RealtimeEngine.TryAcceptAsync"/>, returned only after the write-ahead log fsync.</summary>
/// <param name="Status">Accepted or buffer full.</param>
/// <param name="Accepted">Events accepted (including late ones).</param>
/// <param name="Rejected">Invalid events (see <paramref name="Errors"/>).</param>
/// <param name="Duplicates">Events dropped as duplicates of an id already accepted within retention.</param>
/// <param name="Late">Accepted events that missed a closed window (sent to the late-events sink).</param>
/// <param name="Errors">Why each invalid event was rejected, with its line (NDJSON) or 1-based position (batch).</param>
/// <param name="RetryAfter">When <see cref="AcceptStatus.BufferFull"/>: suggested wait before retrying.</param>
public sealed record BatchAcceptResult(AcceptStatus Status, int Accepted, int Rejected, int Duplicates, int Late, IReadOnlyList<EventError> Errors, TimeSpan RetryAfter);

/// <summary>What <see cref="RealtimeEngine.StartAsync"/> recovered from the data directory.</summary>
/// <param name="CheckpointLoaded">Whether a checkpoint was restored.</param>
/// <param name="ReplayedBatches">Log records replayed after the checkpoint.</param>
/// <param name="ReplayedEvents">Events replayed.</param>
/// <param name="Warnings">Torn records truncated, state that could not be restored, and similar.</param>
public sealed record RecoveryReport(bool CheckpointLoaded, long ReplayedBatches, long ReplayedEvents, IReadOnlyList<string> Warnings);
