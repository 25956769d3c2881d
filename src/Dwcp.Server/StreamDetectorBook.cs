using Dwcp.Anomalies;
using Dwcp.Anomalies.Detectors;
using Dwcp.Streaming;

namespace Dwcp.Server;

/// <summary>
/// Identity of a stream detector: metric, window size and slide, series. The series' hash is computed once per window and
/// carried along, so looking up the detectors of a window's metrics hashes the seven series strings once, not per metric.
/// </summary>
internal readonly struct StreamSeriesId : IEquatable<StreamSeriesId>
{
    private readonly int _seriesHash;

    public StreamSeriesId(string metric, long sizeTicks, long slideTicks, SeriesKey series)
        : this(metric, sizeTicks, slideTicks, series, series.GetHashCode())
    {
    }

    /// <summary>An id whose series hash (<see cref="SeriesKey.GetHashCode"/> of <paramref name="series"/>) is already known.</summary>
    public StreamSeriesId(string metric, long sizeTicks, long slideTicks, in SeriesKey series, int seriesHash)
    {
        Metric = metric;
        SizeTicks = sizeTicks;
        SlideTicks = slideTicks;
        Series = series;
        _seriesHash = seriesHash;
    }

    public string Metric { get; }

    public long SizeTicks { get; }

    public long SlideTicks { get; }

    public SeriesKey Series { get; }

    public bool Equals(StreamSeriesId other) =>
        _seriesHash == other._seriesHash && SizeTicks == other.SizeTicks && SlideTicks == other.SlideTicks
        && string.Equals(Metric, other.Metric, StringComparison.Ordinal) && Series.Equals(other.Series);

    public override bool Equals(object? obj) => obj is StreamSeriesId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_seriesHash, Metric, SizeTicks, SlideTicks);

    public override string ToString() => $"{Metric} {TimeSpan.FromTicks(SizeTicks)}/{TimeSpan.FromTicks(SlideTicks)} {Series}";
}

/// <summary>
/// One <see cref="OnlineAnomalyDetector"/> per <see cref="StreamSeriesId"/> (and one <see cref="OnlineMultivariateDetector"/>
/// per window series and size, under the metric name <see cref="StreamAnomaly.Multivariate"/>), at most <c>capacity</c> of them. When the book
/// is full, a new series takes the place of the least recently updated one only if that one is idle (no window for
/// <see cref="IdleWindows"/> of its own window sizes; the evicted series starts over, warming up, if it returns); otherwise
/// the new series is not scored (counted by <c>onSkip</c>). Evicting active series to admit new ones would rebuild ~100 KB
/// detectors on every window and never let any of them warm up. Not thread-safe: one reader of closed windows owns it.
/// </summary>
internal sealed class StreamDetectorBook(int capacity, OnlineDetectorOptions detectorOptions, int expectedCount, Action onEvict, Action? onSkip = null)
{
    /// <summary>Windows without an update after which a tracked series may give its place to a new one.</summary>
    public const int IdleWindows = 10;

    private readonly Dictionary<StreamSeriesId, LinkedListNode<Tracked>> _map = [];
    private readonly LinkedList<Tracked> _lru = new();

    public int Count => _map.Count;

    /// <summary>Scores a window value; null when the window is not after the last one scored for the series (a replay).</summary>
    public (AnomalyScore Score, double Expected)? Update(in StreamSeriesId id, DateTimeOffset end, double value)
    {
        if (Admit(id, end, multivariate: false) is not { } t || (t.LastEnd is { } last && end <= last))
        {
            return null;
        }

        t.LastEnd = end;
        var expected = t.Median() ?? value;
        var score = t.Detector!.Score(end.UtcDateTime, value);
        t.Push(value);
        return (score, expected);
    }

    /// <summary>
    /// Scores a window's metrics together with the series' <see cref="OnlineMultivariateDetector"/> (one book entry, under
    /// <see cref="StreamAnomaly.Multivariate"/>); <paramref name="metrics"/> in a fixed (ordinal) order. When the set of
    /// metrics differs from the tracked one, the detector starts over for the new set. Null: a replay, not admitted, or
    /// still warming up. The spans are only read during the call (the names are copied when the set changes).
    /// </summary>
    public MultivariateScore? UpdateMultivariate(in StreamSeriesId id, DateTimeOffset end, ReadOnlySpan<string> metrics, ReadOnlySpan<double> values, Func<int, OnlineMultivariateDetector> create)
    {
        if (Admit(id, end, multivariate: true) is not { } t || (t.LastEnd is { } last && end <= last))
        {
            return null;
        }

        t.LastEnd = end;
        if (t.Multivariate is null || t.Metrics is null || !t.Metrics.AsSpan().SequenceEqual(metrics))
        {
            t.Metrics = metrics.ToArray();
            t.Multivariate = create(metrics.Length);
        }

        return t.Multivariate.Score(values);
    }

    /// <summary>
    /// The tracked entry of <paramref name="id"/>, admitting it when there is room or an idle entry to replace (a new
    /// entry gets a detector, or for <paramref name="multivariate"/> none yet: it is made for the first set of metrics).
    /// </summary>
    private Tracked? Admit(in StreamSeriesId id, DateTimeOffset end, bool multivariate)
    {
        if (_map.TryGetValue(id, out var node))
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
            return node.Value;
        }

        if (_map.Count >= capacity && _lru.Last is { } oldest)
        {
            var idleFor = oldest.Value.LastEnd is { } lastEnd ? end - lastEnd : TimeSpan.MaxValue;
            if (idleFor.Ticks <= IdleWindows * oldest.Value.Id.SizeTicks)
            {
                onSkip?.Invoke();
                return null;
            }

            _lru.RemoveLast();
            _map.Remove(oldest.Value.Id);
            onEvict();
        }

        var tracked = multivariate ? new Tracked(id, null, 1) : new Tracked(id, new OnlineAnomalyDetector(detectorOptions), expectedCount);
        node = _lru.AddFirst(tracked);
        _map[id] = node;
        return tracked;
    }

    private sealed class Tracked(StreamSeriesId id, OnlineAnomalyDetector? detector, int window)
    {
        private readonly double[] _ring = new double[window];
        private int _count;
        private int _next;

        public StreamSeriesId Id { get; } = id;

        public OnlineAnomalyDetector? Detector { get; } = detector;

        public OnlineMultivariateDetector? Multivariate { get; set; }

        public string[]? Metrics { get; set; }

        public DateTimeOffset? LastEnd { get; set; }

        public void Push(double value)
        {
            _ring[_next] = value;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }

        public double? Median()
        {
            if (_count == 0)
            {
                return null;
            }

            Span<double> sorted = stackalloc double[_count];
            _ring.AsSpan(0, _count).CopyTo(sorted);
            sorted.Sort();
            return _count % 2 == 1 ? sorted[_count / 2] : (sorted[(_count / 2) - 1] + sorted[_count / 2]) / 2;
        }
    }
}
