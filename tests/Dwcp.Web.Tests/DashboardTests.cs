using System.Globalization;
using System.Text.Json;
using Dwcp.Tests;
using Microsoft.Playwright;

namespace Dwcp.Web.Tests;

/// <summary>
/// The cost overview in a real headless Chromium against the real server. Every expected figure is computed here
/// from the rows the fixture loaded; the server's own answers are only used where the brief says "the same as the API".
/// </summary>
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const string Ready = "body[data-ready='true']";

    private const string TotalQuery = """
        query Total($startDate: String!, $endDate: String!) {
          getCostMetrics(startDate: $startDate, endDate: $endDate, groupBy: [PROVIDER], costType: BILLED, granularity: TOTAL) {
            summary { currency totalCost }
          }
        }
        """;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private CostExpectations Expected => fixture.Expected;

    [Fact]
    public async Task The_default_view_shows_the_exact_total_of_the_last_full_month_as_the_API_and_the_rows_give_it()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);

        // Independent of the page: the data ends 2024-11-20, so the last full month is October 2024.
        var (from, to) = Expected.LastFullMonth();
        Assert.Equal((new DateOnly(2024, 10, 1), new DateOnly(2024, 10, 31)), (from, to));
        Assert.Equal(Day(from), await page.GetByTestId("date-from").InputValueAsync());
        Assert.Equal(Day(to), await page.GetByTestId("date-to").InputValueAsync());

        var shown = await TotalValueAsync(page);

        var api = await fixture.GraphQLAsync(TotalQuery, new { startDate = Day(from), endDate = Day(to) });
        Assert.False(api.TryGetProperty("errors", out var errors), errors.ToString());
        var summary = api.GetProperty("data").GetProperty("getCostMetrics").GetProperty("summary");
        Assert.Equal("USD", summary.GetProperty("currency").GetString());
        Assert.Equal(summary.GetProperty("totalCost").GetRawText(), shown); // the exact JSON text, trailing zeros included
        Assert.Equal(Expected.Total(from, to), decimal.Parse(shown, NumberStyles.Float, Inv));
        Assert.Equal("USD", await page.GetByTestId("total-cost").GetAttributeAsync("data-currency"));
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();

        var artifacts = RepoPaths.Of("artifacts");
        Directory.CreateDirectory(artifacts);
        // Only for the picture: let the charts' 300 ms entry animation finish. Nothing is asserted on time.
        await page.WaitForTimeoutAsync(1000);
        var file = Path.Combine(artifacts, "dashboard-overview.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 10_000, "The screenshot is suspiciously small.");
    }

    [Fact]
    public async Task Changing_the_date_range_updates_the_total_to_the_sum_of_the_new_range()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        var before = await TotalValueAsync(page);

        var from = new DateOnly(2024, 9, 10);
        var to = new DateOnly(2024, 10, 5);
        await SetRangeAsync(page, from, to);

        var shown = await TotalValueAsync(page);
        var expected = Expected.Total(from, to);
        Assert.NotEqual(decimal.Parse(before, NumberStyles.Float, Inv), expected); // the check below really sees a change
        Assert.Equal(expected, decimal.Parse(shown, NumberStyles.Float, Inv));
        Assert.Contains($"from={Day(from)}&to={Day(to)}", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Unticking_a_provider_updates_the_total_to_the_sum_without_that_provider()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        var (from, to) = Expected.LastFullMonth();
        Assert.Equal(Expected.Total(from, to), decimal.Parse(await TotalValueAsync(page), NumberStyles.Float, Inv));

        var azure = page.GetByTestId("provider-filter").Locator("input[type=checkbox][value=AZURE]");
        Assert.True(await azure.IsCheckedAsync());
        await azure.UncheckAsync();
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });

        var expected = Expected.Total(from, to, "Microsoft");
        Assert.True(expected < Expected.Total(from, to), "Microsoft has cost in the default range.");
        Assert.Equal(expected, decimal.Parse(await TotalValueAsync(page), NumberStyles.Float, Inv));
        Assert.False(await azure.IsCheckedAsync());

        var series = (await page.GetByTestId("chart-provider").GetAttributeAsync("data-series"))!.Split('|');
        Assert.DoesNotContain("Microsoft", series);
        Assert.Contains("AWS", series);
        Assert.Contains("Google Cloud", series);
    }

    [Fact]
    public async Task An_end_date_before_the_start_date_shows_the_servers_message_and_the_page_recovers_when_fixed()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        var banner = page.GetByTestId("error");
        await Assertions.Expect(banner).ToBeHiddenAsync();

        var from = new DateOnly(2024, 10, 20);
        var badTo = new DateOnly(2024, 10, 5);
        var api = await fixture.GraphQLAsync(TotalQuery, new { startDate = Day(from), endDate = Day(badTo) });
        var serverMessage = api.GetProperty("errors")[0].GetProperty("message").GetString()!;
        Assert.Contains("2024-10-05", serverMessage, StringComparison.Ordinal);
        Assert.Contains("before", serverMessage, StringComparison.Ordinal);

        await SetRangeAsync(page, from, badTo);
        await Assertions.Expect(banner).ToBeVisibleAsync();
        // All failing queries carry the same message; the banner merges duplicates into one.
        Assert.Equal(new[] { serverMessage }, await banner.GetByTestId("error-message").AllTextContentsAsync());
        var total = page.GetByTestId("total-cost");
        Assert.Equal("true", await total.GetAttributeAsync("data-failed"));
        Assert.Equal("", await total.GetAttributeAsync("data-value"));

        var to = new DateOnly(2024, 10, 31);
        await SetRangeAsync(page, from, to);
        await Assertions.Expect(banner).ToBeHiddenAsync();
        Assert.Null(await total.GetAttributeAsync("data-failed"));
        Assert.Equal(Expected.Total(from, to), decimal.Parse(await TotalValueAsync(page), NumberStyles.Float, Inv));
    }

    [Fact]
    public async Task The_top_services_table_lists_the_ten_largest_services_of_the_range_in_order()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await OpenAsync(context);
        var (from, to) = Expected.LastFullMonth();
        var ranked = Expected.ServicesByCost(from, to);
        Assert.True(ranked.Count > 10, $"Only {ranked.Count} services in the range; the test needs more than 10 for an Other row.");
        var top = ranked.Take(10).ToList();
        var otherCost = ranked.Skip(10).Sum(s => s.Cost);

        // A service name under several providers (among the shown ones) gets " · provider" appended.
        var providersOfName = top.GroupBy(s => s.Service).ToDictionary(g => g.Key ?? "", g => g.Select(s => s.Provider).Distinct().Count());
        string Label((string? Provider, string? Service, decimal Cost) s)
        {
            var name = s.Service ?? "(no service)";
            return providersOfName[s.Service ?? ""] > 1 ? $"{name} · {s.Provider}" : name;
        }

        var rows = await page.GetByTestId("top-services").Locator("[data-testid=top-services-row]").EvaluateAllAsync<string[][]>(
            """
            rows => rows.map(r => [
              r.querySelector('.rank').textContent,
              r.querySelector('.service-name').textContent,
              r.querySelector('.provider-cell').textContent,
              r.querySelector('td[data-value]').dataset.value,
              r.dataset.other ?? ''])
            """);

        Assert.Equal(11, rows.Length); // 10 services and the "Other services" row
        for (var i = 0; i < 10; i++)
        {
            var (expectedRank, expectedService, expectedProvider) = ((i + 1).ToString(Inv), Label(top[i]), top[i].Provider);
            Assert.Equal((expectedRank, expectedService, expectedProvider, ""), (rows[i][0], rows[i][1], rows[i][2], rows[i][4]));
            Assert.Equal(AsDouble(top[i].Cost), double.Parse(rows[i][3], Inv));
        }

        Assert.Equal(("Other services", "true"), (rows[10][1], rows[10][4]));
        Assert.Equal(AsDouble(otherCost), double.Parse(rows[10][3], Inv), (double)otherCost * 1e-12);

        // The service chart stacks the same 10 plus one grey "Other" series.
        var series = (await page.GetByTestId("chart-service").GetAttributeAsync("data-series"))!.Split('|');
        Assert.Equal(top.Select(Label).Order(StringComparer.Ordinal), series.Where(s => s != "Other").Order(StringComparer.Ordinal));
        Assert.Equal("Other", series[^1]);
    }

    [Fact]
    public async Task A_normal_load_logs_no_console_errors_and_no_failed_requests()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, msg) =>
        {
            if (msg.Type == "error")
            {
                lock (problems)
                {
                    problems.Add($"console.error: {msg.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (problems)
            {
                problems.Add($"page error: {error}");
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (problems)
                {
                    problems.Add($"HTTP {response.Status}: {response.Url}");
                }
            }
        };
        page.RequestFailed += (_, request) =>
        {
            lock (problems)
            {
                problems.Add($"request failed: {request.Url} ({request.Failure})");
            }
        };

        await page.GotoAsync(fixture.BaseUrl + "/#/overview");
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        await Assertions.Expect(page.GetByTestId("error")).ToBeHiddenAsync();
        Assert.NotEqual("", await TotalValueAsync(page));

        lock (problems)
        {
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }

    private async Task<IPage> OpenAsync(IBrowserContext context)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.BaseUrl + "/#/overview");
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        return page;
    }

    /// <summary>Types both dates (the page debounces them into one load) and waits until every panel has rendered.</summary>
    private static async Task SetRangeAsync(IPage page, DateOnly from, DateOnly to)
    {
        // Playwright's fill of a date input sets the value and fires input + change; the page marks itself
        // not ready inside the change handler, so the wait below cannot see the previous "true".
        await page.GetByTestId("date-from").FillAsync(Day(from));
        await page.GetByTestId("date-to").FillAsync(Day(to));
        await page.WaitForSelectorAsync(Ready, new() { State = WaitForSelectorState.Attached });
        Assert.Equal(Day(from), await page.GetByTestId("date-from").InputValueAsync());
        Assert.Equal(Day(to), await page.GetByTestId("date-to").InputValueAsync());
    }

    private static async Task<string> TotalValueAsync(IPage page) =>
        await page.GetByTestId("total-cost").GetAttributeAsync("data-value") ?? throw new InvalidOperationException("total-cost has no data-value.");

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", Inv);

    /// <summary>The double nearest to a decimal (via its exact text, which .NET parses with correct rounding).</summary>
    private static double AsDouble(decimal d) => double.Parse(d.ToString(Inv), Inv);
}
