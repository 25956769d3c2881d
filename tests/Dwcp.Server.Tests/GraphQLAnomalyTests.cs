using Dwcp.Core.Focus;
using Dwcp.Cost.Anomalies;
using Dwcp.Tests;

namespace Dwcp.Server.Tests;

/// <summary>detectAnomalies and markAnomaly over a store with one injected regional spike.</summary>
public sealed class GraphQLAnomalyTests : IAsyncLifetime
{
    private static readonly DateOnly Start = new(2024, 1, 1);
    private static readonly DateOnly SpikeDay = Start.AddDays(80);
    private readonly DwcpFactory _factory = new();

    public async Task InitializeAsync()
    {
        // 90 days of S3 in two regions (two buckets each, seeded noise) plus a 2,000 transfer spike in us-east-1 on day 80.
        var rng = new Random(5);
        var rows = new List<FocusRow>();
        for (var t = 0; t < 90; t++)
        {
            var day = Start.AddDays(t);
            foreach (var (region, bucket) in new[] { ("us-east-1", "b1"), ("us-east-1", "b2"), ("eu-west-1", "b3"), ("eu-west-1", "b4") })
            {
                var cost = Math.Round(100m + (decimal)(rng.NextDouble() * 10), 2);
                if (day == SpikeDay && region == "us-east-1")
                {
                    cost += 1000m;
                }

                rows.Add(TestRows.Make("acct", day, "Amazon S3", cost, region: region, resource: bucket));
            }
        }

        await _factory.LoadAsync(rows);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private const string Detect = """
        query($from: String, $to: String, $suppressed: Boolean) {
          detectAnomalies(threshold: 0.05, startDate: $from, endDate: $to, providers: [AWS], includeSuppressed: $suppressed) {
            id timestamp provider service expectedCost actualCost deviationPercentage severity suppressed
            probableCauses recommendedActions rootCauses { dimension value expected actual dollarDelta share }
            breakdown { dimension contributors { value dollarDelta } }
            series { date actual expected lower upper flagged }
          }
        }
        """;

    [Fact]
    public async Task The_spike_is_listed_explained_and_disappears_once_marked_expected()
    {
        var vars = new { from = "2024-03-15", to = "2024-03-31", suppressed = false };
        var json = await _factory.GraphQLAsync(Detect, vars);
        var list = json.GetProperty("data").GetProperty("detectAnomalies").EnumerateArray().ToList();
        var spike = list[0];
        Assert.Equal("2024-03-21", spike.GetProperty("timestamp").GetString());
        Assert.Equal("AWS", spike.GetProperty("provider").GetString());
        Assert.Equal("Amazon S3", spike.GetProperty("service").GetString());

        // The actual is the day's row sum; the expected lies near the normal day (4 × ~105).
        var actual = spike.GetProperty("actualCost").GetDecimal();
        var expected = spike.GetProperty("expectedCost").GetDecimal();
        Assert.InRange(actual, 2400m, 2440m);
        Assert.InRange(expected, 400m, 440m);
        Assert.Equal("high", spike.GetProperty("severity").GetString());
        var top = spike.GetProperty("rootCauses")[0];
        Assert.Equal(("region", "us-east-1"), (top.GetProperty("dimension").GetString(), top.GetProperty("value").GetString()));
        foreach (var dim in spike.GetProperty("breakdown").EnumerateArray())
        {
            Assert.Equal(actual - expected, dim.GetProperty("contributors").EnumerateArray().Sum(c => c.GetProperty("dollarDelta").GetDecimal()));
        }

        var point = spike.GetProperty("series").EnumerateArray().Single(p => p.GetProperty("date").GetString() == "2024-03-21");
        Assert.True(point.GetProperty("flagged").GetBoolean());
        Assert.Equal(actual, point.GetProperty("actual").GetDecimal());
        Assert.True(point.GetProperty("upper").GetDecimal() < actual);
        Assert.NotEmpty(spike.GetProperty("probableCauses").EnumerateArray());

        var id = spike.GetProperty("id").GetString();
        var marked = await _factory.GraphQLAsync("""
            mutation($id: ID!) { markAnomaly(id: $id, kind: EXPECTED, note: "backfill") { id kind note timestamp deviationPercentage } }
            """, new { id });
        var verdict = marked.GetProperty("data").GetProperty("markAnomaly");
        Assert.Equal(id, verdict.GetProperty("id").GetString());
        Assert.Equal("EXPECTED", verdict.GetProperty("kind").GetString());
        Assert.Equal("backfill", verdict.GetProperty("note").GetString());
        Assert.True(File.Exists(Path.Combine(_factory.DataDir, AnomalyFeedbackFile.FileName)));

        var after = (await _factory.GraphQLAsync(Detect, vars)).GetProperty("data").GetProperty("detectAnomalies").EnumerateArray();
        Assert.DoesNotContain(after, a => a.GetProperty("id").GetString() == id);
        var shown = (await _factory.GraphQLAsync(Detect, new { from = "2024-03-15", to = "2024-03-31", suppressed = true })).GetProperty("data").GetProperty("detectAnomalies").EnumerateArray();
        Assert.True(shown.Single(a => a.GetProperty("id").GetString() == id).GetProperty("suppressed").GetBoolean());
    }

    [Fact]
    public async Task A_bad_id_or_threshold_is_a_clear_error()
    {
        var bad = await _factory.GraphQLAsync("""mutation { markAnomaly(id: "x", kind: REAL) { id } }""");
        Assert.Contains("is not an anomaly id", bad.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        var threshold = await _factory.GraphQLAsync("""{ detectAnomalies(threshold: 2) { id } }""");
        Assert.Contains("between 0 and 1", threshold.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
