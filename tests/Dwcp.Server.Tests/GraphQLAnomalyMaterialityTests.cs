using System.Globalization;
using System.Text.Json;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Server.Tests;

/// <summary><c>detectAnomalies(minImpact, minShare)</c>: the materiality floor over a store with a small and a large one-day step.</summary>
public sealed class GraphQLAnomalyMaterialityTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2024, 1, 1);

    /// <summary>Lambda: a flat 5.00 a day; on this day 13.00 (+8, below the default floor max(10, 0.1 × 5) = 10).</summary>
    private static readonly DateOnly SmallDay = Start.AddDays(45);

    /// <summary>EC2: a flat 200.00 a day; on this day 500.00 (+300, above the default floor max(10, 0.1 × 200) = 20).</summary>
    private static readonly DateOnly LargeDay = Start.AddDays(50);

    private const int Days = 60;

    private readonly DwcpFactory _factory = new();

    private static decimal Lambda(int t) => Start.AddDays(t) == SmallDay ? 13.00m : 5.00m;

    private static decimal Ec2(int t) => Start.AddDays(t) == LargeDay ? 500.00m : 200.00m;

    public async Task InitializeAsync()
    {
        var rows = new List<FocusRow>();
        for (var t = 0; t < Days; t++)
        {
            rows.Add(TestRows.Make("acct", Start.AddDays(t), "AWS Lambda", Lambda(t), resource: "fn-1"));
            rows.Add(TestRows.Make("acct", Start.AddDays(t), "Amazon EC2", Ec2(t), resource: "i-1"));
        }

        await _factory.LoadAsync(rows);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private const string Detect = """
        query($minImpact: Decimal, $minShare: Float) {
          detectAnomalies(startDate: "2024-02-01", endDate: "2024-02-29", minImpact: $minImpact, minShare: $minShare) {
            timestamp service expectedCost actualCost impact
          }
        }
        """;

    /// <summary>The expectation of a one-day step on a flat series: the median of the 28 days before it (docs/anomalies.md, clean baseline).</summary>
    private static decimal MedianBefore(Func<int, decimal> series, DateOnly day)
    {
        var index = day.DayNumber - Start.DayNumber;
        var window = Enumerable.Range(index - 28, 28).Select(series).Order().ToArray();
        return (window[13] + window[14]) / 2;
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<List<(string Day, string Service, decimal Expected, decimal Actual, decimal Impact)>> DetectAsync(object variables)
    {
        var json = await _factory.GraphQLAsync(Detect, variables);
        Assert.False(json.TryGetProperty("errors", out var errors), errors.ToString());
        return json.GetProperty("data").GetProperty("detectAnomalies").EnumerateArray()
            .Select(a => (a.GetProperty("timestamp").GetString()!, a.GetProperty("service").GetString()!, a.GetProperty("expectedCost").GetDecimal(),
                a.GetProperty("actualCost").GetDecimal(), a.GetProperty("impact").GetDecimal()))
            .ToList();
    }

    [Fact]
    public async Task A_step_below_the_default_floor_is_listed_only_with_a_lower_floor()
    {
        var expectedSmall = MedianBefore(Lambda, SmallDay);
        var expectedLarge = MedianBefore(Ec2, LargeDay);
        var small = (Day(SmallDay), "AWS Lambda", expectedSmall, 13.00m, 13.00m - expectedSmall);
        var large = (Day(LargeDay), "Amazon EC2", expectedLarge, 500.00m, 500.00m - expectedLarge);

        Assert.Equal([large], await DetectAsync(new { }));
        Assert.Equal([large], await DetectAsync(new { minImpact = 10m, minShare = 0.1 }));
        Assert.Equal([large, small], await DetectAsync(new { minImpact = 1m, minShare = 0.0 }));

        // Each argument alone: minShare 0 keeps the default minImpact 10 (> 8); minImpact 8 meets the step exactly, 8.01 does not.
        Assert.Equal([large], await DetectAsync(new { minShare = 0.0 }));
        Assert.Equal([large, small], await DetectAsync(new { minImpact = 8m }));
        Assert.Equal([large], await DetectAsync(new { minImpact = 8.01m }));
    }

    [Theory]
    [InlineData("minImpact: -1", "minImpact", "0 or more")]
    [InlineData("minShare: 1.5", "minShare", "between 0 and 1")]
    [InlineData("minShare: -0.01", "minShare", "between 0 and 1")]
    public async Task A_bad_floor_is_an_error_naming_the_argument(string argument, string name, string range)
    {
        var json = await _factory.GraphQLAsync($$"""{ detectAnomalies({{argument}}) { id } }""");
        var error = json.GetProperty("errors")[0];
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith(name + " ", message, StringComparison.Ordinal);
        Assert.Contains(range, message, StringComparison.Ordinal);
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("extensions").GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_floor_of_the_wrong_type_is_refused_by_the_schema_naming_the_argument()
    {
        var json = await _factory.GraphQLAsync("""{ detectAnomalies(minShare: "a tenth") { id } }""", expected: System.Net.HttpStatusCode.BadRequest);
        Assert.Contains("minShare", json.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
