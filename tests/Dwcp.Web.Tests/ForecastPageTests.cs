using Dwcp.Tests;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>The Forecast page in a real headless Chromium against the real server and its demo-derived data.</summary>
public sealed class ForecastPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string Ready = "body[data-ready='true']";

    private const string Query = """
        { forecastCosts(periods: ["30d", "60d", "90d"], currency: "USD") { period predictedCost currentCost accuracyScore } }
        """;

    [Fact]
    public async Task The_forecast_cards_show_the_APIs_predictions_and_the_fan_chart_renders()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/#/forecast?currency=USD");
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();

        var api = await fixture.GraphQLAsync(Query, new { });
        Assert.False(api.TryGetProperty("errors", out var errors), errors.ToString());
        var forecasts = api.GetProperty("data").GetProperty("forecastCosts").EnumerateArray().ToList();
        Assert.Equal(3, forecasts.Count);
        foreach (var f in forecasts)
        {
            var period = f.GetProperty("period").GetString()!;
            var shown = await page.GetByTestId($"predicted-{period}").GetAttributeAsync("data-value");
            Assert.Equal(f.GetProperty("predictedCost").GetRawText(), shown);
            var accuracy = await page.GetByTestId($"accuracy-{period}").InnerTextAsync();
            Assert.Contains("accuracy", accuracy, StringComparison.Ordinal);
        }

        // The chart canvas exists and the page describes it for screen readers.
        Assert.Contains("forecast", await page.GetByTestId("forecast-chart").GetAttributeAsync("aria-label") ?? "", StringComparison.Ordinal);
        Assert.True(await page.Locator("[data-testid='forecast-chart'] canvas").CountAsync() > 0);

        var artifacts = RepoPaths.Of("artifacts");
        Directory.CreateDirectory(artifacts);
        await page.WaitForTimeoutAsync(800); // only for the picture: let the entry animation finish
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-forecast.png"), FullPage = true });
    }

    [Fact]
    public async Task An_unknown_currency_shows_the_servers_error_and_keeps_the_page_usable()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/#/forecast?currency=XXX");
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("error")).ToBeVisibleAsync();
        Assert.Contains("XXX", await page.GetByTestId("error").InnerTextAsync(), StringComparison.Ordinal);
    }
}
