using Dwcp.Streaming.Durability;

namespace Dwcp.Streaming.Windows;

/// <summary>Window results by pane merge, custom aggregations and checkpoint contents.</summary>
internal sealed partial class WindowStore
{
    private static readonly SeriesKey OverflowKeyTemplate = new(SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue,
        SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue);

    private readonly Dictionary<HashedKey, SeriesWindow> _merged = [];
    private readonly List<SeriesWindow> _mergedOrder = [];

    private WindowResult BuildResult(OpenWindow window, SeriesWindow series, List<CustomEntry>? customEntries, bool isFinal, WindowQuery? query,
        CustomAggregation[] aggregations)
    {
        var metrics = new List<MetricAggregate>(series.MetricCount);
        for (var i = 0; i < series.MetricCount; i++)
        {
            var name = series.Names[i];
            if (query is null || query.WantsMetric(name))
            {
                metrics.Add(series.CellAt(i).ToResult(name, _mapper.Gamma));
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

        return new WindowResult(ToTime(window.Start), ToTime(window.End), window.Spec.Size, window.Spec.Slide, series.Key.Key, isFinal,
            series.EventCount, metrics, custom);
    }

    /// <summary>Writes the open state: panes' series (kind 2) and windows' own series and custom states (kind 1).</summary>
    public void WriteCheckpoint(BinaryWriter writer)
    {
        foreach (var pane in _panes.Values)
        {
            foreach (var series in pane.Series.Values)
            {
                writer.Write((byte)2);
                writer.Write(pane.Start);
                CheckpointCodec.WriteSeries(writer, series);
            }
        }

        foreach (var window in _windows.Values)
        {
            var keys = new HashSet<HashedKey>();
            keys.UnionWith(window.Extras?.Keys ?? Enumerable.Empty<HashedKey>());
            keys.UnionWith(window.Custom?.Keys ?? Enumerable.Empty<HashedKey>());
            foreach (var key in keys)
            {
                var series = window.Extras?.GetValueOrDefault(key) ?? new SeriesWindow(key);
                series.Custom = window.Custom?.GetValueOrDefault(key);
                writer.Write((byte)1);
                writer.Write(window.Spec.Index);
                writer.Write(window.Start);
                CheckpointCodec.WriteSeries(writer, series);
                series.Custom = null;
            }
        }
    }

    /// <summary>Adds a restored pane series; registers the windows containing the pane that are still open.</summary>
    public void RestorePane(long paneStart, SeriesWindow series, long watermarkTicks)
    {
        if (!_panes.TryGetValue(paneStart, out var pane))
        {
            pane = CreatePane(paneStart, watermarkTicks);
        }

        series.FirstArrival = _arrivals++;
        pane.Series[series.Key] = series;
    }

    /// <summary>Adds a restored window series (its own events and custom states; a version-1 checkpoint's whole series).</summary>
    public void RestoreWindow(WindowSpec spec, long start, SeriesWindow series)
    {
        var window = GetWindow(spec, start);
        if (series.Custom is { Count: > 0 } custom)
        {
            (window.Custom ??= [])[series.Key] = custom;
            foreach (var entry in custom)
            {
                window.CustomSeries[entry.Aggregation] = window.CustomSeries.GetValueOrDefault(entry.Aggregation) + 1;
            }
        }

        series.Custom = null;
        if (series.EventCount > 0 || series.MetricCount > 0)
        {
            series.FirstArrival = _arrivals++;
            (window.Extras ??= [])[series.Key] = series;
        }
    }

    private static HashedKey OverflowKey(string eventType)
    {
        var overflow = OverflowKeyTemplate with { EventType = eventType };
        return new HashedKey(overflow, SeriesKeyBuilder.HashOf(overflow));
    }

    /// <summary>Appends the window's results: its panes merged series by series, plus its own late events; series
    /// beyond <see cref="StreamingConfig.MaxSeriesPerWindow"/> (by first arrival) fold into the overflow series.</summary>
    private void BuildResults(OpenWindow window, bool isFinal, WindowQuery? query, CustomAggregation[] aggregations, List<WindowResult> results)
    {
        if (window.Spec.SizeTicks == _paneTicks && window.Extras is not { Count: > 0 })
        {
            // One pane, nothing of its own: the pane's series are the window's (the pane enforced the series limit).
            if (_panes.TryGetValue(window.Start, out var only))
            {
                foreach (var series in only.Series.Values)
                {
                    if (query is null || query.Matches(window.Spec.Size, series.Key.Key))
                    {
                        results.Add(BuildResult(window, series, window.Custom?.GetValueOrDefault(series.Key), isFinal, query, aggregations));
                    }
                }
            }

            return;
        }

        for (var p = window.Start; p < window.End; p += _paneTicks)
        {
            if (_panes.TryGetValue(p, out var pane))
            {
                foreach (var series in pane.Series.Values)
                {
                    Accumulate(series);
                }
            }
        }

        if (window.Extras is { } extras)
        {
            foreach (var series in extras.Values)
            {
                Accumulate(series);
            }
        }

        if (_mergedOrder.Count > _config.MaxSeriesPerWindow)
        {
            FoldOverflow(isFinal);
        }

        foreach (var series in _mergedOrder)
        {
            if (series.EventCount > 0 && (query is null || query.Matches(window.Spec.Size, series.Key.Key)))
            {
                results.Add(BuildResult(window, series, window.Custom?.GetValueOrDefault(series.Key), isFinal, query, aggregations));
            }

            Return(series);
        }

        _merged.Clear();
        _mergedOrder.Clear();
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

        sum.MergeFrom(series, _config.SketchMaxBuckets);
    }

    private void FoldOverflow(bool isFinal)
    {
        _mergedOrder.Sort((a, b) => a.FirstArrival.CompareTo(b.FirstArrival));
        var admitted = 0;
        for (var i = 0; i < _mergedOrder.Count; i++)
        {
            var series = _mergedOrder[i];
            if (admitted < _config.MaxSeriesPerWindow || series.Key.Key.Account == SeriesKey.OverflowValue)
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

            overflow.MergeFrom(series, _config.SketchMaxBuckets);
            if (isFinal)
            {
                _counters.Add(ref _counters.SeriesOverflow, series.EventCount);
            }

            series.EventCount = 0; // emptied: skipped when results are built, then returned to the pool
        }
    }

    private void ApplyCustom(StreamEvent e, in HashedKey key, long ticks, long horizonTicks, CustomAggregation[] aggregations)
    {
        foreach (var spec in _specs)
        {
            for (var start = spec.LastStart(ticks); start > ticks - spec.SizeTicks; start -= spec.SlideTicks)
            {
                if (start + spec.SizeTicks <= horizonTicks)
                {
                    continue;
                }

                foreach (var aggregation in aggregations)
                {
                    if (aggregation.AppliesTo(spec.SizeTicks, e.EventType))
                    {
                        AddCustom(GetWindow(spec, start), key, aggregation, e);
                    }
                }
            }
        }
    }

    private void AddCustom(OpenWindow window, in HashedKey key, CustomAggregation aggregation, StreamEvent e)
    {
        var all = window.Custom ??= [];
        if (!all.TryGetValue(key, out var entries))
        {
            entries = [];
            all.Add(key, entries);
        }

        foreach (var entry in entries)
        {
            if (ReferenceEquals(entry.Aggregation, aggregation))
            {
                entry.State.Add(e);
                return;
            }
        }

        var tracked = window.CustomSeries.GetValueOrDefault(aggregation);
        if (tracked >= aggregation.Config.BufferSize)
        {
            _counters.Increment(ref _counters.CustomAggregationOverflow);
            return;
        }

        window.CustomSeries[aggregation] = tracked + 1;
        var created = new CustomEntry(aggregation, aggregation.NewState(), Partial: EventsSoFar(window, key) > 0);
        entries.Add(created);
        created.State.Add(e);
    }

    /// <summary>Events of a series already counted in a window (its panes plus its own).</summary>
    private long EventsSoFar(OpenWindow window, in HashedKey key)
    {
        long count = window.Extras?.GetValueOrDefault(key)?.EventCount ?? 0;
        for (var p = window.Start; p < window.End; p += _paneTicks)
        {
            if (_panes.TryGetValue(p, out var pane) && pane.Series.TryGetValue(key, out var series))
            {
                count += series.EventCount;
            }
        }

        return count;
    }
}
