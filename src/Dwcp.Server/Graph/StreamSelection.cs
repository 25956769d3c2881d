using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Streaming;
using GraphQL;

namespace Dwcp.Server.Graph;

/// <summary>Text forms of stream times and window sizes.</summary>
internal static class StreamFormat
{
    /// <summary>ISO 8601 UTC with milliseconds, e.g. <c>2026-11-28T08:01:00.000Z</c>.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Short size: <c>15m</c>, <c>1h</c>, <c>30s</c>, <c>250ms</c>.</summary>
    public static string Size(TimeSpan size)
    {
        var ticks = size.Ticks;
        if (ticks % TimeSpan.TicksPerHour == 0)
        {
            return (ticks / TimeSpan.TicksPerHour).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (ticks % TimeSpan.TicksPerMinute == 0)
        {
            return (ticks / TimeSpan.TicksPerMinute).ToString(CultureInfo.InvariantCulture) + "m";
        }

        return ticks % TimeSpan.TicksPerSecond == 0
            ? (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture) + "s"
            : size.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
    }

    /// <summary>Parses <c>250ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c> or <c>hh:mm:ss</c>; null when the text is none of them.</summary>
    public static TimeSpan? ParseSize(string text)
    {
        var t = text.Trim();
        (string Suffix, long Ticks)[] units = [("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour)];
        foreach (var (suffix, ticks) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(t.AsSpan(0, t.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n > 0 && n < long.MaxValue / ticks)
            {
                return TimeSpan.FromTicks(n * ticks);
            }
        }

        return TimeSpan.TryParseExact(t, "c", CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero ? span : null;
    }
}

/// <summary>
/// The trend rule: a window's value against the value of the previous closed window of the same key (window size and
/// slide, series, metric) — the latest closed one ending before it. More than 1% of the previous value's magnitude
/// up is INCREASING, down is DECREASING; otherwise, and when there is no previous window, STABLE.
/// </summary>
internal static class StreamTrends
{
    /// <summary>The stable band as a fraction of |previous|.</summary>
    public const double StableBand = 0.01;

    public static StreamTrend Of(double current, double? previous)
    {
        if (previous is not { } p)
        {
            return StreamTrend.Stable;
        }

        var band = StableBand * Math.Abs(p);
        var change = current - p;
        return change > band ? StreamTrend.Increasing : change < -band ? StreamTrend.Decreasing : StreamTrend.Stable;
    }
}

/// <summary>Key of a trend: window size and slide, series, metric.</summary>
internal readonly record struct TrendKey(long SizeTicks, long SlideTicks, SeriesKey Series, string Metric);

/// <summary>The two latest closed-window values per key: enough to find "the latest window ending before this one" for
/// a window already recorded (seeded from history) and for one newer than all recorded.</summary>
internal sealed class TrendBook
{
    private readonly Dictionary<TrendKey, (DateTimeOffset End, double Value, DateTimeOffset? PrevEnd, double PrevValue)> _entries = [];

    public void Record(TrendKey key, DateTimeOffset end, double value)
    {
        if (!_entries.TryGetValue(key, out var e))
        {
            _entries[key] = (end, value, null, 0);
        }
        else if (end > e.End)
        {
            _entries[key] = (end, value, e.End, e.Value);
        }
        else if (end < e.End && (e.PrevEnd is not { } prev || end > prev))
        {
            _entries[key] = (e.End, e.Value, end, value);
        }
    }

    /// <summary>Value of the latest recorded window ending before <paramref name="end"/>, or null.</summary>
    public double? PreviousBefore(TrendKey key, DateTimeOffset end)
    {
        if (!_entries.TryGetValue(key, out var e))
        {
            return null;
        }

        if (e.End < end)
        {
            return e.Value;
        }

        return e.PrevEnd is { } prevEnd && prevEnd < end ? e.PrevValue : null;
    }
}

/// <summary>What a streamMetrics / streamWindows call asks for, validated, with the caller's scope.</summary>
internal sealed class StreamSelection
{
    private StreamSelection(IReadOnlyList<string> metrics, WindowQuery filter, StreamAggregate valueOf, CostScope scope)
    {
        Metrics = metrics;
        Filter = filter;
        ValueOf = valueOf;
        Scope = scope;
    }

    public IReadOnlyList<string> Metrics { get; }

    /// <summary>Engine filter (window size, event type, dimensions, metrics).</summary>
    public WindowQuery Filter { get; }

    public StreamAggregate ValueOf { get; }

    public CostScope Scope { get; }

    /// <summary>Reads and checks the shared arguments; throws an INVALID_ARGUMENT error naming the argument and the fix.</summary>
    public static StreamSelection From(IResolveFieldContext ctx, RealtimeEngine engine, CostScope scope, bool defaultToSmallestWindow)
    {
        var metrics = ctx.GetArgument<List<string>?>("metricNames");
        if (metrics is not null)
        {
            if (metrics.Count == 0 || metrics.Any(string.IsNullOrWhiteSpace))
            {
                throw Invalid("metricNames is empty or holds a blank name: list at least one metric, e.g. [\"cpu_usage\"] (streamMetricNames lists those seen).");
            }

            metrics = [.. metrics.Select(m => m.Trim()).Distinct(StringComparer.Ordinal)];
        }

        var config = engine.Config;
        var sizes = config.WindowSizes.Concat(config.SlidingWindows.Select(s => s.Size)).Distinct().Order().ToList();
        TimeSpan? size = null;
        if (ctx.GetArgument<string?>("windowSize") is { } sizeText)
        {
            size = StreamFormat.ParseSize(sizeText);
            if (size is not { } s || !sizes.Contains(s))
            {
                throw Invalid($"windowSize '{sizeText}' is not a configured window size; use one of {string.Join(", ", sizes.Select(StreamFormat.Size))} (streaming.window_sizes).");
            }
        }
        else if (defaultToSmallestWindow)
        {
            size = config.WindowSizes.Count > 0 ? config.WindowSizes.Min() : sizes[0];
        }

        var dimensions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (argument, dimension) in new[] { ("provider", "provider"), ("region", "region"), ("service", "service"), ("account", "account"), ("resourceId", "resource_id") })
        {
            if (ctx.GetArgument<string?>(argument) is { } value)
            {
                dimensions[dimension] = value;
            }
        }

        foreach (var tag in ctx.GetArgument<List<string>?>("tags") ?? [])
        {
            var eq = tag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Invalid($"tags entry '{tag}' is not KEY=VALUE; write e.g. \"team=payments\".");
            }

            dimensions["tag:" + tag[..eq].Trim()] = tag[(eq + 1)..].Trim();
        }

        foreach (var dimension in dimensions.Keys)
        {
            if (!config.GroupBy.Contains(dimension, StringComparer.Ordinal))
            {
                throw Invalid($"The filter on '{dimension}' can match nothing: the engine's series are grouped by {string.Join(", ", config.GroupBy)} (streaming.group_by). Drop the filter or add the dimension there.");
            }
        }

        var filter = new WindowQuery
        {
            Metrics = metrics,
            WindowSize = size,
            EventType = ctx.GetArgument<string?>("eventType"),
            Dimensions = dimensions.Count > 0 ? dimensions : null,
        };
        return new StreamSelection(metrics ?? [], filter, ctx.GetArgument("valueOf", StreamAggregate.Avg), scope);
    }

    public static ExecutionError Invalid(string message) => new(message) { Code = "INVALID_ARGUMENT" };

    /// <summary>Whether the caller's scope lets it see a series: its account must be among the allowed billing
    /// accounts and each restricted tag (grouped as <c>tag:KEY</c>) must have an allowed value, as for cost rows.</summary>
    public bool Visible(in SeriesKey series) => VisibleIn(Scope, series);

    /// <inheritdoc cref="Visible"/>
    public static bool VisibleIn(CostScope scope, in SeriesKey series)
    {
        if (scope.BillingAccounts is { } accounts && !accounts.Contains(series.Account))
        {
            return false;
        }

        foreach (var (key, values) in scope.TagValues)
        {
            if (series.Get("tag:" + key) is not { } value || !values.Contains(value))
            {
                return false;
            }
        }

        return true;
    }

    public double ValueOfAggregate(MetricAggregate a) => ValueOf switch
    {
        StreamAggregate.Sum => a.Sum,
        StreamAggregate.Min => a.Min,
        StreamAggregate.Max => a.Max,
        StreamAggregate.Last => a.Last,
        StreamAggregate.Count => a.Count,
        StreamAggregate.P50 => a.P50,
        StreamAggregate.P95 => a.P95,
        StreamAggregate.P99 => a.P99,
        _ => a.Average,
    };

    /// <summary>Records the final windows of <paramref name="closed"/> (any order) in <paramref name="book"/>.</summary>
    public void Seed(TrendBook book, IEnumerable<WindowResult> closed)
    {
        foreach (var w in closed)
        {
            if (Visible(w.Series))
            {
                foreach (var m in w.Metrics)
                {
                    book.Record(new TrendKey(w.Size.Ticks, w.Slide.Ticks, w.Series, m.Metric), w.End, ValueOfAggregate(m));
                }
            }
        }
    }

    /// <summary>Adds one view per selected metric of a visible window (in metricNames order); records final windows.</summary>
    public void AddViews(WindowResult w, TrendBook book, List<StreamMetricView> output)
    {
        if (!Visible(w.Series))
        {
            return;
        }

        foreach (var name in Metrics.Count > 0 ? Metrics : w.Metrics.Select(m => m.Metric))
        {
            if (w.Metric(name) is not { } aggregate)
            {
                continue;
            }

            var value = ValueOfAggregate(aggregate);
            var key = new TrendKey(w.Size.Ticks, w.Slide.Ticks, w.Series, name);
            var previous = book.PreviousBefore(key, w.End);
            if (w.IsFinal)
            {
                book.Record(key, w.End, value);
            }

            output.Add(new StreamMetricView(name, value, w.End, StreamTrends.Of(value, previous), previous, w, aggregate));
        }
    }
}
