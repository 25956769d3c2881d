using System.Text.Json;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Server.Tests;

/// <summary>The guide's forecastCosts over daily cost in the store.</summary>
public sealed class GraphQLForecastTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2024, 1, 1);
    private readonly DwcpFactory _factory = new();
    private readonly List<FocusRow> _rows = [];

    /// <summary>The noise-free daily cost of day t: a level rising 2 a day with a weekly pattern.</summary>
    private static decimal Truth(int t) => 1000m + (2m * t) + (t % 7 is 5 or 6 ? -150m : 60m);

    public async Task InitializeAsync()
    {
        var rng = new Random(11);
        for (var t = 0; t < 180; t++)
        {
            var noise = (decimal)((rng.NextDouble() - 0.5) * 20);
            _rows.Add(TestRows.Make("acct", Start.AddDays(t), "Amazon EC2", Math.Round(Truth(t) + noise, 2), provider: "AWS"));
            _rows.Add(TestRows.Make("acct", Start.AddDays(t), "Amazon S3", 10m, provider: "AWS"));
        }

        _rows.Add(TestRows.Make("eu", Start.AddDays(170), "Amazon EC2", 5m, provider: "AWS", currency: "EUR"));
        _rows.Add(TestRows.Make("short", Start.AddDays(176), "Short", 1m, provider: "Microsoft"));
        await _factory.LoadAsync(_rows);

        // The one EUR charge (2024-06-19) converts to USD at this rate when a reporting currency is asked for.
        var rates = Path.Combine(_factory.DataDir, "rates.csv");
        File.WriteAllText(rates, "date,base,quote,rate\n2024-06-19,EUR,USD,1.1\n");
        new Dwcp.Cost.Currency.ExchangeRateStore(_factory.DataDir).Import(rates);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private const string Query = """
        query($service: String, $provider: CloudProvider, $currency: String, $periods: [String!]) {
          forecastCosts(service: $service, provider: $provider, currency: $currency, periods: $periods) {
            period currency currentCost predictedCost confidenceLower confidenceUpper level trend
            seasonality { weekly monthly } accuracyScore accuracyUnavailableReason model historyTo daily { date mean }
          }
        }
        """;

    [Fact]
    public async Task A_trending_weekly_series_is_forecast_near_its_true_path_with_a_real_accuracy_score()
    {
        var json = await _factory.GraphQLAsync(Query, new { service = "Amazon EC2", provider = "AWS", currency = "USD", periods = new[] { "30d", "8w" } });
        var list = json.GetProperty("data").GetProperty("forecastCosts").EnumerateArray().ToList();
        Assert.Equal(["30d", "8w"], list.Select(f => f.GetProperty("period").GetString()));
        var f30 = list[0];
        var expected = Enumerable.Range(180, 30).Sum(Truth);
        var predicted = f30.GetProperty("predictedCost").GetDecimal();
        Assert.InRange(predicted, expected * 0.95m, expected * 1.05m);
        Assert.True(f30.GetProperty("confidenceLower").GetDecimal() <= predicted && predicted <= f30.GetProperty("confidenceUpper").GetDecimal());
        Assert.Equal("increasing", f30.GetProperty("trend").GetString());
        Assert.True(f30.GetProperty("seasonality").GetProperty("weekly").GetDouble() > 0.5);
        var accuracy = f30.GetProperty("accuracyScore").GetDouble();
        Assert.InRange(accuracy, 0.8, 1.0);
        Assert.Equal(30, f30.GetProperty("daily").GetArrayLength());
        Assert.Equal("2024-06-29", f30.GetProperty("daily")[0].GetProperty("date").GetString());
        Assert.Equal(56, list[1].GetProperty("daily").GetArrayLength());
    }

    private const string PeriodsQuery = """
        query($periods: [String!], $historyDays: Int) {
          forecastCosts(service: "Amazon EC2", currency: "USD", periods: $periods, historyDays: $historyDays) {
            period currentCost currentCostDays predictedCost accuracyScore lowConfidence confidenceNotes model daily { mean }
          }
        }
        """;

    [Fact]
    public async Task Periods_of_one_call_share_one_path_so_sums_are_monotone_and_the_30d_card_is_the_fan_charts_first_30_days()
    {
        var json = await _factory.GraphQLAsync(PeriodsQuery, new { periods = new[] { "30d", "31d", "60d", "61d", "90d" }, historyDays = 365 });
        var list = json.GetProperty("data").GetProperty("forecastCosts").EnumerateArray().ToList();
        var predicted = list.Select(f => f.GetProperty("predictedCost").GetDecimal()).ToArray();
        for (var i = 1; i < predicted.Length; i++)
        {
            Assert.True(predicted[i] >= predicted[i - 1], string.Join(" / ", predicted));
        }

        var fan = list[^1].GetProperty("daily").EnumerateArray().Select(d => d.GetProperty("mean").GetDecimal()).ToArray();
        Assert.Equal(90, fan.Length);
        Assert.Equal(fan.Take(30).Sum(), predicted[0]);
        Assert.Equal(fan.Take(60).Sum(), predicted[2]);
        Assert.Single(list.Select(f => f.GetProperty("model").GetString()).Distinct());
        // 180 days of history: the 30/31-day bounds are observed and accurate; 90 days cannot be backtested (flagged).
        Assert.False(list[0].GetProperty("lowConfidence").GetBoolean(), list[0].GetProperty("confidenceNotes").ToString());
        Assert.True(list[0].GetProperty("accuracyScore").GetDouble() > 0.9);
        Assert.Equal(JsonValueKind.Null, list[^1].GetProperty("accuracyScore").ValueKind);
        Assert.True(list[^1].GetProperty("lowConfidence").GetBoolean());
    }

    [Fact]
    public async Task A_history_shorter_than_the_period_is_flagged_and_its_current_cost_scaled()
    {
        var json = await _factory.GraphQLAsync(PeriodsQuery, new { periods = new[] { "30d" }, historyDays = 10 });
        var f = json.GetProperty("data").GetProperty("forecastCosts")[0];
        Assert.True(f.GetProperty("lowConfidence").GetBoolean());
        var notes = f.GetProperty("confidenceNotes").EnumerateArray().Select(n => n.GetString()!).ToList();
        Assert.Contains(notes, n => n.StartsWith("the history holds 10 days, fewer than the 30-day period", StringComparison.Ordinal));
        Assert.Contains(notes, n => n.StartsWith("no accuracy score", StringComparison.Ordinal));
        Assert.Equal(JsonValueKind.Null, f.GetProperty("accuracyScore").ValueKind);

        // The last 10 days of EC2 in USD (the EUR charge of 2024-06-19 converts at 1.1), scaled by 30/10.
        var last10 = _rows.Where(r => r.ServiceName == "Amazon EC2" && r.ChargePeriodStart >= new DateTime(2024, 6, 19))
            .Sum(r => r.BilledCost!.Value * (r.BillingCurrency == "EUR" ? 1.1m : 1m));
        Assert.Equal(Math.Round(last10 * 3, 2), f.GetProperty("currentCost").GetDecimal());
        Assert.Equal(10, f.GetProperty("currentCostDays").GetInt32());
    }

    [Fact]
    public async Task Current_cost_is_the_exact_sum_of_the_last_period_of_history()
    {
        var json = await _factory.GraphQLAsync(Query, new { service = "Amazon S3", periods = new[] { "30d" } });
        var f = json.GetProperty("data").GetProperty("forecastCosts")[0];
        Assert.Equal(300m, f.GetProperty("currentCost").GetDecimal());
        Assert.Equal("USD", f.GetProperty("currency").GetString());
        Assert.Equal("2024-06-28", f.GetProperty("historyTo").GetString());
        Assert.InRange(f.GetProperty("predictedCost").GetDecimal(), 295m, 305m);
    }

    [Fact]
    public async Task Several_currencies_without_a_reporting_currency_and_bad_periods_are_errors()
    {
        var json = await _factory.GraphQLAsync(Query, new { service = "Amazon EC2", periods = new[] { "30d" } });
        var error = json.GetProperty("errors")[0];
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains("EUR, USD", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var bad = await _factory.GraphQLAsync(Query, new { service = "Amazon S3", periods = new[] { "a fortnight" } });
        Assert.Contains("'a fortnight' is not a forecast period", bad.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_without_rows_is_an_error_not_a_confident_zero_forecast()
    {
        var json = await _factory.GraphQLAsync(Query, new { service = "NoSuchService", periods = new[] { "30d" } });
        Assert.False(json.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Object
            && data.GetProperty("forecastCosts").ValueKind == System.Text.Json.JsonValueKind.Array, json.ToString());
        var error = json.GetProperty("errors")[0];
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("extensions").GetProperty("code").GetString());
        Assert.Contains("No cost rows match Service in [NoSuchService]", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
