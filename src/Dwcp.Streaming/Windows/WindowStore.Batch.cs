using Dwcp.Streaming.Engine;

namespace Dwcp.Streaming.Windows;

/// <summary>Applying a worker's batch: events in chunks, each chunk prefetched before it is applied.</summary>
internal sealed partial class WindowStore
{
    /// <summary>Events prefetched ahead of their updates (their cells' cache misses overlap).</summary>
    private const int PrefetchChunk = 8;

    private readonly SeriesWindow?[] _prefetched = new SeriesWindow?[PrefetchChunk];
    private readonly int[] _prefetchedIndices = new int[PrefetchChunk * SeriesWindow.FastMetrics];

    /// <summary>Applies queued events in order; the same results as <see cref="Apply(StreamEvent, in HashedKey, long, CustomAggregation[])"/> for each in turn. Per chunk of
    /// events, first each event's pane series is looked up (never created) and, when its metrics take the fast path,
    /// their bucket indices are computed and their buckets read (<see cref="SeriesWindow.TryPrefetch"/>); then the events
    /// are applied in order, the prefetched ones without a second lookup. A series found in the first pass is the one
    /// <see cref="Apply(StreamEvent, in HashedKey, long, CustomAggregation[])"/> would find: series leave a pane only when it is retired, never during a batch.</summary>
    public void ApplyBatch(ReadOnlySpan<QueuedEvent> events, CustomAggregation[] aggregations)
    {
        for (var from = 0; from < events.Length; from += PrefetchChunk)
        {
            var chunk = events.Slice(from, Math.Min(PrefetchChunk, events.Length - from));
            for (var j = 0; j < chunk.Length; j++)
            {
                _prefetched[j] = Prefetch(chunk[j], _prefetchedIndices.AsSpan(j * SeriesWindow.FastMetrics, SeriesWindow.FastMetrics));
            }

            for (var j = 0; j < chunk.Length; j++)
            {
                ref readonly var queued = ref chunk[j];
                var series = _prefetched[j];
                _prefetched[j] = null;
                Apply(queued.Event, queued.Series.Key, queued.HorizonTicks, aggregations, series,
                    _prefetchedIndices.AsSpan(j * SeriesWindow.FastMetrics, SeriesWindow.FastMetrics));
            }
        }
    }

    private SeriesWindow? Prefetch(in QueuedEvent queued, Span<int> indices)
    {
        var e = queued.Event;
        var ticks = e.EpochTicks;
        var paneStart = ticks - WindowSpec.Mod(ticks, _paneTicks);
        var pane = _recentPane;
        if ((pane is null || pane.Start != paneStart) && !_panes.TryGetValue(paneStart, out pane))
        {
            return null;
        }

        return pane.Series.TryGetValue(queued.Series.Key, out var series) && series.TryPrefetch(e.Metrics.AsSpan(), _mapper, indices)
            ? series
            : null;
    }
}
