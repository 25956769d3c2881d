using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Cost.Currency;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>Rows in USD, EUR and GBP over January 2024, every day including weekends.</summary>
public sealed class MultiCurrencyStore : LoadedStore
{
    protected override IEnumerable<FocusRow> MakeRows()
    {
        var rng = new Random(7);
        string[] currencies = ["USD", "EUR", "GBP"];
        for (var i = 0; i < 400; i++)
        {
            yield return TestRows.Make(
                "acct" + rng.Next(0, 3).ToString(CultureInfo.InvariantCulture),
                new DateOnly(2024, 1, 1).AddDays(rng.Next(0, 31)),
                "svc" + rng.Next(0, 5).ToString(CultureInfo.InvariantCulture),
                rng.Next(-5_000, 2_000_000) / 1000m,
                effective: rng.Next(0, 1_000_000) / 1000m,
                currency: currencies[rng.Next(0, 3)]);
        }
    }
}

/// <summary>Answers in a reporting currency: every charge converted at its day's rate, checked against sums the test computes itself.</summary>
public sealed class CurrencyTests(MultiCurrencyStore store) : LoadedStoreTests<MultiCurrencyStore>(store)
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);
    private static readonly DateOnly Jan31 = new(2024, 1, 31);

    /// <summary>ECB-style rates (units per 1 EUR) for business days only; illustrative values, not real ECB data.</summary>
    private static readonly Dictionary<DateOnly, (decimal Usd, decimal Gbp)> Published = MakePublished();

    private static Dictionary<DateOnly, (decimal Usd, decimal Gbp)> MakePublished()
    {
        var d = new Dictionary<DateOnly, (decimal, decimal)>();
        // 2023-12-29 (a Friday) covers 2024-01-01, a holiday, and the weekend before it.
        for (var day = new DateOnly(2023, 12, 29); day <= Jan31; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday || day == Jan1)
            {
                continue;
            }

            var n = day.DayNumber % 17;
            d[day] = (1.0800m + (n * 0.0031m), 0.8500m + (n * 0.0017m));
        }

        return d;
    }

    private static string EcbCsv()
    {
        var lines = new List<string> { "Date,USD,JPY,GBP," };
        foreach (var (day, (usd, gbp)) in Published.OrderByDescending(kv => kv.Key))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{day:yyyy-MM-dd},{usd},N/A,{gbp},"));
        }

        return string.Join('\n', lines) + "\n";
    }

    private static ExchangeRateTable Table() => new(ExchangeRateCsv.Read(new StringReader(EcbCsv()), "ecb.csv"));

    private CostQueryService Service(ExchangeRateTable? table = null) => new(Store, rates: new FixedExchangeRates(table ?? Table()));

    /// <summary>The test's own rule: the day's rate or the latest earlier published one; amount in <paramref name="to"/> per 1 unit of <paramref name="from"/>.</summary>
    private static decimal Rate(string from, string to, DateOnly day)
    {
        if (from == to)
        {
            return 1m;
        }

        var d = day;
        while (!Published.ContainsKey(d))
        {
            d = d.AddDays(-1);
        }

        var (usd, gbp) = Published[d];
        decimal PerEur(string c) => c switch { "EUR" => 1m, "USD" => usd, "GBP" => gbp, _ => throw new ArgumentException(c) };
        return PerEur(to) / PerEur(from);
    }

    private static void AssertCents(decimal expected, decimal actual)
    {
        Assert.Equal(Math.Round(expected, 2), Math.Round(actual, 2));
        Assert.True(Math.Abs(expected - actual) < 0.0000001m, $"expected {expected}, got {actual}");
    }

    [Theory]
    [InlineData("USD")]
    [InlineData("EUR")]
    [InlineData("GBP")]
    public async Task Totals_in_a_reporting_currency_equal_each_row_converted_at_its_days_rate(string to)
    {
        var result = await Service().QueryAsync(new CostQuery { From = Jan1, To = Jan31, Currency = to.ToLowerInvariant() }, CostScope.Everything);
        var total = Assert.Single(result.Totals);
        Assert.Equal(to, total.Currency);
        Assert.Equal(to, result.ReportingCurrency);
        AssertCents(Loaded.Sum(r => r.BilledCost!.Value * Rate(r.BillingCurrency!, to, Rows.Day(r))), total.BilledCost);
        AssertCents(Loaded.Sum(r => r.EffectiveCost!.Value * Rate(r.BillingCurrency!, to, Rows.Day(r))), total.EffectiveCost);
        Assert.Equal(Loaded.Count, total.RowCount);
    }

    [Theory]
    [InlineData(CostGrain.Day)]
    [InlineData(CostGrain.Week)]
    [InlineData(CostGrain.Month)]
    [InlineData(CostGrain.Total)]
    public async Task Every_line_of_a_grouped_series_equals_its_rows_converted(CostGrain grain)
    {
        var result = await Service().QueryAsync(
            new CostQuery { From = Jan1, To = Jan31, Grain = grain, GroupBy = [new CostGrouping(CostDimension.Service)], Currency = "USD" },
            CostScope.Everything);
        DateOnly? Bucket(DateOnly d) => grain switch
        {
            CostGrain.Day => d,
            CostGrain.Week => d.AddDays(-(((int)d.DayOfWeek + 6) % 7)),
            CostGrain.Month => new DateOnly(d.Year, d.Month, 1),
            _ => null,
        };
        var expected = Loaded.GroupBy(r => (Bucket(Rows.Day(r)), r.ServiceName))
            .ToDictionary(g => g.Key, g => g.Sum(r => r.BilledCost!.Value * Rate(r.BillingCurrency!, "USD", Rows.Day(r))));
        Assert.Equal(expected.Count, result.Lines.Count);
        foreach (var line in result.Lines)
        {
            Assert.Equal("USD", line.Currency);
            AssertCents(expected[(line.PeriodStart, line.Keys[0])], line.BilledCost);
        }

        // Ordered by period, then cost descending within it.
        var ordered = result.Lines.OrderBy(l => l.PeriodStart ?? DateOnly.MinValue).ThenByDescending(l => l.BilledCost).ToList();
        Assert.True(ordered.SequenceEqual(result.Lines));
    }

    [Fact]
    public async Task The_rates_used_are_listed_with_weekend_days_borrowing_the_previous_business_day()
    {
        var result = await Service().QueryAsync(new CostQuery { From = Jan1, To = Jan31, Currency = "USD" }, CostScope.Everything);
        Assert.DoesNotContain(result.RatesUsed, r => r.From == "USD");
        var expectedPairs = Loaded.Where(r => r.BillingCurrency != "USD").Select(r => (r.BillingCurrency!, Rows.Day(r))).Distinct().Order().ToList();
        Assert.Equal(expectedPairs, result.RatesUsed.Select(r => (r.From, r.ChargeDate)).ToList());
        foreach (var r in result.RatesUsed)
        {
            Assert.Equal(Rate(r.From, "USD", r.ChargeDate), r.Rate);
            Assert.True(Published.ContainsKey(r.RateDate));
            Assert.True(r.RateDate <= r.ChargeDate);
        }

        // 2024-01-06 is a Saturday: its rate is Friday the 5th's. GBP→USD is a cross rate through EUR.
        var saturday = result.RatesUsed.First(r => r.ChargeDate == new DateOnly(2024, 1, 6));
        Assert.Equal(new DateOnly(2024, 1, 5), saturday.RateDate);
        Assert.Equal("EUR", result.RatesUsed.First(r => r.From == "GBP").Via);
    }

    [Fact]
    public async Task A_missing_rate_is_an_error_naming_the_currency_and_day_never_a_silent_one()
    {
        // Rates only from 2024-01-15: earlier charges in EUR or GBP have none within the 7-day limit.
        var table = new ExchangeRateTable(ExchangeRateCsv.Read(new StringReader(EcbCsv()), "ecb.csv").Where(r => r.Date >= new DateOnly(2024, 1, 15)));
        var ex = await Assert.ThrowsAsync<CostQueryException>(() =>
            Service(table).QueryAsync(new CostQuery { From = Jan1, To = Jan31, Currency = "USD" }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.MissingExchangeRate, ex.Kind);
        var first = Loaded.Where(r => r.BillingCurrency != "USD").Select(r => (r.BillingCurrency!, Rows.Day(r))).Min();
        Assert.Contains($"from {first.Item1} to USD for {first.Item2:yyyy-MM-dd}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dwcp fx import", ex.Message, StringComparison.Ordinal);

        // The same question in the only currency of a range needs no rate at all.
        var usdOnly = await Service(ExchangeRateTable.Empty).QueryAsync(
            new CostQuery { From = Jan1, To = Jan31, Currency = "USD", Filters = [new CostFilter(new CostGrouping(CostDimension.Currency), ["USD"])] },
            CostScope.Everything);
        Assert.Equal(Loaded.Where(r => r.BillingCurrency == "USD").Sum(r => r.BilledCost!.Value), usdOnly.Totals.Single().BilledCost);
        Assert.Empty(usdOnly.RatesUsed);
    }

    [Fact]
    public async Task Top_n_ranks_by_converted_cost_and_other_holds_the_rest()
    {
        var result = await Service().QueryAsync(
            new CostQuery { From = Jan1, To = Jan31, GroupBy = [new CostGrouping(CostDimension.Service)], TopN = 2, Currency = "EUR" },
            CostScope.Everything);
        var byService = Loaded.GroupBy(r => r.ServiceName!)
            .Select(g => (Service: g.Key, Sum: g.Sum(r => r.BilledCost!.Value * Rate(r.BillingCurrency!, "EUR", Rows.Day(r)))))
            .OrderByDescending(x => x.Sum).ToList();
        Assert.Equal(3, result.Lines.Count);
        Assert.Equal(byService.Take(2).Select(x => x.Service), result.Lines.Where(l => !l.IsOther).Select(l => l.Keys[0]));
        AssertCents(byService.Skip(2).Sum(x => x.Sum), result.Lines.Single(l => l.IsOther).BilledCost);
    }

    [Fact]
    public async Task Pages_of_a_converted_answer_join_up_to_the_whole_answer()
    {
        var q = new CostQuery { From = Jan1, To = Jan31, Grain = CostGrain.Day, GroupBy = [new CostGrouping(CostDimension.BillingAccount)], Currency = "GBP" };
        var whole = await Service().QueryAsync(q, CostScope.Everything);
        var pages = new List<CostLine>();
        string? cursor = null;
        do
        {
            var page = await Service().QueryAsync(q with { PageSize = 7, Cursor = cursor }, CostScope.Everything);
            Assert.Equal(whole.TotalLines, page.TotalLines);
            pages.AddRange(page.Lines);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        static object View(CostLine l) => (l.PeriodStart, string.Join('|', l.Keys), l.BilledCost, l.EffectiveCost, l.RowCount);
        Assert.Equal(whole.Lines.Select(View), pages.Select(View));

        // A cursor of the USD question does not fit the GBP one.
        var usdPage = await Service().QueryAsync(q with { Currency = "USD", PageSize = 7 }, CostScope.Everything);
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => Service().QueryAsync(q with { PageSize = 7, Cursor = usdPage.NextCursor }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task A_summary_in_a_reporting_currency_is_one_summary_of_converted_days()
    {
        var summaries = await Service().SummarizeAsync(Jan1, Jan31, [], CostMeasure.Billed, CostScope.Everything, currency: "USD");
        var s = Assert.Single(summaries);
        Assert.Equal("USD", s.Currency);
        AssertCents(Loaded.Sum(r => r.BilledCost!.Value * Rate(r.BillingCurrency!, "USD", Rows.Day(r))), s.TotalCost);
    }

    [Theory]
    [InlineData("US")]
    [InlineData("DOLLARS")]
    [InlineData("U$D")]
    public async Task A_malformed_currency_code_is_an_invalid_argument(string code)
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => Service().QueryAsync(new CostQuery { From = Jan1, To = Jan31, Currency = code }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("ISO 4217", ex.Message, StringComparison.Ordinal);
    }
}
