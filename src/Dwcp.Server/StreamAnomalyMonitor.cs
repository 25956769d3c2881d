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

        // Nothing below allocates unless a detector is created or an anomaly published: the series is hashed once for
        // all of the window's metrics, and the metrics are walked by index (no enumerator).
        var series = window.Series;
        var seriesHash = series.GetHashCode();
        var sizeTicks = window.Size.Ticks;
        var slideTicks = window.Slide.Ticks;
        List<StreamAnomaly>? found = null;
        var metrics = window.Metrics;
        for (var i = 0; i < metrics.Count; i++)
        {
            var m = metrics[i];
            var value = ValueOf(m, options.StreamValue);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var id = new StreamSeriesId(m.Metric, sizeTicks, slideTicks, series, seriesHash);
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
            ScoreTogether(window, seriesHash, ref found);
        }

        return found;
    }

    // Scratch of ScoreTogether (one pump thread owns the monitor): the window's metrics with finite values, by name.
    private readonly string[] _names = new string[MultivariateMetricsLimit];
    private readonly double[] _values = new double[MultivariateMetricsLimit];

    // Made once: a method group passed per window would be a new delegate per window.
    private readonly Func<int, OnlineMultivariateDetector> _createMultivariate = options.CreateMultivariateDetector;

    private const int MultivariateMetricsLimit = 32;

    /// <summary>
    /// The window's metrics together (when it has at least two finite ones; the first <see cref="AnomalyAlertOptions.MaxMultivariateMetrics"/>
    /// by name): one <see cref="OnlineMultivariateDetector"/> per series and window size, in the same book.
    /// </summary>
    private void ScoreTogether(WindowResult window, int seriesHash, ref List<StreamAnomaly>? found)
    {
        var names = _names;
        var values = _values;
        var count = SelectTogether(window.Metrics, options.StreamValue, Math.Clamp(options.MaxMultivariateMetrics, 2, MultivariateMetricsLimit), names, values);
        if (count < 2)
        {
            Array.Clear(names, 0, count);
            return;
        }

        var id = new StreamSeriesId(StreamAnomaly.Multivariate, window.Size.Ticks, window.Slide.Ticks, window.Series, seriesHash);
        var score = _book.UpdateMultivariate(id, window.End, names.AsSpan(0, count), values.AsSpan(0, count), _createMultivariate);
        if (score is not null)
        {
            counters.MultivariateScored();
            if (score.IsAnomaly)
            {
                Publish(window, id, score, names.AsSpan(0, count), values.AsSpan(0, count), ref found);
            }
        }

        Array.Clear(names, 0, count); // no references to the window's strings outlive it
    }

    /// <summary>
    /// The metrics scored together: the first <paramref name="most"/> with a finite value, in ordinal name order, into
    /// <paramref name="names"/> and <paramref name="values"/> (at least <paramref name="most"/> long); returns how many.
    /// Kept sorted by insertion, so it is the same set and order as sorting all finite metrics and cutting the list (a
    /// window's metric names are distinct), without allocating.
    /// </summary>
    internal static int SelectTogether(IReadOnlyList<MetricAggregate> metrics, StreamAggregate of, int most, string[] names, double[] values)
    {
        var count = 0;
        for (var i = 0; i < metrics.Count; i++)
        {
            var m = metrics[i];
            var value = ValueOf(m, of);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var at = count;
            while (at > 0 && string.CompareOrdinal(names[at - 1], m.Metric) > 0)
            {
                at--;
            }

            if (at >= most)
            {
                continue;
            }

            for (var k = Math.Min(count, most - 1); k > at; k--)
            {
                names[k] = names[k - 1];
                values[k] = values[k - 1];
            }

            names[at] = m.Metric;
            values[at] = value;
            count = Math.Min(count + 1, most);
        }

        return count;
    }

    private void Publish(WindowResult window, in StreamSeriesId id, MultivariateScore score, ReadOnlySpan<string> names, ReadOnlySpan<double> values, ref List<StreamAnomaly>? found)
    {
        if (score.Drivers.Length == 0)
        {
            return;
        }

        var drivers = new StreamAnomalyDriver[score.Drivers.Length];
        for (var k = 0; k < drivers.Length; k++)
        {
            var j = score.Drivers[k];
            drivers[k] = new StreamAnomalyDriver(names[j], values[j], score.Expected[j], score.Z[j], score.Distance > 0 ? score.Influence[j] / score.Distance : 0);
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
