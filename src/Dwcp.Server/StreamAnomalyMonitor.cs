using System.Security.Cryptography;
using System.Text;
using Dwcp.Anomalies;
using Dwcp.Anomalies.Costs;
using Dwcp.Cost.Anomalies;
using Dwcp.Server.Graph;
using Dwcp.Streaming;
using Dwcp.Streaming.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dwcp.Server;

/// <summary>A closed stream window whose value the online detector flagged.</summary>
/// <param name="Id">Stable id: <c>sa1.</c> + 32 hex digits of SHA-256 over metric, window size and slide, series and window start.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="Series">The window's series (event type and grouped dimensions).</param>
/// <param name="WindowStart">Window start (inclusive, UTC).</param>
/// <param name="WindowEnd">Window end (exclusive).</param>
/// <param name="WindowSize">Window length.</param>
/// <param name="WindowSlide">Distance between window starts (= size for tumbling windows).</param>
/// <param name="ValueOf">Which aggregate was scored (<see cref="AnomalyAlertOptions.StreamValue"/>).</param>
/// <param name="Value">The window's value.</param>
/// <param name="Expected">Median of the series' previous values (up to <see cref="AnomalyAlertOptions.StreamExpectedWindows"/>).</param>
/// <param name="DeviationPercentage">100·(value − expected)/|expected|; ±∞ when expected is 0.</param>
/// <param name="Score">The detector's calibrated score in [0, 1].</param>
/// <param name="PValue">1 − score: the tail probability under the series' recent past (flagged when ≤ the fp rate).</param>
/// <param name="Severity">By <see cref="StreamAnomalySeverity.Of"/>.</param>
public sealed record StreamAnomaly(
    string Id, string Metric, SeriesKey Series, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, TimeSpan WindowSize, TimeSpan WindowSlide,
    StreamAggregate ValueOf, double Value, double Expected, double DeviationPercentage, double Score, double PValue, AnomalySeverity Severity);

/// <summary>
/// Severity of a stream anomaly, from its relative deviation d = |value − expected| / |expected| (metrics are not money,
/// so unlike cost anomalies there is no dollar impact): critical when d ≥ 100% (or expected is 0), high when d ≥ 50%,
/// medium when d ≥ 20%, low otherwise.
/// </summary>
public static class StreamAnomalySeverity
{
    /// <summary>The severity of a flagged value against its expected value.</summary>
    public static AnomalySeverity Of(double value, double expected)
    {
        if (expected == 0)
        {
            return value == 0 ? AnomalySeverity.Low : AnomalySeverity.Critical;
        }

        var d = Math.Abs(value - expected) / Math.Abs(expected);
        return d >= 1.0 ? AnomalySeverity.Critical : d >= 0.5 ? AnomalySeverity.High : d >= 0.2 ? AnomalySeverity.Medium : AnomalySeverity.Low;
    }
}

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
/// One <see cref="OnlineAnomalyDetector"/> per <see cref="StreamSeriesId"/>, at most <c>capacity</c> of them. When the book
/// is full, a new series takes the place of the least recently updated one only if that one is idle (no window for
/// <see cref="IdleWindows"/> of its own window sizes; the evicted series starts over, warming up, if it returns); otherwise
/// the new series is not scored (counted by <c>onSkip</c>). Evicting active series to admit new ones would rebuild ~100 KB
/// detectors on every window and never let any of them warm up. Not thread-safe: one reader of closed windows owns it.
/// </summary>
internal sealed class StreamDetectorBook(int capacity, OnlineDetectorOptions detector, int expectedWindows, Action onEvict, Action? onSkip = null)
{
    /// <summary>Windows without an update after which a tracked series may give its place to a new one.</summary>
    public const int IdleWindows = 10;

    private readonly Dictionary<StreamSeriesId, LinkedListNode<Tracked>> _map = [];
    private readonly LinkedList<Tracked> _lru = new();

    public int Count => _map.Count;

    /// <summary>Scores a window value; null when the window is not after the last one scored for the series (a replay).</summary>
    public (AnomalyScore Score, double Expected)? Update(in StreamSeriesId id, DateTimeOffset end, double value)
    {
        if (_map.TryGetValue(id, out var node))
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
        }
        else
        {
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

            node = _lru.AddFirst(new Tracked(id, new OnlineAnomalyDetector(detector), expectedWindows));
            _map[id] = node;
        }

        var t = node.Value;
        if (t.LastEnd is { } last && end <= last)
        {
            return null;
        }

        t.LastEnd = end;
        var expected = t.Median() ?? value;
        var score = t.Detector.Score(end.UtcDateTime, value);
        t.Push(value);
        return (score, expected);
    }

    private sealed class Tracked(StreamSeriesId id, OnlineAnomalyDetector detector, int window)
    {
        private readonly double[] _ring = new double[window];
        private int _count;
        private int _next;

        public StreamSeriesId Id { get; } = id;

        public OnlineAnomalyDetector Detector { get; } = detector;

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

        return found;
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
