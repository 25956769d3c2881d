using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Cost.Currency;
using Dwcp.Tests;

namespace Dwcp.Server.Tests;

/// <summary>The <c>currency</c> argument of getCostMetrics over rates imported into the server's data folder.</summary>
public sealed class GraphQLCurrencyTests : IAsyncLifetime
{
    private readonly DwcpFactory _factory = new();
    private readonly List<FocusRow> _rows = [];

    public async Task InitializeAsync()
    {
        var jan1 = new DateOnly(2024, 1, 1);
        for (var d = 0; d < 10; d++)
        {
            _rows.Add(TestRows.Make("us", jan1.AddDays(d), "compute", 100m + d, currency: "USD"));
            _rows.Add(TestRows.Make("eu", jan1.AddDays(d), "compute", 50.5m + d, currency: "EUR"));
        }

        await _factory.LoadAsync(_rows);
        var file = Path.Combine(_factory.DataDir, "ecb.csv");
        File.WriteAllText(file, "Date,USD,\n" + string.Join('\n', Enumerable.Range(0, 10).Select(d =>
            string.Create(CultureInfo.InvariantCulture, $"{jan1.AddDays(d):yyyy-MM-dd},{1.1m + (d / 100m)},"))) + "\n");
        new ExchangeRateStore(_factory.DataDir).Import(file);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private const string Query = """
        query($currency: String) {
          getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-10", granularity: TOTAL, includeProvider: false, currency: $currency) {
            metrics { cost currency }
            summary { totalCost }
            currencies
            reportingCurrency
            ratesUsed { from to chargeDate rateDate rate via }
          }
        }
        """;

    [Fact]
    public async Task Amounts_are_converted_at_each_days_rate_and_the_rates_are_listed()
    {
        var json = await _factory.GraphQLAsync(Query, new { currency = "USD" });
        var r = json.GetProperty("data").GetProperty("getCostMetrics");
        var expected = _rows.Sum(x => x.BillingCurrency == "USD" ? x.BilledCost!.Value
            : x.BilledCost!.Value * (1.1m + ((x.ChargePeriodStart!.Value.Day - 1) / 100m)));
        Assert.Equal("USD", r.GetProperty("reportingCurrency").GetString());
        Assert.Equal(["USD"], r.GetProperty("currencies").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(Math.Round(expected, 2), Math.Round(r.GetProperty("summary").GetProperty("totalCost").GetDecimal(), 2));
        Assert.Equal(Math.Round(expected, 2), Math.Round(r.GetProperty("metrics")[0].GetProperty("cost").GetDecimal(), 2));
        var rates = r.GetProperty("ratesUsed").EnumerateArray().ToList();
        Assert.Equal(10, rates.Count);
        Assert.All(rates, x => Assert.Equal(("EUR", "USD"), (x.GetProperty("from").GetString(), x.GetProperty("to").GetString())));
        Assert.Equal(1.19m, rates[9].GetProperty("rate").GetDecimal());
    }

    [Fact]
    public async Task A_currency_without_rates_is_a_graphql_error_naming_the_currency_and_day()
    {
        var json = await _factory.GraphQLAsync(Query, new { currency = "JPY" });
        var error = json.GetProperty("errors")[0];
        Assert.Equal("MISSING_EXCHANGE_RATE", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains("to JPY for 2024-01-01", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_currency_the_answer_keeps_its_billing_currencies()
    {
        var json = await _factory.GraphQLAsync(Query, new { currency = (string?)null });
        var r = json.GetProperty("data").GetProperty("getCostMetrics");
        Assert.Equal(JsonValueKindNull, r.GetProperty("reportingCurrency").ValueKind);
        Assert.Equal(["EUR", "USD"], r.GetProperty("currencies").EnumerateArray().Select(e => e.GetString()).Order());
        Assert.Empty(r.GetProperty("ratesUsed").EnumerateArray());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
