using Dwcp.Streaming.Durability;

namespace Dwcp.Streaming.Windows;

/// <summary>Custom aggregations and checkpoint contents.</summary>
internal sealed partial class WindowStore
{
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
