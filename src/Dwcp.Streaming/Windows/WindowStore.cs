using Dwcp.Streaming.Engine;
using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Windows;

/// <summary>
/// Open windows of one partition, kept as <em>panes</em>: every window of every spec is a union of epoch-aligned panes
/// of gcd(sizes, slides) (1 minute for 1/5/15-minute windows). An event that is on time for all of its windows updates
/// one pane series (one cell per metric) instead of one series per window; windows are built by merging their panes'
/// states (count/sum/min/max/last and DDSketch buckets merge exactly) when they close or are queried. An event already
/// late for one of its windows must not reach that window, so it updates the still-open windows' own late state instead
/// (rare). Only the partition's worker mutates the store, under the partition lock.
/// </summary>
internal sealed partial class WindowStore
{
    private const int MaxFree = 100_000;
    private readonly WindowSpec[] _specs;
    private readonly StreamingConfig _config;
    private readonly EngineCounters _counters;
    private readonly DDSketch _mapper;
    private readonly long _paneTicks;
    private readonly Dictionary<long, Pane> _panes = [];
    private readonly Dictionary<(int Spec, long Start), OpenWindow> _windows = [];
    private readonly Stack<SeriesWindow> _free = new();
    private readonly Stack<Pane> _freePanes = new();
    private Pane? _recentPane;
    private long _arrivals;

    public WindowStore(WindowSpec[] specs, StreamingConfig config, EngineCounters counters)
    {
        _specs = specs;
        _config = config;
        _counters = counters;
        _mapper = new DDSketch(config.SketchRelativeAccuracy, config.SketchMaxBuckets);
        _paneTicks = WindowSpec.PaneTicksOf(specs);
    }

    public int OpenWindowCount => _windows.Count;

    /// <summary>Width of a pane (gcd of all window sizes and slides).</summary>
    public long PaneTicks => _paneTicks;

    public void Apply(StreamEvent e, in HashedKey key, long horizonTicks, CustomAggregation[] aggregations) =>
        Apply(e, key, horizonTicks, aggregations, null, default);

    /// <summary>Applies one event; <paramref name="prefetched"/>, when not null, is its pane series as found by
    /// <see cref="Prefetch"/>, whose <see cref="SeriesWindow.TryPrefetch"/> filled <paramref name="indices"/>.</summary>
    private void Apply(StreamEvent e, in HashedKey key, long horizonTicks, CustomAggregation[] aggregations, SeriesWindow? prefetched, ReadOnlySpan<int> indices)
    {
        var ticks = e.EpochTicks;
        var paneStart = ticks - WindowSpec.Mod(ticks, _paneTicks);
        var pane = _recentPane;
        if (pane is null || pane.Start != paneStart)
        {
            pane = _panes.GetValueOrDefault(paneStart);
        }

        if (aggregations.Length > 0)
        {
            ApplyCustom(e, key, ticks, horizonTicks, aggregations); // before the cells: a new entry's Partial flag looks at earlier events
        }

        if (horizonTicks < (pane?.FirstEnd ?? FirstEnd(paneStart)))
        {
            pane ??= CreatePane(paneStart, horizonTicks);
            _recentPane = pane;
            if (prefetched is not null)
            {
                prefetched.AddPrefetched(e.Metrics.AsSpan(), indices, ticks);
                prefetched.EventCount++;
                return;
            }

            AddMetrics(GetPaneSeries(pane, key), e, ticks);
            return;
        }

        // Late for at least one window: only the windows still open (end > horizon) may count it.
        foreach (var spec in _specs)
        {
            for (var start = spec.LastStart(ticks); start > ticks - spec.SizeTicks; start -= spec.SlideTicks)
            {
                if (start + spec.SizeTicks > horizonTicks)
                {
                    var window = GetWindow(spec, start);
                    var extras = window.Extras ??= [];
                    if (!extras.TryGetValue(key, out var series))
                    {
                        series = Rent(key);
                        extras.Add(key, series);
                    }

                    AddMetrics(series, e, ticks);
                }
            }
        }
    }

    /// <summary>Closes every window whose end ≤ watermark, appending final results; returns the closed windows' ends.</summary>
    public void CloseUpTo(long watermarkTicks, CustomAggregation[] aggregations, List<WindowResult> results, List<long> closedEnds)
    {
        List<OpenWindow>? closing = null;
        foreach (var window in _windows.Values)
        {
            if (window.End <= watermarkTicks)
            {
                (closing ??= []).Add(window);
            }
        }

        if (closing is not null)
        {
            closing.Sort((a, b) => a.End.CompareTo(b.End));
            foreach (var window in closing)
            {
                BuildResults(window, isFinal: true, null, aggregations, results);
                _windows.Remove((window.Spec.Index, window.Start));
                if (window.Extras is { } extras)
                {
                    foreach (var series in extras.Values)
                    {
                        Return(series);
                    }
                }

                closedEnds.Add(window.End);
            }
        }

        RetirePanes(watermarkTicks);
    }

    public void Snapshot(WindowQuery? query, CustomAggregation[] aggregations, List<WindowResult> results)
    {
        foreach (var window in _windows.Values)
        {
            if ((query?.EndsAfter is { } after && ToTime(window.End) <= after) || (query?.WindowSize is { } size && size != window.Spec.Size))
            {
                continue;
            }

            BuildResults(window, isFinal: false, query, aggregations, results);
        }
    }

    internal static DateTimeOffset ToTime(long epochTicks) => new(DateTimeOffset.UnixEpoch.UtcTicks + epochTicks, TimeSpan.Zero);

    private void AddMetrics(SeriesWindow series, StreamEvent e, long ticks)
    {
        series.AddMetrics(e.Metrics.AsSpan(), _mapper, ticks, _config.SketchMaxBuckets);
        series.EventCount++;
    }

    private long FirstEnd(long paneStart)
    {
        var end = long.MaxValue;
        foreach (var spec in _specs)
        {
            end = Math.Min(end, spec.FirstEnd(paneStart));
        }

        return end;
    }

    private long LastEnd(long paneStart)
    {
        var end = long.MinValue;
        foreach (var spec in _specs)
        {
            end = Math.Max(end, spec.LastStart(paneStart) + spec.SizeTicks);
        }

        return end;
    }

    /// <summary>A pane and every window containing it that is still open at <paramref name="horizonTicks"/>.</summary>
    private Pane CreatePane(long paneStart, long horizonTicks)
    {
        var pane = _freePanes.TryPop(out var reused) ? reused : new Pane();
        pane.Reset(paneStart, FirstEnd(paneStart), LastEnd(paneStart));
        _panes.Add(paneStart, pane);
        foreach (var spec in _specs)
        {
            for (var start = spec.LastStart(paneStart); start + spec.SizeTicks > paneStart; start -= spec.SlideTicks)
            {
                if (start + spec.SizeTicks > horizonTicks)
                {
                    GetWindow(spec, start);
                }
            }
        }

        return pane;
    }

    private void RetirePanes(long watermarkTicks)
    {
        List<Pane>? retired = null;
        foreach (var pane in _panes.Values)
        {
            if (pane.LastEnd <= watermarkTicks)
            {
                (retired ??= []).Add(pane);
            }
        }

        if (retired is null)
        {
            return;
        }

        foreach (var pane in retired)
        {
            _panes.Remove(pane.Start);
            foreach (var series in pane.Series.Values)
            {
                Return(series);
            }

            pane.Series.Clear();
            if (ReferenceEquals(_recentPane, pane))
            {
                _recentPane = null;
            }

            if (_freePanes.Count < 64)
            {
                _freePanes.Push(pane);
            }
        }
    }

    private OpenWindow GetWindow(WindowSpec spec, long start)
    {
        if (!_windows.TryGetValue((spec.Index, start), out var window))
        {
            window = new OpenWindow(spec, start);
            _windows.Add((spec.Index, start), window);
        }

        return window;
    }

    private SeriesWindow GetPaneSeries(Pane pane, in HashedKey key)
    {
        if (pane.Series.TryGetValue(key, out var series))
        {
            return series;
        }

        var useKey = key;
        if (pane.Series.Count >= _config.MaxSeriesPerWindow)
        {
            _counters.Increment(ref _counters.SeriesOverflow);
            useKey = OverflowKey(key.Key.EventType);
            if (pane.Series.TryGetValue(useKey, out series))
            {
                return series;
            }
        }

        series = Rent(useKey);
        pane.Series.Add(useKey, series);
        return series;
    }

    private SeriesWindow Rent(in HashedKey key)
    {
        if (_free.TryPop(out var series))
        {
            series.Recycle(key);
        }
        else
        {
            series = new SeriesWindow(key);
        }

        series.FirstArrival = _arrivals++;
        return series;
    }

    private void Return(SeriesWindow series)
    {
        if (_free.Count < MaxFree)
        {
            _free.Push(series); // results are copies: the series' cells and sketches can be reused
        }
    }
}

/// <summary>One pane (the gcd of the window sizes and slides) of one partition: the series seen in it.</summary>
internal sealed class Pane
{
    public long Start { get; private set; }

    /// <summary>End of the first window containing the pane to close: events later than that are late.</summary>
    public long FirstEnd { get; private set; }

    /// <summary>End of the last window containing the pane: the pane is dropped when the watermark passes it.</summary>
    public long LastEnd { get; private set; }

    public Dictionary<HashedKey, SeriesWindow> Series { get; } = [];

    public void Reset(long start, long firstEnd, long lastEnd)
    {
        Start = start;
        FirstEnd = firstEnd;
        LastEnd = lastEnd;
    }
}

/// <summary>One open window of one spec in one partition: the panes it spans hold its on-time events; here only what
/// is the window's own (events late for a smaller window, custom aggregation states).</summary>
internal sealed class OpenWindow(WindowSpec spec, long start)
{
    public WindowSpec Spec { get; } = spec;

    public long Start { get; } = start;

    public long End => Start + Spec.SizeTicks;

    /// <summary>Events accepted when another window containing them had already closed (so not in the panes).</summary>
    public Dictionary<HashedKey, SeriesWindow>? Extras { get; set; }

    /// <summary>Custom aggregation states per series.</summary>
    public Dictionary<HashedKey, List<CustomEntry>>? Custom { get; set; }

    public Dictionary<CustomAggregation, int> CustomSeries { get; } = [];
}
