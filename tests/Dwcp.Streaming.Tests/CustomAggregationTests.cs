namespace Dwcp.Streaming.Tests;

public class CustomAggregationTests
{
    private static readonly TimeSpan Five = TimeSpan.FromMinutes(5);

    private static async Task<(RealtimeEngine Engine, List<StreamEvent> Unique)> RunAsync(Action<RealtimeEngine> register, int seed = 21)
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        var engine = await EngineWindowTests.StartedAsync(EngineWindowTests.Config(), clock);
        register(engine);
        var events = TestData.Generate(seed, 4000, TimeSpan.FromMinutes(20), resources: 300);
        await EngineWindowTests.AcceptAllAsync(engine, events);
        await engine.DrainAsync();
        return (engine, TestData.Unique(events));
    }

    /// <summary>Brute force per (5-minute window start, series) of the given function over the events in it.</summary>
    private static Dictionary<(DateTimeOffset, string), double> PerWindow(List<StreamEvent> events, Func<List<StreamEvent>, double> compute) =>
        events.GroupBy(e => (DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((e.Timestamp - DateTimeOffset.UnixEpoch).Ticks / Five.Ticks * Five.Ticks), TestData.SeriesOf(e)))
            .ToDictionary(g => g.Key, g => compute([.. g]));

    private static void AssertEach(RealtimeEngine engine, string name, Dictionary<(DateTimeOffset, string), double> expected, Func<double, double, bool> close)
    {
        var results = engine.QueryOpenWindows(new WindowQuery { WindowSize = Five });
        Assert.Equal(expected.Count, results.Count);
        foreach (var r in results)
        {
            var value = r.CustomValue(name)!;
            Assert.False(value.Partial);
            var want = expected[(r.Start, TestData.SeriesOf(r.Series))];
            Assert.True(close(want, value.Value) || (double.IsNaN(want) && double.IsNaN(value.Value)), $"{name} {r.Start:t} {r.Series}: expected {want}, got {value.Value}");
        }
    }

    private static bool Near(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a));

    private static double Metric(StreamEvent e, string name) => e.TryGetMetric(name, out var v) ? v : double.NaN;

    [Fact]
    public async Task Weighted_average_by_metric_func_and_expression_match_brute_force()
    {
        var (engine, unique) = await RunAsync(e =>
        {
            e.CreateCustomAggregation("w_metric", new AggregationConfig { Type = AggregationType.WeightedAverage, WindowSize = Five, Metric = "cpu", WeightMetric = "cost" });
            e.CreateCustomAggregation("w_func", new AggregationConfig { Type = AggregationType.WeightedAverage, WindowSize = Five, Metric = "cpu", WeightFunc = ev => ev.TryGetMetric("bytes", out var b) ? b / 1e6 : double.NaN });
            e.CreateCustomAggregation("""{"name":"w_expr","type":"weighted_average","window":"5m","metric":"cpu","weight_expression":"cost * (bytes / 1000000 + 1)"}""");
        });
        await using var owned = engine;
        double Weighted(List<StreamEvent> g, Func<StreamEvent, double> weight)
        {
            var withCpu = g.Where(e => e.TryGetMetric("cpu", out _)).ToList();
            var w = withCpu.Sum(weight);
            return w == 0 ? double.NaN : withCpu.Sum(e => weight(e) * Metric(e, "cpu")) / w;
        }

        AssertEach(engine, "w_metric", PerWindow(unique, g => Weighted(g, e => Metric(e, "cost"))), Near);
        AssertEach(engine, "w_func", PerWindow(unique, g => Weighted(g, e => Metric(e, "bytes") / 1e6)), Near);
        AssertEach(engine, "w_expr", PerWindow(unique, g => Weighted(g, e => Metric(e, "cost") * ((Metric(e, "bytes") / 1e6) + 1))), Near);
    }

    [Fact]
    public async Task Rate_ratio_and_threshold_count_match_brute_force()
    {
        var (engine, unique) = await RunAsync(e =>
        {
            e.CreateCustomAggregation("cost_rate", new AggregationConfig { Type = AggregationType.Rate, WindowSize = Five, Metric = "cost" });
            e.CreateCustomAggregation("event_rate", new AggregationConfig { Type = AggregationType.Rate, WindowSize = Five });
            e.CreateCustomAggregation("""{"name":"cpu_per_cost","type":"ratio","window":"00:05:00","numerator":"cpu","denominator":"cost"}""");
            e.CreateCustomAggregation("""{"name":"hot","type":"threshold_count","window":"5m","metric":"cpu","op":">=","threshold":0.9}""");
        });
        await using var owned = engine;
        AssertEach(engine, "cost_rate", PerWindow(unique, g => g.Sum(e => Metric(e, "cost")) / 300), Near);
        AssertEach(engine, "event_rate", PerWindow(unique, g => g.Count / 300.0), Near);
        AssertEach(engine, "cpu_per_cost", PerWindow(unique, g => g.Where(e => e.TryGetMetric("cpu", out _)).Sum(e => Metric(e, "cpu")) / g.Sum(e => Metric(e, "cost"))), Near);
        AssertEach(engine, "hot", PerWindow(unique, g => g.Count(e => e.TryGetMetric("cpu", out var c) && c >= 0.9)), (a, b) => a == b);
    }

    [Fact]
    public async Task Percentile_at_any_level_and_distinct_count_are_within_their_error_bounds()
    {
        var (engine, unique) = await RunAsync(e =>
        {
            e.CreateCustomAggregation("p999_bytes", new AggregationConfig { Type = AggregationType.Percentile, WindowSize = Five, Metric = "bytes", Quantile = 0.999 });
            e.CreateCustomAggregation("p10_cost", new AggregationConfig { Type = AggregationType.Percentile, WindowSize = Five, Metric = "cost", Quantile = 0.10 });
            e.CreateCustomAggregation("resources", new AggregationConfig { Type = AggregationType.DistinctCount, WindowSize = Five, Dimension = "resource_id" });
        });
        await using var owned = engine;
        double Exact(List<StreamEvent> g, string metric, double q) => TestData.ExactQuantile([.. g.Select(e => Metric(e, metric)).Order()], q);
        AssertEach(engine, "p999_bytes", PerWindow(unique, g => Exact(g, "bytes", 0.999)), (a, b) => Math.Abs(a - b) <= 0.01 * Math.Abs(a));
        AssertEach(engine, "p10_cost", PerWindow(unique, g => Exact(g, "cost", 0.10)), (a, b) => Math.Abs(a - b) <= 0.01 * Math.Abs(a));
        // HLL with m = 4096 is exact-ish for small sets (linear counting); allow 3σ = 4.9%, at least 1.
        AssertEach(engine, "resources", PerWindow(unique, g => g.Select(e => e.ResourceId).Distinct().Count()), (a, b) => Math.Abs(a - b) <= Math.Max(1, 0.049 * a));
    }

    [Fact]
    public async Task An_aggregation_created_while_a_window_is_open_is_marked_partial()
    {
        var clock = new FakeClock(TestData.T0.AddHours(1));
        await using var engine = await EngineWindowTests.StartedAsync(EngineWindowTests.Config(), clock);
        await engine.ProcessAsync(TestData.Event("1", TestData.T0, ("v", 1)));
        await engine.DrainAsync();
        engine.CreateCustomAggregation("hits", new AggregationConfig { Type = AggregationType.ThresholdCount, Metric = "v", Operator = ComparisonOperator.GreaterThan, Threshold = 0 });
        await engine.ProcessAsync(TestData.Event("2", TestData.T0, ("v", 2)));
        await engine.DrainAsync();
        var results = engine.QueryOpenWindows();
        Assert.Equal(3, results.Count); // applies to every window size when none is given
        Assert.All(results, r => Assert.Equal(new CustomAggregateValue("hits", AggregationType.ThresholdCount, 1, Partial: true), r.CustomValue("hits")));
        Assert.True(engine.RemoveCustomAggregation("hits"));
        Assert.All(engine.QueryOpenWindows(), r => Assert.Empty(r.Custom));
    }

    [Theory]
    [InlineData("""{"name":"x","type":"median"}""", "type 'median' is unknown")]
    [InlineData("""{"name":"x","type":"ratio","numerator":"a"}""", "set numerator and denominator")]
    [InlineData("""{"name":"x","type":"percentile","metric":"a","quantile":1.5}""", "quantile is 1.5")]
    [InlineData("""{"name":"x","type":"rate","window":"5 minutes"}""", "duration '5 minutes' is invalid")]
    [InlineData("""{"name":"x","type":"rate","colour":"red"}""", "key 'colour' is unknown")]
    [InlineData("""{"name":"x","type":"weighted_average","metric":"a","weight_expression":"b * (c"}""", "expected ')'")]
    [InlineData("""{"name":"x","type":"threshold_count","metric":"a","op":"~"}""", "op '~' is unknown")]
    public void Invalid_json_descriptions_are_rejected_with_the_reason(string json, string reason)
    {
        var error = Assert.Throws<FormatException>(() => AggregationJson.Parse(json));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public async Task A_window_size_that_is_not_configured_is_rejected()
    {
        await using var engine = new RealtimeEngine(EngineWindowTests.Config(), new FakeClock(TestData.T0));
        var error = Assert.Throws<ArgumentException>(() => engine.CreateCustomAggregation("r", new AggregationConfig { Type = AggregationType.Rate, WindowSize = TimeSpan.FromMinutes(7) }));
        Assert.Contains("not a configured window size", error.Message);
    }
}
