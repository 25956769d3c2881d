using Dwcp.Anomalies;
using Dwcp.Anomalies.Costs;
using Dwcp.Server.Graph;
using Dwcp.Streaming;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// streamAnomalyDetected on the real host: events posted through POST /api/v1/events on a manual clock, so windows close
/// only as the posted event times move the watermark. Expected values are computed here from the posted events.
/// </summary>
public sealed class StreamAnomalyAlertTests : IDisposable
{
    private const int Steady = 90;
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 30, 0, TimeSpan.Zero);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_spike_after_a_steady_series_is_delivered_once_with_its_value_and_expected_and_the_steady_part_raises_nothing()
    {
        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("a", """
            subscription { streamAnomalyDetected(metricNames: ["cpu_usage"]) {
              id metric eventType provider service account windowStart windowEnd windowSize valueOf value expected deviationPercentage score severity } }
            """);
        var subscriptions = _host.Factory.Services.GetRequiredService<AnomalySubscriptionCounter>();
        await WaitUntilAsync(() => subscriptions.Active == 1, "the subscription to open");

        // 90 steady one-minute windows of 3 events (50 ± 2, seeded), then one window at about 150.
        var rng = new Random(1);
        var windows = new List<double[]>();
        for (var w = 0; w < Steady; w++)
        {
            windows.Add([.. Enumerable.Range(0, 3).Select(_ => 50 + Math.Round((rng.NextDouble() * 4) - 2, 2))]);
        }

        windows.Add([148, 150, 152.5]);
        var lines = new List<string>();
        for (var w = 0; w < windows.Count; w++)
        {
            for (var i = 0; i < windows[w].Length; i++)
            {
                lines.Add(StreamHost.Event($"e{w}-{i}", T0.AddMinutes(w).AddSeconds(5 + (15 * i)), new Dictionary<string, double> { ["cpu_usage"] = windows[w][i] }));
            }
        }

        for (var start = 0; start < lines.Count; start += 60)
        {
            await _host.PostAsync([.. lines.Skip(start).Take(60)]);
        }

        var spikeStart = T0.AddMinutes(Steady);
        await _host.CloseWindowAsync(spikeStart.AddMinutes(1));

        // The first alert is the spike: alerts follow closing order, so an alert on a steady window would come first.
        var message = await ws.ReceiveAsync();
        Assert.True(message.GetProperty("type").GetString() == "next", message.ToString());
        var a = message.GetProperty("payload").GetProperty("data").GetProperty("streamAnomalyDetected");
        var avgs = windows.Select(v => v.Average()).ToArray();
        var expected = Median(avgs[(Steady - 30)..Steady]);
        Assert.Equal("cpu_usage", a.GetProperty("metric").GetString());
        Assert.Equal(("usage", "aws", "ec2", "acct-a"), (a.GetProperty("eventType").GetString(), a.GetProperty("provider").GetString(), a.GetProperty("service").GetString(), a.GetProperty("account").GetString()));
        Assert.Equal(Iso(spikeStart), a.GetProperty("windowStart").GetString());
        Assert.Equal(Iso(spikeStart.AddMinutes(1)), a.GetProperty("windowEnd").GetString());
        Assert.Equal("1m", a.GetProperty("windowSize").GetString());
        Assert.Equal("AVG", a.GetProperty("valueOf").GetString());
        Assert.Equal(avgs[^1], a.GetProperty("value").GetDouble(), 9);
        Assert.Equal(expected, a.GetProperty("expected").GetDouble(), 9);
        Assert.Equal(Math.Round(100 * (avgs[^1] - expected) / expected, 2), a.GetProperty("deviationPercentage").GetDouble(), 6);
        Assert.InRange(a.GetProperty("score").GetDouble(), 0.95, 1.0);
        Assert.Equal("critical", a.GetProperty("severity").GetString()); // about +200%

        // Every closed cpu window was scored: 91 of 1m, 18 of 5m and 6 of 15m (08:30–10:00); only the spike alerted.
        var counters = _host.Factory.Services.GetRequiredService<AnomalyAlertCounters>();
        await WaitUntilAsync(() => counters.StreamWindowsScored >= 91 + 18 + 6, "every closed window to be scored");
        Assert.Equal(91 + 18 + 6, counters.StreamWindowsScored);
        Assert.Equal(1, counters.StreamAnomalies);
    }

    [Fact]
    public void The_detector_book_keeps_at_most_its_capacity_and_gives_an_idle_series_place_to_a_new_one_but_never_an_active_one()
    {
        int evicted = 0, skipped = 0;
        var book = new StreamDetectorBook(2, new OnlineDetectorOptions(), 30, () => evicted++, () => skipped++);
        StreamSeriesId Id(string service) => new("cpu", TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute, new SeriesKey("usage", "", "aws", "r", service, "a", ""));
        var t = T0;
        Assert.NotNull(book.Update(Id("a"), t = t.AddMinutes(1), 1));
        Assert.NotNull(book.Update(Id("b"), t = t.AddMinutes(1), 2));
        Assert.NotNull(book.Update(Id("a"), t = t.AddMinutes(1), 3)); // a is now the most recent

        // Full, and b (the least recently updated) had a window 2 minutes ago: active, so c is not scored.
        Assert.Null(book.Update(Id("c"), t = t.AddMinutes(1), 4));
        Assert.Equal((2, 0, 1), (book.Count, evicted, skipped));

        // b stays silent for more than 10 of its 1-minute windows while a keeps reporting: now c takes b's place.
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(book.Update(Id("a"), t = t.AddMinutes(1), 3));
        }

        Assert.NotNull(book.Update(Id("c"), t = t.AddMinutes(1), 4));
        Assert.Equal((2, 1, 1), (book.Count, evicted, skipped));

        // a kept its history (expected = median of its values so far: 1, 3 and ten 3s); c started fresh at its admission,
        // so its expected value now is the one value it has seen (4).
        Assert.Equal(3.0, book.Update(Id("a"), t = t.AddMinutes(1), 10)!.Value.Expected);
        Assert.Equal(4.0, book.Update(Id("c"), t, 6)!.Value.Expected);
        Assert.Null(book.Update(Id("a"), t, 5)); // a window not after the last scored one (a replay) is skipped
    }

    [Theory]
    [InlineData(200, 100, AnomalySeverity.Critical)]
    [InlineData(0, 100, AnomalySeverity.Critical)]
    [InlineData(150, 100, AnomalySeverity.High)]
    [InlineData(80, 100, AnomalySeverity.Medium)]
    [InlineData(119.9, 100, AnomalySeverity.Low)]
    [InlineData(5, 0, AnomalySeverity.Critical)]
    [InlineData(0, 0, AnomalySeverity.Low)]
    public void Stream_severity_follows_the_relative_deviation(double value, double expected, AnomalySeverity severity) =>
        Assert.Equal(severity, StreamAnomalySeverity.Of(value, expected));

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static double Median(double[] values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 1500 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition(), $"Timed out waiting for {what}.");
    }
}
