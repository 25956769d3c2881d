using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dwcp.Server;
using Dwcp.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>A real server (Kestrel on a free port, empty store, the real engine on the system clock) and headless Chromium.</summary>
public sealed class LiveFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private IPlaywright? _playwright;

    public string DataDir { get; } = RepoPaths.NewTempDir("dwcp-live");

    public string BaseUrl { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (!File.Exists(Path.Combine(webRoot, "index.html")))
        {
            webRoot = RepoPaths.Of("src", "Dwcp.Server", "wwwroot");
        }

        Assert.True(File.Exists(Path.Combine(webRoot, "index.html")), $"The dashboard is not built: no index.html in {webRoot}.");
        _app = DwcpServer.Build(new DwcpServerOptions { DataDir = DataDir, Urls = "http://127.0.0.1:0", WriteServerFile = false, WebRoot = webRoot });
        await _app.StartAsync();
        BaseUrl = _app.Urls.Single().TrimEnd('/');
        Assert.True(File.Exists(DashboardFixture.ChromiumPath), $"No Chromium at {DashboardFixture.ChromiumPath}. Install Debian's (apt-get install -y chromium) or set CHROMIUM_BIN.");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = DashboardFixture.ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is { } browser)
        {
            await browser.CloseAsync();
        }

        _playwright?.Dispose();
        Http.Dispose();
        if (_app is { } app)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp folder must not fail the run
        }
    }

    public async Task PostEventsAsync(IReadOnlyList<string> lines)
    {
        using var response = await Http.PostAsync(BaseUrl + "/api/v1/events", new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, text);
        using var doc = JsonDocument.Parse(text);
        Assert.True(doc.RootElement.GetProperty("accepted").GetInt32() == lines.Count, text);
    }

    public async Task<JsonElement> GraphQLAsync(string query)
    {
        using var response = await Http.PostAsJsonAsync(BaseUrl + "/graphql", new { query });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("data").Clone();
    }
}

/// <summary>The Live page in Chromium: closed windows arrive over the GraphQL subscription and show the values computed here.</summary>
public sealed class LivePageTests(LiveFixture fixture) : IClassFixture<LiveFixture>
{
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

    /// <summary>Events (at most 14) spread over the minute <paramref name="window"/>, then one event of another series 31 s after the
    /// window's end: the watermark (max event time − 30 s) passes the end, so the window closes, final.</summary>
    private static List<string> ClosedWindow(string prefix, DateTimeOffset window, double[] values) =>
        [.. values.Select((v, i) => Event($"{prefix}-{i}", window.AddSeconds(2 + (4 * i)), "cpu_usage", v)),
            Event($"{prefix}-tick", window.AddSeconds(91), "tick", 1, service: "clock")];

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Closed_windows_stream_into_the_page_with_their_average_trend_and_the_engine_counts()
    {
        // Event times in the recent past of the real clock, minutes apart, so neither window is late or in the future.
        var now = DateTimeOffset.UtcNow;
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var w1 = minute.AddMinutes(-10);
        var w2 = minute.AddMinutes(-3);
        double[] first = [20, 22, 25, 30, 21, 24, 35, 28, 26, 23];
        double[] second = [40, 50, 66.5, 45, 48, 52, 61, 44, 47, 58, 42, 49];
        var batch1 = ClosedWindow("w1", w1, first);
        await fixture.PostEventsAsync(batch1);

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add(m.Text); };
        page.PageError += (_, e) => problems.Add(e);
        await page.GotoAsync(fixture.BaseUrl + "/#/live?metrics=cpu_usage&size=1m");
        await page.WaitForSelectorAsync("body[data-ready='true']", new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();

        // The first window came from the closed-window history (streamWindows).
        var row = page.Locator("[data-testid='live-row'][data-metric='cpu_usage']");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-window-end", Iso(w1.AddMinutes(1)));
        Assert.Equal(first.Average(), double.Parse((await row.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 9);

        // The page's subscription is open on the server before the next window is posted.
        for (var i = 0; i < 500 && (await fixture.GraphQLAsync("{ streamStats { activeSubscriptions } }")).GetProperty("streamStats").GetProperty("activeSubscriptions").GetInt64() < 1; i++)
        {
            await Task.Delay(20);
        }

        var batch2 = ClosedWindow("w2", w2, second);
        await fixture.PostEventsAsync(batch2);

        // The second window arrives over the WebSocket subscription, final, with its trend against the first.
        await Assertions.Expect(row).ToHaveAttributeAsync("data-window-end", Iso(w2.AddMinutes(1)), new() { Timeout = 20_000 });
        Assert.Equal(second.Average(), double.Parse((await row.GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture), 9);
        Assert.Equal(second.Average() > first.Average() * 1.01 ? "INCREASING" : "?", await row.GetAttributeAsync("data-trend"));
        await Assertions.Expect(page.GetByTestId("live-chart-cpu_usage")).ToHaveAttributeAsync("data-points", "2");

        // p50 and p95 of each window (DDSketch: the value of rank floor(q·(n−1)) within 1% relative error), in the table
        // and as the chart's shaded band, against the order statistics of the posted values computed here.
        static double Rank(double[] values, double q) => values.Order().ElementAt((int)Math.Floor(q * (values.Length - 1)));
        static void Near(double expected, string? actual) =>
            Assert.InRange(double.Parse(actual!, CultureInfo.InvariantCulture), expected * 0.99, expected * 1.01);
        Near(Rank(second, 0.95), await row.GetAttributeAsync("data-p95"));
        Near(Rank(second, 0.50), await row.GetAttributeAsync("data-p50"));
        var bands = (await page.GetByTestId("live-chart-cpu_usage").GetAttributeAsync("data-bands"))!.Split(';');
        Assert.Equal(2, bands.Length);
        foreach (var (band, values) in bands.Zip(new[] { first, second }))
        {
            var ends = band.Split("..");
            Near(Rank(values, 0.50), ends[0]);
            Near(Rank(values, 0.95), ends[1]);
        }

        Assert.True(await page.Locator("[data-testid='live-chart-cpu_usage'] canvas").CountAsync() > 0);
        await Assertions.Expect(page.GetByTestId("live-status")).ToHaveAttributeAsync("data-status", "open");

        // Ingest figures come from streamStats (polled every 2 s): every posted event was accepted.
        await Assertions.Expect(page.GetByTestId("live-accepted")).ToHaveAttributeAsync("data-value", (batch1.Count + batch2.Count).ToString(CultureInfo.InvariantCulture), new() { Timeout = 20_000 });
        await Assertions.Expect(page.GetByTestId("live-ingest-rate")).ToHaveAttributeAsync("data-value", new System.Text.RegularExpressions.Regex(@"^\d"), new() { Timeout = 20_000 });
        // The accept → queryable latency (p95 of the server's histogram) is shown once batches were measured: a finite
        // number of milliseconds, at most the histogram's largest finite bound.
        await Assertions.Expect(page.GetByTestId("live-latency")).ToHaveAttributeAsync("data-value", new System.Text.RegularExpressions.Regex(@"^\d"), new() { Timeout = 20_000 });
        var latencyMs = double.Parse((await page.GetByTestId("live-latency").GetAttributeAsync("data-value"))!, CultureInfo.InvariantCulture);
        Assert.InRange(latencyMs, 0, 60_000);
        var stats = (await fixture.GraphQLAsync("{ streamStats { latencyCount latencyP95Ms } }")).GetProperty("streamStats");
        Assert.True(stats.GetProperty("latencyCount").GetInt64() >= 2, stats.ToString());
        Assert.Empty(problems);

        var artifacts = RepoPaths.Of("artifacts");
        Directory.CreateDirectory(artifacts);
        await page.WaitForTimeoutAsync(800); // only for the picture: let the chart animation finish
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-live.png"), FullPage = true });
    }
}
