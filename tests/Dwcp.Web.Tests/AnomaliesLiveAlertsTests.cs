using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>
/// The Anomalies page's "Live alerts" panel in Chromium against a real server (empty store, the real engine and stream
/// anomaly monitor on the system clock): a spike after a steady stream arrives over streamAnomalyDetected and is shown
/// with its value, expected and severity; and the panel says so when the socket is down.
/// </summary>
public sealed class AnomaliesLiveAlertsTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
    private const int Steady = 90;

    private static string Event(string id, DateTimeOffset at, string metric, double value, string service = "ec2") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event_id"] = id,
            ["timestamp"] = at.ToString("O", CultureInfo.InvariantCulture),
            ["metrics"] = new Dictionary<string, double> { [metric] = value },
            ["provider"] = "aws",
            ["region"] = "eu-west-1",
            ["service"] = service,
            ["account"] = "acct-a",
        });

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private async Task<IPage> OpenAsync(IBrowserContext context, List<string> problems)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync(fixture.BaseUrl + "/#/anomalies");
        await page.WaitForSelectorAsync("body[data-ready='true']", new() { State = WaitForSelectorState.Attached });
        return page;
    }

    [Fact]
    public async Task A_stream_spike_appears_in_the_live_alerts_panel_with_its_value_expected_and_severity()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1200 }, Locale = "en-US", TimezoneId = "UTC" });
        var problems = new List<string>();
        var page = await OpenAsync(context, problems);
        await Assertions.Expect(page.GetByTestId("live-alerts-stream-status")).ToHaveAttributeAsync("data-status", "open", new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("live-alerts-cost-status")).ToHaveAttributeAsync("data-status", "open");
        await Assertions.Expect(page.GetByTestId("live-alerts-empty")).ToBeVisibleAsync();
        for (var i = 0; i < 500 && (await fixture.GraphQLAsync("{ streamStats { activeSubscriptions } }")).GetProperty("streamStats").GetProperty("activeSubscriptions").GetInt64() < 1; i++)
        {
            await Task.Delay(20);
        }

        // 90 steady one-minute windows of cpu_usage around 50 (3 events each), then one window around 150, in the recent
        // past of the real clock; a later event of another series closes the spike window (watermark = max time − 30 s).
        var now = DateTimeOffset.UtcNow;
        var t0 = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-(Steady + 10));
        var rng = new Random(1);
        var windows = Enumerable.Range(0, Steady).Select(_ => Enumerable.Range(0, 3).Select(_ => 50 + Math.Round((rng.NextDouble() * 4) - 2, 2)).ToArray()).ToList();
        windows.Add([148, 150, 152.5]);
        var lines = new List<string>();
        for (var w = 0; w < windows.Count; w++)
        {
            lines.AddRange(windows[w].Select((v, i) => Event($"e{w}-{i}", t0.AddMinutes(w).AddSeconds(5 + (15 * i)), "cpu_usage", v)));
        }

        var spikeStart = t0.AddMinutes(Steady);
        lines.Add(Event("tick", spikeStart.AddMinutes(1).AddSeconds(31), "tick", 1, service: "clock"));
        for (var start = 0; start < lines.Count; start += 60)
        {
            await fixture.PostEventsAsync([.. lines.Skip(start).Take(60)]);
        }

        // Expected = the median of the series' previous 30 window averages (docs/anomalies.md, stream detector).
        var averages = windows.Select(v => v.Average()).ToArray();
        var previous = averages[(Steady - 30)..Steady].Order().ToArray();
        var expected = (previous[14] + previous[15]) / 2;
        var alert = page.Locator("[data-testid='live-alert'][data-kind='stream']").First;
        await Assertions.Expect(alert).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Equal(Iso(spikeStart.AddMinutes(1)), await alert.GetAttributeAsync("data-time"));
        Assert.Equal(averages[^1], double.Parse((await alert.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 9);
        Assert.Equal(expected, double.Parse((await alert.GetAttributeAsync("data-expected"))!, CultureInfo.InvariantCulture), 9);
        Assert.Equal("critical", await alert.GetAttributeAsync("data-severity")); // about +200%
        var subject = await alert.GetByTestId("live-alert-subject").InnerTextAsync();
        Assert.Contains("cpu_usage", subject, StringComparison.Ordinal);
        Assert.Contains("ec2", subject, StringComparison.Ordinal);
        var values = await alert.GetByTestId("live-alert-values").InnerTextAsync();
        Assert.StartsWith(averages[^1].ToString("N2", CultureInfo.InvariantCulture) + " vs " + expected.ToString("N2", CultureInfo.InvariantCulture), values, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("live-alerts-empty")).ToBeHiddenAsync();
        Assert.Empty(problems);

        var artifacts = Dwcp.Tests.RepoPaths.Of("artifacts");
        Directory.CreateDirectory(artifacts);
        await page.GetByTestId("live-alerts").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-anomalies-live-alerts.png") });
    }

    [Fact]
    public async Task When_the_socket_is_down_the_panel_says_so()
    {
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1200 } });
        // Every WebSocket to the server is refused (closed before it opens), as when the server is unreachable.
        await context.RouteWebSocketAsync(new System.Text.RegularExpressions.Regex("/graphql$"), ws => ws.CloseAsync(new() { Code = 1011, Reason = "down for the test" }));
        var problems = new List<string>();
        var page = await OpenAsync(context, problems);
        var panel = page.GetByTestId("live-alerts");
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-socket", "down");
        await Assertions.Expect(page.GetByTestId("live-alerts-stream-status")).ToHaveAttributeAsync("data-status", "reconnecting", new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("live-alerts-stream-status")).ToContainTextAsync("not connected");
        await Assertions.Expect(page.GetByTestId("live-alerts-cost-status")).ToContainTextAsync("not connected");
    }
}
