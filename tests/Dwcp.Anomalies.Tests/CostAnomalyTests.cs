using Dwcp.Anomalies.Costs;

namespace Dwcp.Anomalies.Tests;

public sealed class CostAnomalyTests
{
    private static CostDetailRow Row(string resource, string sku, string region, decimal cost, string commitment = "Covered", string pricing = "Committed", string charge = "Usage") =>
        new() { Account = "111", Region = region, Sku = sku, Resource = resource, ChargeCategory = charge, PricingCategory = pricing, CommitmentStatus = commitment, Currency = "USD", Cost = cost };

    /// <summary>
    /// Baseline (2 days): i-1 100 + 100, i-2 50 + 50, bucket-1 10.00 + 12.51 → expected/day 100.00, 50.00, 11.255 → 11.26.
    /// Anomalous day: i-1 10.00 (−90.00), i-2 200.00 (+150.00), new i-3 in eu-west-1 33.33 (+33.33), bucket-1 11.25 (−0.01).
    /// Totals: expected 322.51/2 = 161.255 → 161.26; actual 254.58.
    /// </summary>
    private static (List<CostDetailRow> Day, List<CostDetailRow> Baseline) OppositeMoves()
    {
        var baseline = new List<CostDetailRow>
        {
            Row("i-1", "BoxUsage:m5.large", "us-east-1", 100.00m), Row("i-2", "BoxUsage:m5.large", "us-east-1", 50.00m), Row("bucket-1", "DataTransfer-Out-Bytes", "us-east-1", 10.00m),
            Row("i-1", "BoxUsage:m5.large", "us-east-1", 100.00m), Row("i-2", "BoxUsage:m5.large", "us-east-1", 50.00m), Row("bucket-1", "DataTransfer-Out-Bytes", "us-east-1", 12.51m),
        };
        var day = new List<CostDetailRow>
        {
            Row("i-1", "BoxUsage:m5.large", "us-east-1", 10.00m), Row("i-2", "BoxUsage:m5.large", "us-east-1", 200.00m),
            Row("i-3", "BoxUsage:m5.xlarge", "eu-west-1", 33.33m), Row("bucket-1", "DataTransfer-Out-Bytes", "us-east-1", 11.25m),
        };
        return (day, baseline);
    }

    [Fact]
    public void RootCause_reports_opposite_moves_separately_to_the_cent()
    {
        var (day, baseline) = OppositeMoves();
        var r = RootCauseAnalyzer.Analyze(day, baseline, baselineDays: 2);
        Assert.Equal(161.26m, r.Expected);
        Assert.Equal(254.58m, r.Actual);
        var resources = r.ByDimension[CostDimensions.Resource].ToDictionary(c => c.Value, c => c.DollarDelta);
        Assert.Equal(150.00m, resources["i-2"]);
        Assert.Equal(-90.00m, resources["i-1"]);
        Assert.Equal(33.33m, resources["i-3"]);
        Assert.Equal(-0.01m, resources["bucket-1"]);
        Assert.Equal(r.Delta, resources.Values.Sum());
        var top = r.Increases[0];
        Assert.Equal((CostDimensions.Resource, "i-2", 150.00m), (top.Dimension, top.Value, top.DollarDelta));
        Assert.Contains(r.Decreases, c => c is { Dimension: CostDimensions.Resource, Value: "i-1", DollarDelta: -90.00m });
        Assert.Equal(150.0 / 273.34, r.ByDimension[CostDimensions.Resource][0].Share, 9); // |deltas| 150 + 90 + 33.33 + 0.01
        Assert.Equal(ContributorChange.New, r.ByDimension[CostDimensions.Resource].Single(c => c.Value == "i-3").Change);
        var regions = r.ByDimension[CostDimensions.Region].ToDictionary(c => c.Value, c => c.DollarDelta);
        Assert.Equal(59.99m, regions["us-east-1"]); // 221.25 − 161.26
        Assert.Equal(33.33m, regions["eu-west-1"]);
        // Account and currency have one value on both sides: they explain nothing and stay out of the top lists.
        Assert.DoesNotContain(r.Increases.Concat(r.Decreases), c => c.Dimension is CostDimensions.Account or CostDimensions.Currency);
    }

    [Theory]
    [InlineData(100, 150, AnomalySeverity.Low)]          // $50
    [InlineData(1000, 1150, AnomalySeverity.Medium)]     // $150, 15%
    [InlineData(10000, 10500, AnomalySeverity.Low)]      // $500 but 5%
    [InlineData(10000, 11000, AnomalySeverity.Medium)]   // $1,000 at 10%
    [InlineData(2000, 4000, AnomalySeverity.High)]       // $2,000, 100%
    [InlineData(100000, 110000, AnomalySeverity.High)]   // $10,000 at 10%
    [InlineData(20000, 40000, AnomalySeverity.Critical)] // $20,000, 100%
    [InlineData(1000000, 1060000, AnomalySeverity.Critical)] // $60,000 at 6%
    [InlineData(4000, 1000, AnomalySeverity.High)]       // drop of $3,000 (75%)
    public void Severity_follows_the_documented_table(int expected, int actual, AnomalySeverity severity) =>
        Assert.Equal(severity, SeverityPolicy.Default.Classify(expected, actual));

    [Fact]
    public void Rules_name_new_instances_and_a_new_region_for_compute()
    {
        var (day, baseline) = OppositeMoves();
        var a = CostAnomalyAnalyzer.Analyze(new CostAnomalyInput
        {
            Timestamp = new DateTime(2025, 3, 1), Provider = "AWS", Service = "Amazon EC2", Account = "111",
            DayRows = day, BaselineRows = baseline, BaselineDays = 2, Score = 0.99,
        });
        Assert.Contains("New instances launched", a.ProbableCauses);
        Assert.Contains("Spend in a new region", a.ProbableCauses);
        Assert.DoesNotContain("Unexpected data transfer charges", a.ProbableCauses);
        Assert.Equal(a.ProbableCauses.Count, a.RecommendedActions.Count);
        Assert.Equal(57.87, a.DeviationPercentage, 2); // 93.32 / 161.26
        Assert.Equal(AnomalySeverity.Low, a.Severity);
        Assert.Equal("i-2", a.RootCauses[0].Value);
    }

    [Fact]
    public void Rules_name_data_transfer_for_object_storage()
    {
        var baseline = new[] { Row("bucket-a", "TimedStorage-ByteHrs", "us-east-1", 40m), Row("bucket-a", "DataTransfer-Out-Bytes", "us-east-1", 5m) };
        var day = new[] { Row("bucket-a", "TimedStorage-ByteHrs", "us-east-1", 41m), Row("bucket-a", "DataTransfer-Out-Bytes", "us-east-1", 95m) };
        var r = RootCauseAnalyzer.Analyze(day, baseline, 1);
        var causes = CauseRuleCatalogue.Match("Amazon Simple Storage Service", r).Select(x => x.ProbableCause).ToList();
        Assert.Equal(["Unexpected data transfer charges"], causes);
    }

    [Fact]
    public void Rules_name_an_expired_commitment_when_coverage_moves_to_on_demand()
    {
        var baseline = new[] { Row("i-9", "BoxUsage:c5.2xlarge", "us-east-1", 80m, "Covered", "Committed") };
        var day = new[] { Row("i-9", "BoxUsage:c5.2xlarge", "us-east-1", 240m, "Uncovered", "Standard") };
        var r = RootCauseAnalyzer.Analyze(day, baseline, 1);
        var ids = CauseRuleCatalogue.Match("Amazon Elastic Compute Cloud", r).Select(x => x.Id).ToList();
        Assert.Contains("commitment-expired", ids);
        Assert.DoesNotContain("compute-new-resources", ids);
    }

    [Fact]
    public void Rule_catalogue_has_at_least_15_rules_with_unique_ids_and_texts()
    {
        var rules = CauseRuleCatalogue.Rules;
        Assert.True(rules.Count >= 15, $"{rules.Count} rules");
        Assert.Equal(rules.Count, rules.Select(r => r.Id).Distinct().Count());
        Assert.All(rules, r => Assert.False(string.IsNullOrWhiteSpace(r.ProbableCause) || string.IsNullOrWhiteSpace(r.RecommendedAction)));
    }

    [Theory]
    [InlineData("Amazon Elastic Compute Cloud - Compute", ServiceFamily.Compute)]
    [InlineData("Amazon Simple Storage Service", ServiceFamily.ObjectStorage)]
    [InlineData("Cloud Storage", ServiceFamily.ObjectStorage)]
    [InlineData("Amazon Elastic Kubernetes Service", ServiceFamily.Kubernetes)]
    [InlineData("AWS Lambda", ServiceFamily.Serverless)]
    [InlineData("BigQuery", ServiceFamily.Analytics)]
    [InlineData("Azure Cosmos DB", ServiceFamily.Database)]
    [InlineData("AmazonCloudWatch", ServiceFamily.Observability)]
    [InlineData("Something Else", ServiceFamily.Other)]
    public void Service_families_are_recognised(string service, ServiceFamily family) =>
        Assert.Equal(family, CauseRuleCatalogue.FamilyOf(service));

    [Fact]
    public void Feedback_expected_suppresses_similar_deviations_and_real_does_not()
    {
        var store = new AnomalyFeedbackStore();
        var key = CostAnomalyAnalyzer.SeriesKey("AWS", "Amazon S3", "111");
        store.Add(new AnomalyFeedback(key, new DateTime(2025, 3, 1), 40, FeedbackKind.Expected, "month-end export"));
        // Similar (+55% within 2× of +40%), same series, 10 days later: suppressed.
        Assert.True(store.Assess(key, new DateTime(2025, 3, 11), 55).Suppressed);
        // Much larger (+200%): not suppressed but ranked lower.
        var bigger = store.Assess(key, new DateTime(2025, 3, 11), 200);
        Assert.False(bigger.Suppressed);
        Assert.Equal(AnomalyFeedbackStore.RankLowerFactor, bigger.ScoreMultiplier);
        // Opposite direction, other series, or outside the 30-day window: untouched.
        Assert.Equal(1.0, store.Assess(key, new DateTime(2025, 3, 11), -40).ScoreMultiplier);
        Assert.Equal(1.0, store.Assess("AWS/Amazon S3/222", new DateTime(2025, 3, 11), 40).ScoreMultiplier);
        Assert.False(store.Assess(key, new DateTime(2025, 4, 15), 40).Suppressed);

        // A later "real" verdict on the series stops the suppression.
        store.Add(new AnomalyFeedback(key, new DateTime(2025, 3, 12), 45, FeedbackKind.Real));
        var after = store.Assess(key, new DateTime(2025, 3, 13), 42);
        Assert.False(after.Suppressed);
        Assert.Equal(1.0, after.ScoreMultiplier);
    }

    [Fact]
    public void A_verdict_on_the_anomaly_itself_applies_whatever_deviation_is_measured_again()
    {
        var store = new AnomalyFeedbackStore();
        var day = new DateTime(2024, 9, 27);
        store.Add(new AnomalyFeedback("k", day, 60, FeedbackKind.Expected));
        // Same series and day, re-measured at +400% (outside the 2x band) or even in the other direction: suppressed.
        Assert.True(store.Assess("k", day, 400).Suppressed);
        Assert.True(store.Assess("k", day, -10).Suppressed);
        // The next day at +400% is a different anomaly: only ranked lower.
        var next = store.Assess("k", day.AddDays(1), 400);
        Assert.False(next.Suppressed);
        Assert.Equal(AnomalyFeedbackStore.RankLowerFactor, next.ScoreMultiplier);
        // A later "real" verdict on the same day wins.
        store.Add(new AnomalyFeedback("k", day, 60, FeedbackKind.Real));
        Assert.False(store.Assess("k", day, 60).Suppressed);
    }

    [Fact]
    public void Feedback_real_alone_never_suppresses()
    {
        var store = new AnomalyFeedbackStore();
        store.Add(new AnomalyFeedback("k", new DateTime(2025, 1, 1), 40, FeedbackKind.Real));
        Assert.False(store.Assess("k", new DateTime(2025, 1, 2), 40).Suppressed);
    }

    [Fact]
    public void Feedback_survives_a_json_round_trip_and_applies_in_Analyze()
    {
        var store = new AnomalyFeedbackStore();
        var key = CostAnomalyAnalyzer.SeriesKey("AWS", "Amazon EC2", "111");
        store.Add(new AnomalyFeedback(key, new DateTime(2025, 2, 25), 50, FeedbackKind.Planned, "migration"));
        var copy = AnomalyFeedbackStore.FromJson(store.ToJson());
        Assert.Equal(store.Items, copy.Items);
        var (day, baseline) = OppositeMoves();
        var a = CostAnomalyAnalyzer.Analyze(new CostAnomalyInput
        {
            Timestamp = new DateTime(2025, 3, 1), Provider = "AWS", Service = "Amazon EC2", Account = "111",
            DayRows = day, BaselineRows = baseline, BaselineDays = 2, Score = 0.99,
        }, copy);
        Assert.True(a.Suppressed); // +57.9% vs planned +50%
        Assert.Equal(0.0, a.Score);
    }

    [Fact]
    public void Feedback_json_errors_say_where()
    {
        var e = Assert.Throws<FormatException>(() => AnomalyFeedbackStore.FromJson("[{\"SeriesKey\": 3"));
        Assert.Contains("line 1", e.Message);
    }

    [Fact]
    public void DetectDaily_finds_an_injected_cost_spike_and_its_expected_cost()
    {
        var rng = new Random(17);
        var days = Enumerable.Range(0, 120).Select(i =>
        {
            var weekly = i % 7 is 5 or 6 ? -200m : 0m;
            return new DailyCost(new DateTime(2025, 1, 1).AddDays(i), 1000m + weekly + Math.Round((decimal)(Series.Gaussian(rng) * 10), 2));
        }).ToList();
        days[92] = days[92] with { Cost = days[92].Cost + 800m };
        var found = CostAnomalyAnalyzer.DetectDaily(days, fpRate: 0.01);
        var spike = Assert.Single(found, a => a.Day == days[92].Day);
        Assert.InRange(spike.Expected, 970m, 1030m); // 92 % 7 = 1 is a weekday: expected ≈ 1,000 (weekends ≈ 800)
        Assert.True(found.Count <= 2, $"{found.Count} days flagged at fp-rate 1% of 120");
    }
}
