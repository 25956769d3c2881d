using Dwcp.Tests;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>The Anomalies page in a real headless Chromium against the real server and its demo-derived data.</summary>
public sealed class AnomaliesPageTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string Ready = "body[data-ready='true']";

    // The CDN hot-linking incident of the seed-42 demo starts 2024-09-25, inside the fixture's data window.
    private const string Query = """
        { detectAnomalies(startDate: "2024-09-20", endDate: "2024-09-30", first: 200) { id timestamp service rootCauses { dimension value } } }
        """;

    [Fact]
    public async Task The_page_lists_the_APIs_anomalies_by_impact_charts_the_selected_one_and_marks_it()
    {
        var api = await fixture.GraphQLAsync(Query, new { });
        Assert.False(api.TryGetProperty("errors", out var errors), errors.ToString());
        var expected = api.GetProperty("data").GetProperty("detectAnomalies").EnumerateArray().ToList();
        Assert.NotEmpty(expected);

        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/#/anomalies?from=2024-09-20&to=2024-09-30");
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();

        // Same anomalies, same order (largest dollar impact first).
        var rows = page.GetByTestId("anomaly-row");
        Assert.Equal(expected.Count, await rows.CountAsync());
        Assert.Equal(expected[0].GetProperty("id").GetString(), await rows.Nth(0).GetAttributeAsync("data-id"));
        Assert.Equal(expected[^1].GetProperty("id").GetString(), await rows.Nth(expected.Count - 1).GetAttributeAsync("data-id"));

        // The top one is selected: its chart (band, actual, flagged points) and its root-cause bars render.
        var top = expected[0];
        var title = await page.GetByTestId("anomaly-title").InnerTextAsync();
        Assert.Contains(top.GetProperty("service").GetString()!, title, StringComparison.Ordinal);
        Assert.Contains(top.GetProperty("timestamp").GetString()!, title, StringComparison.Ordinal);
        Assert.True(await page.Locator("[data-testid='anomaly-chart'] canvas").CountAsync() > 0);
        Assert.True(await page.Locator("[data-testid='anomaly-causes-chart'] canvas").CountAsync() > 0);
        Assert.Matches(@"[1-9]\d* flagged days", await page.GetByTestId("anomaly-chart").GetAttributeAsync("aria-label") ?? "");
        Assert.Contains(top.GetProperty("rootCauses")[0].GetProperty("value").GetString()!, await page.GetByTestId("anomaly-causes-chart").GetAttributeAsync("aria-label") ?? "", StringComparison.Ordinal);
        Assert.True(await page.GetByTestId("anomaly-causes").Locator("li").CountAsync() > 0);

        var artifacts = RepoPaths.Of("artifacts");
        Directory.CreateDirectory(artifacts);
        await page.WaitForTimeoutAsync(800); // only for the picture: let the entry animation finish
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(artifacts, "dashboard-anomalies.png"), FullPage = true });

        // Selecting another row shows that one.
        if (expected.Count > 1)
        {
            await rows.Nth(1).ClickAsync();
            Assert.Contains(expected[1].GetProperty("timestamp").GetString()!, await page.GetByTestId("anomaly-title").InnerTextAsync(), StringComparison.Ordinal);
            await rows.Nth(0).ClickAsync();
        }

        // "Mark expected" calls the mutation: the anomaly leaves the default list and the server reports it suppressed.
        var id = top.GetProperty("id").GetString()!;
        await page.GetByTestId("mark-expected").ClickAsync();
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.Locator($"[data-testid='anomaly-row'][data-id='{id}']")).ToHaveCountAsync(0);
        Assert.Contains("as expected", await page.GetByTestId("anomalies-status").InnerTextAsync(), StringComparison.Ordinal);
        var after = await fixture.GraphQLAsync("""{ detectAnomalies(startDate: "2024-09-20", endDate: "2024-09-30", includeSuppressed: true, first: 200) { id suppressed } }""", new { });
        Assert.True(after.GetProperty("data").GetProperty("detectAnomalies").EnumerateArray().Single(a => a.GetProperty("id").GetString() == id).GetProperty("suppressed").GetBoolean());
    }
}
