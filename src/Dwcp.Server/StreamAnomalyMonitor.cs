using System.Security.Cryptography;
using System.Text;
using Dwcp.Anomalies;
using Dwcp.Anomalies.Costs;
using Dwcp.Anomalies.Detectors;
using Dwcp.Cost.Anomalies;
using Dwcp.Server.Graph;
using Dwcp.Streaming;
using Dwcp.Streaming.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dwcp.Server;

/// <summary>In-process fan-out of stream anomalies (GraphQL <c>streamAnomalyDetected</c>, the webhook).</summary>
public sealed class StreamAnomalyFeed
{
    private readonly FanOut<StreamAnomaly> _fanOut = new("stream anomaly feed");

    /// <summary>Hands anomalies to every subscriber; a subscriber that throws does not stop the others (its error is rethrown after).</summary>
    public void Publish(IReadOnlyList<StreamAnomaly> anomalies) => _fanOut.Publish(anomalies);

    /// <summary>Receives every later <see cref="Publish"/>; dispose the result to stop.</summary>
    public IDisposable Subscribe(Action<IReadOnlyList<StreamAnomaly>> handler) => _fanOut.Subscribe(handler);
}

/// <summary>Identity of a stream detector: metric, window size and slide, series.</summary>
internal readonly record struct StreamSeriesId(string Metric, long SizeTicks, long SlideTicks, SeriesKey Series);

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
        if (Admit(id, end, key => new Tracked(key, new OnlineAnomalyDetector(detectorOptions), expectedCount)) is not { } t
            || (t.LastEnd is { } last && end <= last))
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
    /// still warming up.
    /// </summary>
    public MultivariateScore? UpdateMultivariate(in StreamSeriesId id, DateTimeOffset end, string[] metrics, double[] values, Func<int, OnlineMultivariateDetector> create)
    {
        if (Admit(id, end, static key => new Tracked(key, null, 1)) is not { } t || (t.LastEnd is { } last && end <= last))
        {
            return null;
        }

        t.LastEnd = end;
        if (t.Multivariate is null || t.Metrics is null || !t.Metrics.AsSpan().SequenceEqual(metrics))
        {
            t.Metrics = metrics;
            t.Multivariate = create(metrics.Length);
        }

        return t.Multivariate.Score(values);
    }

    /// <summary>The tracked entry of <paramref name="id"/>, admitting it when there is room or an idle entry to replace.</summary>
    private Tracked? Admit(in StreamSeriesId id, DateTimeOffset end, Func<StreamSeriesId, Tracked> create)
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

        node = _lru.AddFirst(create(id));
        _map[id] = node;
        return node.Value;
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

/// <summary>
/// Scores every metric of every closed window of the real-time engine with an online detector per metric × series ×
/// window size (<see cref="StreamDetectorBook"/>), and publishes flagged windows as <see cref="StreamAnomaly"/> on the
/// <see cref="StreamAnomalyFeed"/> (and the webhook, when configured). It reads its own engine subscription (bounded;
/// when it falls behind, the engine drops the oldest windows and counts them as subscriber drops).
/// </summary>
internal sealed class StreamAnomalyMonitor(
    RealtimeEngineHost host, StreamAnomalyFeed feed, AnomalyAlertOptions options, AnomalyAlertCounters counters, TimeProvider time, ILogger<StreamAnomalyMonitor> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly StreamDetectorBook _book = new(options.MaxStreamSeries, options.StreamDetector, options.StreamExpectedWindows, counters.Evicted, counters.Skipped);
    private WindowSubscription? _subscription;
    private Task? _pump;
    private HttpClient? _http;
    private IDisposable? _webhook;

    /// <summary>Series with a live detector now.</summary>
    public int TrackedSeries => _book.Count;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.WebhookUrl is { } url)
        {
            _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var webhook = new StreamAnomalyWebhook(url, options.WebhookRetries, _http, options.WebhookBaseDelay, time);
            _webhook = webhook.Attach(feed, ex =>
            {
                counters.WebhookFailed();
                logger.LogError("Stream anomaly webhook delivery failed: {Message}", ex.Message);
            });
        }

        _subscription = host.Engine.Subscribe(capacity: 65_536);
        _pump = Task.Run(() => PumpAsync(_subscription, _stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        _subscription?.Dispose();
        if (_pump is { } pump)
        {
            await pump.WaitAsync(cancellationToken);
        }

        _webhook?.Dispose();
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        _webhook?.Dispose();
        _http?.Dispose();
        _stop.Dispose();
    }

    private async Task PumpAsync(WindowSubscription subscription, CancellationToken stopping)
    {
        try
        {
            await foreach (var window in subscription.ReadAllAsync(stopping))
            {
                try
                {
                    var found = Score(window);
                    if (found is { Count: > 0 })
                    {
                        counters.StreamPublished(found.Count);
                        feed.Publish(found);
                    }
                }
#pragma warning disable CA1031 // one bad window or subscriber must not stop live detection; it is logged and counted
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    counters.StreamError();
                    logger.LogError(ex, "Stream anomaly detection failed on the {Size} window ending {End:O}: {Message}", window.Size, window.End, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // stopping
        }
    }

    private List<StreamAnomaly>? Score(WindowResult window)
    {
        if (!window.IsFinal)
        {
            return null;
        }

        List<StreamAnomaly>? found = null;
        foreach (var m in window.Metrics)
        {
            var value = ValueOf(m, options.StreamValue);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var id = new StreamSeriesId(m.Metric, window.Size.Ticks, window.Slide.Ticks, window.Series);
            if (_book.Update(id, window.End, value) is not var (score, expected))
            {
                continue;
            }

            counters.Scored();
            if (score.IsAnomaly)
            {
                var deviation = expected == 0 ? (value == expected ? 0 : value > 0 ? double.PositiveInfinity : double.NegativeInfinity) : 100 * (value - expected) / Math.Abs(expected);
                (found ??= []).Add(new StreamAnomaly(
                    IdOf(id, window.Start), m.Metric, window.Series, window.Start, window.End, window.Size, window.Slide, options.StreamValue,
                    value, expected, deviation, score.Score, score.PValue, StreamAnomalySeverity.Of(value, expected)));
            }
        }

        if (options.StreamMultivariate)
        {
            ScoreTogether(window, ref found);
        }

        return found;
    }

    /// <summary>
    /// The window's metrics together (when it has at least two finite ones; the first <see cref="AnomalyAlertOptions.MaxMultivariateMetrics"/>
    /// by name): one <see cref="OnlineMultivariateDetector"/> per series and window size, in the same book.
    /// </summary>
    private void ScoreTogether(WindowResult window, ref List<StreamAnomaly>? found)
    {
        var pairs = new List<(string Metric, double Value)>(window.Metrics.Count);
        foreach (var m in window.Metrics)
        {
            var value = ValueOf(m, options.StreamValue);
            if (double.IsFinite(value))
            {
                pairs.Add((m.Metric, value));
            }
        }

        if (pairs.Count < 2)
        {
            return;
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Metric, b.Metric));
        var most = Math.Clamp(options.MaxMultivariateMetrics, 2, 32);
        if (pairs.Count > most)
        {
            pairs.RemoveRange(most, pairs.Count - most);
        }

        var names = pairs.Select(p => p.Metric).ToArray();
        var values = pairs.Select(p => p.Value).ToArray();
        var id = new StreamSeriesId(StreamAnomaly.Multivariate, window.Size.Ticks, window.Slide.Ticks, window.Series);
        if (_book.UpdateMultivariate(id, window.End, names, values, options.CreateMultivariateDetector) is not { } score)
        {
            return;
        }

        counters.MultivariateScored();
        if (!score.IsAnomaly)
        {
            return;
        }

        var drivers = score.Drivers
            .Select(j => new StreamAnomalyDriver(names[j], values[j], score.Expected[j], score.Z[j], score.Distance > 0 ? score.Influence[j] / score.Distance : 0))
            .ToArray();
        if (drivers.Length == 0)
        {
            return;
        }

        var top = drivers[0];
        var d = names.Length;
        (found ??= []).Add(new StreamAnomaly(
            IdOf(id, window.Start), StreamAnomaly.Multivariate, window.Series, window.Start, window.End, window.Size, window.Slide, options.StreamValue,
            score.Distance, d, 100 * (score.Distance - d) / d, 1 - score.PValue, score.PValue, StreamAnomalySeverity.Of(top.Value, top.Expected), drivers));
    }

    internal static double ValueOf(MetricAggregate a, StreamAggregate of) => of switch
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

    private static string IdOf(in StreamSeriesId id, DateTimeOffset start)
    {
        var s = id.Series;
        var text = string.Join('\u001f', id.Metric, id.SizeTicks, id.SlideTicks, s.EventType, s.ResourceId, s.Provider, s.Region, s.Service, s.Account, s.Tags, start.UtcTicks);
        return "sa1." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
    }
}
