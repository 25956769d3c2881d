using Dwcp.Streaming.Engine;

namespace Dwcp.Streaming.Windows;

/// <summary>
/// Builds a window's results by merging its panes' series (plus the window's own late events). Holds its own scratch
/// state and its own pool of accumulator series, so one instance can run on the partition's closer task while the
/// partition's worker keeps applying events with another (used for provisional snapshots under the partition lock).
/// It only reads the panes and the window: the closer is given panes the watermark has frozen (no event can enter a
/// pane once the first window containing it closed) and windows already removed from the store.
/// </summary>
internal sealed class ResultBuilder(StreamingConfig config, EngineCounters counters, long paneTicks)
{
    private const int MaxFree = 100_000;

    private static readonly SeriesKey OverflowKeyTemplate = new(SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue,
        SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue);

    private readonly Dictionary<HashedKey, SeriesWindow> _merged = [];
    private readonly List<SeriesWindow> _mergedOrder = [];
    private readonly Stack<SeriesWindow> _free = new();

    public static HashedKey OverflowKey(string eventType)
    {
        var overflow = OverflowKeyTemplate with { EventType = eventType };
        return new HashedKey(overflow, SeriesKeyBuilder.HashOf(overflow));
    }

    public static WindowResult BuildResult(OpenWindow window, SeriesWindow series, List<CustomEntry>? customEntries, bool isFinal, WindowQuery? query,
        CustomAggregation[] aggregations)
    {
        var metrics = new List<MetricAggregate>(series.MetricCount);
        for (var i = 0; i < series.MetricCount; i++)
        {
            var name = series.Names[i];
            if (query is null || query.WantsMetric(name))
            {
                metrics.Add(series.CellAt(i).ToResult(name));
            }
        }

        metrics.Sort(static (a, b) => string.CompareOrdinal(a.Metric, b.Metric));
        IReadOnlyList<CustomAggregateValue> custom = [];
        if (customEntries is { Count: > 0 })
        {
            // only series with custom aggregation state get a list (the others share the empty one)
            var values = new List<CustomAggregateValue>(customEntries.Count);
            var seconds = window.Spec.Size.TotalSeconds;
            foreach (var entry in customEntries)
            {
                if (Array.IndexOf(aggregations, entry.Aggregation) >= 0)
                {
                    values.Add(new(entry.Aggregation.Name, entry.Aggregation.Config.Type, entry.State.Value(seconds), entry.Partial));
                }
            }

            values.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            custom = values;
        }

        return new WindowResult(WindowStore.ToTime(window.Start), WindowStore.ToTime(window.End), window.Spec.Size, window.Spec.Slide,
            series.Key.Key, isFinal, series.EventCount, metrics, custom);
    }

    /// <summary>Appends the window's results: its panes (<paramref name="panes"/>, those of the window's span that
    /// exist) merged series by series, plus its own late events; series beyond
    /// <see cref="StreamingConfig.MaxSeriesPerWindow"/> (by first arrival) fold into the overflow series.</summary>
    public void Build(OpenWindow window, ReadOnlySpan<Pane> panes, bool isFinal, WindowQuery? query, CustomAggregation[] aggregations,
        List<WindowResult> results)
    {
        if (window.Spec.SizeTicks == paneTicks && window.Extras is not { Count: > 0 })
        {
            // One pane, nothing of its own: the pane's series are the window's (the pane enforced the series limit).
            foreach (var pane in panes)
            {
                foreach (var series in pane.Series.Values)
                {
                    if (query is null || query.Matches(window.Spec.Size, series.Key.Key))
                    {
                        results.Add(BuildResult(window, series, window.Custom?.GetValueOrDefault(series.Key), isFinal, query, aggregations));
                    }
                }
            }

            return;
        }

        foreach (var pane in panes)
        {
            foreach (var series in pane.Series.Values)
            {
                Accumulate(series);
            }
        }

        if (window.Extras is { } extras)
        {
            foreach (var series in extras.Values)
            {
                Accumulate(series);
            }
        }

        if (_mergedOrder.Count > config.MaxSeriesPerWindow)
        {
            FoldOverflow(isFinal);
        }

        foreach (var series in _mergedOrder)
        {
            if (series.EventCount > 0 && (query is null || query.Matches(window.Spec.Size, series.Key.Key)))
            {
                results.Add(BuildResult(window, series, window.Custom?.GetValueOrDefault(series.Key), isFinal, query, aggregations));
            }

            if (_free.Count < MaxFree)
            {
                _free.Push(series); // results are copies: the accumulator's cells and sketches can be reused
            }
        }

        _merged.Clear();
        _mergedOrder.Clear();
    }

    private SeriesWindow Rent(in HashedKey key)
    {
        if (_free.TryPop(out var series))
        {
            series.Recycle(key);
            return series;
        }

        return new SeriesWindow(key);
    }

    private void Accumulate(SeriesWindow series)
    {
        if (!_merged.TryGetValue(series.Key, out var sum))
        {
            sum = Rent(series.Key);
            sum.FirstArrival = long.MaxValue;
            _merged.Add(series.Key, sum);
            _mergedOrder.Add(sum);
        }

        sum.MergeFrom(series, config.SketchRelativeAccuracy, config.SketchMaxBuckets);
    }

    private void FoldOverflow(bool isFinal)
    {
        _mergedOrder.Sort((a, b) => a.FirstArrival.CompareTo(b.FirstArrival));
        var admitted = 0;
        for (var i = 0; i < _mergedOrder.Count; i++)
        {
            var series = _mergedOrder[i];
            if (admitted < config.MaxSeriesPerWindow || series.Key.Key.Account == SeriesKey.OverflowValue)
            {
                admitted++;
                continue;
            }

            var key = OverflowKey(series.Key.Key.EventType);
            if (!_merged.TryGetValue(key, out var overflow))
            {
                overflow = Rent(key);
                overflow.FirstArrival = series.FirstArrival;
                _merged.Add(key, overflow);
                _mergedOrder.Add(overflow);
                admitted++;
            }

            overflow.MergeFrom(series, config.SketchRelativeAccuracy, config.SketchMaxBuckets);
            if (isFinal)
            {
                counters.Add(ref counters.SeriesOverflow, series.EventCount);
            }

            series.EventCount = 0; // emptied: skipped when results are built, then returned to the pool
        }
    }
}
