using Dwcp.Streaming.Engine;
using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Windows;

/// <summary>Open windows of one partition. Only the partition's worker mutates it, under the partition lock.</summary>
internal sealed class WindowStore
{
    private static readonly SeriesKey OverflowKeyTemplate = new(SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue,
        SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue, SeriesKey.OverflowValue);

    private readonly WindowSpec[] _specs;
    private readonly StreamingConfig _config;
    private readonly EngineCounters _counters;
    private readonly DDSketch _mapper;
    private readonly Dictionary<(int Spec, long Start), OpenWindow> _windows = [];
    private readonly OpenWindow?[] _recent;
    private readonly Stack<SeriesWindow> _free = new();
    private const int MaxFree = 100_000;

    public WindowStore(WindowSpec[] specs, StreamingConfig config, EngineCounters counters)
    {
        _specs = specs;
        _config = config;
        _counters = counters;
        _mapper = new DDSketch(config.SketchRelativeAccuracy, config.SketchMaxBuckets);
        _recent = new OpenWindow?[specs.Length];
    }

    public int OpenWindowCount => _windows.Count;

    public IEnumerable<OpenWindow> Windows => _windows.Values;

    public void Apply(StreamEvent e, in HashedKey key, long horizonTicks, CustomAggregation[] aggregations)
    {
        var metrics = e.Metrics;
        Span<int> indices = metrics.Length <= 128 ? stackalloc int[metrics.Length] : new int[metrics.Length];
        for (var i = 0; i < metrics.Length; i++)
        {
            indices[i] = _mapper.IndexOf(metrics[i].Value);
        }

        var ticks = e.EpochTicks;
        foreach (var spec in _specs)
        {
            for (var start = spec.LastStart(ticks); start > ticks - spec.SizeTicks; start -= spec.SlideTicks)
            {
                if (start + spec.SizeTicks <= horizonTicks)
                {
                    continue; // already closed: the accept stage routed the event to the late sink for this window
                }

                var window = GetWindow(spec, start);
                var series = GetSeries(window, key);
                Update(window, series, e, indices, ticks, aggregations);
            }
        }
    }

    /// <summary>Closes every window whose end ≤ watermark, appending final results; returns the closed windows' ends.</summary>
    public void CloseUpTo(long watermarkTicks, CustomAggregation[] aggregations, List<WindowResult> results, List<long> closedEnds)
    {
        List<(int, long)>? closing = null;
        foreach (var (id, window) in _windows)
        {
            if (window.End <= watermarkTicks)
            {
                (closing ??= []).Add(id);
            }
        }

        if (closing is null)
        {
            return;
        }

        closing.Sort((a, b) => (a.Item2 + _specs[a.Item1].SizeTicks).CompareTo(b.Item2 + _specs[b.Item1].SizeTicks));
        foreach (var id in closing)
        {
            var window = _windows[id];
            _windows.Remove(id);
            if (_recent[id.Item1] == window)
            {
                _recent[id.Item1] = null;
            }

            foreach (var series in window.Series.Values)
            {
                results.Add(BuildResult(window, series, isFinal: true, null, aggregations));
                if (_free.Count < MaxFree)
                {
                    _free.Push(series); // results are copies: the series' cells and sketches can be reused
                }
            }

            closedEnds.Add(window.End);
        }
    }

    public void Snapshot(WindowQuery? query, CustomAggregation[] aggregations, List<WindowResult> results)
    {
        foreach (var window in _windows.Values)
        {
            if (query?.EndsAfter is { } after && ToTime(window.End) <= after)
            {
                continue;
            }

            foreach (var series in window.Series.Values)
            {
                if (query is null || query.Matches(window.Spec.Size, series.Key.Key))
                {
                    results.Add(BuildResult(window, series, isFinal: false, query, aggregations));
                }
            }
        }
    }

    public static WindowResult BuildResult(OpenWindow window, SeriesWindow series, bool isFinal, WindowQuery? query, CustomAggregation[] aggregations)
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

        metrics.Sort((a, b) => string.CompareOrdinal(a.Metric, b.Metric));
        var custom = new List<CustomAggregateValue>();
        if (series.Custom is not null)
        {
            var seconds = window.Spec.Size.TotalSeconds;
            foreach (var entry in series.Custom)
            {
                if (Array.IndexOf(aggregations, entry.Aggregation) >= 0)
                {
                    custom.Add(new(entry.Aggregation.Name, entry.Aggregation.Config.Type, entry.State.Value(seconds), entry.Partial));
                }
            }

            custom.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        return new WindowResult(ToTime(window.Start), ToTime(window.End), window.Spec.Size, window.Spec.Slide, series.Key.Key, isFinal,
            series.EventCount, metrics, custom);
    }

    /// <summary>Adds a restored window series (checkpoint load).</summary>
    public void Restore(WindowSpec spec, long start, SeriesWindow series) => GetWindow(spec, start).Series[series.Key] = series;

    internal static DateTimeOffset ToTime(long epochTicks) => new(DateTimeOffset.UnixEpoch.UtcTicks + epochTicks, TimeSpan.Zero);

    private OpenWindow GetWindow(WindowSpec spec, long start)
    {
        var recent = _recent[spec.Index];
        if (recent is not null && recent.Start == start)
        {
            return recent;
        }

        if (!_windows.TryGetValue((spec.Index, start), out var window))
        {
            window = new OpenWindow(spec, start);
            _windows.Add((spec.Index, start), window);
        }

        _recent[spec.Index] = window;
        return window;
    }

    private SeriesWindow GetSeries(OpenWindow window, in HashedKey key)
    {
        if (window.Series.TryGetValue(key, out var series))
        {
            return series;
        }

        var useKey = key;
        if (window.Series.Count >= _config.MaxSeriesPerWindow)
        {
            _counters.Increment(ref _counters.SeriesOverflow);
            var overflow = OverflowKeyTemplate with { EventType = key.Key.EventType };
            useKey = new HashedKey(overflow, SeriesKeyBuilder.HashOf(overflow));
            if (window.Series.TryGetValue(useKey, out series))
            {
                return series;
            }
        }

        if (_free.TryPop(out series))
        {
            series.Recycle(useKey);
        }
        else
        {
            series = new SeriesWindow(useKey);
        }

        window.Series.Add(useKey, series);
        return series;
    }

    private void Update(OpenWindow window, SeriesWindow series, StreamEvent e, ReadOnlySpan<int> indices, long ticks, CustomAggregation[] aggregations)
    {
        var metrics = e.Metrics;
        for (var i = 0; i < metrics.Length; i++)
        {
            var metric = metrics[i];
            series.Cell(metric.Name, i, _config.SketchRelativeAccuracy, _config.SketchMaxBuckets).Add(metric.Value, indices[i], ticks);
        }

        foreach (var aggregation in aggregations)
        {
            if (aggregation.AppliesTo(window.Spec.SizeTicks, e.EventType))
            {
                AddCustom(window, series, aggregation, e);
            }
        }

        series.EventCount++;
    }

    private void AddCustom(OpenWindow window, SeriesWindow series, CustomAggregation aggregation, StreamEvent e)
    {
        var entries = series.Custom ??= [];
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
        var created = new CustomEntry(aggregation, aggregation.NewState(), Partial: series.EventCount > 0);
        entries.Add(created);
        created.State.Add(e);
    }
}

/// <summary>One open window of one spec in one partition.</summary>
internal sealed class OpenWindow(WindowSpec spec, long start)
{
    public WindowSpec Spec { get; } = spec;

    public long Start { get; } = start;

    public long End => Start + Spec.SizeTicks;

    public Dictionary<HashedKey, SeriesWindow> Series { get; } = [];

    public Dictionary<CustomAggregation, int> CustomSeries { get; } = [];
}
