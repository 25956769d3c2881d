using System.Text.Json;
using Dwcp.Anomalies;
using Dwcp.Anomalies.Costs;
using Dwcp.Server.Graph;
using Dwcp.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// Multivariate live alerts on the real host: cpu_usage and memory_usage posted in lock-step (disk_io independent), then
/// one window where they diverge by about 1.2σ each. The alert must come through streamAnomalyDetected and name the
/// two metrics, with values and expected values computed here from the posted events.
/// </summary>
public sealed class StreamAnomalyMultivariateTests : IDisposable
{
    private const int Steady = 100;
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 30, 0, TimeSpan.Zero);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_window_that_breaks_the_correlation_is_published_as_multivariate_naming_the_metrics_that_drive_it()
    {
        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("m", """
            subscription { streamAnomalyDetected(metricNames: ["multivariate"]) {
              metric kind windowStart windowSize value expected score drivers { metric value expected z share } } }
            """);
        var subscriptions = _host.Factory.Services.GetRequiredService<AnomalySubscriptionCounter>();
        await StreamAnomalyAlertTests.WaitUntilAsync(() => subscriptions.Active == 1, "the subscription to open");

        // One value per metric per one-minute window (three identical events, so the window average is that value).
        var rng = new Random(5);
        var windows = new List<Dictionary<string, double>>();
        for (var w = 0; w <= Steady; w++)
        {
            var common = Gaussian(rng);
            windows.Add(new Dictionary<string, double>
            {
                ["cpu_usage"] = Math.Round(50 + (5 * common) + (0.5 * Gaussian(rng)), 3),
                ["memory_usage"] = Math.Round(70 + (5 * common) + (0.5 * Gaussian(rng)), 3),
                ["disk_io"] = Math.Round(10 + Gaussian(rng), 3),
            });
        }

        windows[Steady]["cpu_usage"] += 6;
        windows[Steady]["memory_usage"] -= 6;
        var lines = new List<string>();
        for (var w = 0; w < windows.Count; w++)
        {
            for (var i = 0; i < 3; i++)
            {
                lines.Add(StreamHost.Event($"e{w}-{i}", T0.AddMinutes(w).AddSeconds(5 + (15 * i)), windows[w]));
            }
        }

        for (var start = 0; start < lines.Count; start += 60)
        {
            await _host.PostAsync([.. lines.Skip(start).Take(60)]);
        }

        var breakStart = T0.AddMinutes(Steady);
        await _host.CloseWindowAsync(breakStart.AddMinutes(1));

        // Earlier windows may raise multivariate alerts at fp_rate 0.05 too; they come first, in closing order.
        JsonElement alert = default;
        for (var k = 0; k < 30; k++)
        {
            var message = await ws.ReceiveAsync();
            Assert.True(message.GetProperty("type").GetString() == "next", message.ToString());
            var a = message.GetProperty("payload").GetProperty("data").GetProperty("streamAnomalyDetected");
            Assert.Equal(("multivariate", "multivariate"), (a.GetProperty("metric").GetString(), a.GetProperty("kind").GetString()));
            if (a.GetProperty("windowStart").GetString() == Iso(breakStart) && a.GetProperty("windowSize").GetString() == "1m")
            {
                alert = a;
                break;
            }
        }

        Assert.Equal(JsonValueKind.Object, alert.ValueKind);
        var drivers = alert.GetProperty("drivers").EnumerateArray().ToArray();
        Assert.Equal(["cpu_usage", "memory_usage"], drivers.Select(d => d.GetProperty("metric").GetString()).Order());
        Assert.InRange(alert.GetProperty("score").GetDouble(), 0.999, 1.0);
        Assert.Equal(3.0, alert.GetProperty("expected").GetDouble()); // D²'s null mean: the number of metrics
        foreach (var d in drivers)
        {
            var metric = d.GetProperty("metric").GetString()!;
            Assert.Equal(windows[Steady][metric], d.GetProperty("value").GetDouble(), 9);
            // Expected = median of the metric's previous (at most 120) window values, here all 100.
            Assert.Equal(Median([.. windows.Take(Steady).Select(v => v[metric])]), d.GetProperty("expected").GetDouble(), 9);
            Assert.InRange(Math.Abs(d.GetProperty("z").GetDouble()), 0, 3); // each alone is unremarkable
            Assert.InRange(d.GetProperty("share").GetDouble(), 0.5, 1.0);
        }

        var counters = _host.Factory.Services.GetRequiredService<AnomalyAlertCounters>();
        Assert.True(counters.MultivariateWindowsScored >= Steady + 1 - 30, $"{counters.MultivariateWindowsScored} windows scored together");
    }

    [Fact]
    public void Multivariate_detectors_live_in_the_same_bounded_book_as_the_per_metric_ones()
    {
        int evicted = 0, skipped = 0;
        var book = new StreamDetectorBook(1, new OnlineDetectorOptions(), 30, () => evicted++, () => skipped++);
        var series = new SeriesKey("usage", "", "aws", "r", "ec2", "a", "");
        var t = T0.AddMinutes(1);
        Assert.NotNull(book.Update(new StreamSeriesId("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series), t, 1));
        var together = new StreamSeriesId(StreamAnomaly.Multivariate, TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, series);
        var options = new AnomalyAlertOptions();
        Assert.Null(book.UpdateMultivariate(together, t.AddMinutes(1), ["cpu", "mem"], [1, 2], options.CreateMultivariateDetector));
        Assert.Equal((1, 0, 1), (book.Count, evicted, skipped)); // full of an active series: not admitted
    }

    [Fact]
    public void The_webhook_body_carries_the_kind_and_the_drivers()
    {
        var series = new SeriesKey("usage", "i-1", "aws", "r", "ec2", "a", "");
        var a = new StreamAnomaly("sa1.x", StreamAnomaly.Multivariate, series, T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1),
            StreamAggregate.Avg, 40, 2, 1900, 0.9999, 0.0001, AnomalySeverity.Low, [new StreamAnomalyDriver("cpu_usage", 56, 50, 1.2, 0.55)]);
        using var doc = JsonDocument.Parse(StreamAnomalyWebhook.Serialize([a]));
        var item = doc.RootElement.GetProperty("stream_anomalies")[0];
        Assert.Equal("multivariate", item.GetProperty("kind").GetString());
        var driver = item.GetProperty("drivers")[0];
        Assert.Equal(("cpu_usage", 56.0, 50.0, 0.55), (driver.GetProperty("metric").GetString(), driver.GetProperty("value").GetDouble(), driver.GetProperty("expected").GetDouble(), driver.GetProperty("share").GetDouble()));
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2.0 * Math.Log(1.0 - rng.NextDouble())) * Math.Cos(2.0 * Math.PI * rng.NextDouble());

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }
}
