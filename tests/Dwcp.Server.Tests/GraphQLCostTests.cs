using Dwcp.Tests;
using System.Net;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Cost;

namespace Dwcp.Server.Tests;

public sealed class GraphQLCostTests : IAsyncLifetime
{
    private const string GuideQuery = """
        query GetCostMetrics {
          getCostMetrics(
            startDate: "2024-01-01"
            endDate: "2024-01-31"
            providers: [AWS, AZURE, GCP]
            groupBy: [SERVICE, REGION]
            aggregation: SUM
          ) {
            metrics {
              timestamp
              provider
              service
              cost
              usage
            }
            summary {
              totalCost
              averageDailyCost
              trend
            }
          }
        }
        """;

    private readonly DwcpFactory _factory = new();
    private readonly List<FocusRow> _rows = [];

    public async Task InitializeAsync()
    {
        var jan1 = new DateOnly(2024, 1, 1);
        var providers = new[] { ("AWS", "Amazon EC2"), ("Microsoft", "Virtual Machines"), ("Google Cloud", "Compute Engine"), ("Oracle", "Compute"), ("Acme Cloud", "Widgets") };
        for (var d = -3; d < 34; d++)
        {
            foreach (var (i, (provider, service)) in providers.Index())
            {
                // Rising cost: day d costs 100 + 3d (+ provider offset); regions alternate.
                _rows.Add(TestRows.Make("acct-" + i, jan1.AddDays(d), service, 100m + (3m * d) + i + 0.123456789012345m,
                    effective: 90m + d, list: 120m + d, provider: provider, region: d % 2 == 0 ? "east" : "west",
                    consumed: 2m, unit: "Hours"));
            }
        }

        await _factory.LoadAsync(_rows);
    }

    public Task DisposeAsync()
    {
        _factory.Dispose();
        return Task.CompletedTask;
    }

    private IEnumerable<FocusRow> January(params string[] providers) => _rows.Where(r =>
        r.ChargePeriodStart!.Value.Month == 1 && r.ChargePeriodStart.Value.Year == 2024 && providers.Contains(r.ProviderName));

    [Fact]
    public async Task The_guide_query_runs_verbatim_and_its_total_matches_the_rows()
    {
        var root = await _factory.GraphQLAsync(GuideQuery);
        Assert.False(root.TryGetProperty("errors", out _), root.ToString());
        var result = root.GetProperty("data").GetProperty("getCostMetrics");
        var expected = January("AWS", "Microsoft", "Google Cloud").Sum(r => r.BilledCost!.Value);
        Assert.Equal(expected, result.GetProperty("summary").GetProperty("totalCost").GetDecimal());
        Assert.Equal(expected / 31m, result.GetProperty("summary").GetProperty("averageDailyCost").GetDecimal());
        Assert.Equal("INCREASING", result.GetProperty("summary").GetProperty("trend").GetString());

        var metrics = result.GetProperty("metrics").EnumerateArray().ToList();
        Assert.Equal(expected, metrics.Sum(m => m.GetProperty("cost").GetDecimal()));
        Assert.Equal(new[] { "AWS", "AZURE", "GCP" }, metrics.Select(m => m.GetProperty("provider").GetString()).Distinct().Order());
        Assert.Equal(31 * 3, metrics.Count);
        Assert.All(metrics, m => Assert.Equal(2m, m.GetProperty("usage").GetDecimal()));
        var jan15Aws = metrics.Single(m => m.GetProperty("timestamp").GetString() == "2024-01-15" && m.GetProperty("provider").GetString() == "AWS");
        Assert.Equal(_rows.Single(r => r.ProviderName == "AWS" && r.ChargePeriodStart!.Value.Day == 15 && r.ChargePeriodStart.Value.Month == 1).BilledCost, jan15Aws.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task A_sampled_query_says_it_is_an_estimate_and_its_interval_holds_the_exact_total_while_exact_queries_are_never_sampled()
    {
        const string Fields = "approximate source estimates { currency ratio rowsScanned total lowerBound upperBound } summary { totalCost }";
        var exact = (await _factory.GraphQLAsync($$"""{ getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", granularity: TOTAL) { {{Fields}} } }"""))
            .GetProperty("data").GetProperty("getCostMetrics");
        var january = _rows.Where(r => r.ChargePeriodStart!.Value is { Year: 2024, Month: 1 }).ToList();
        var truth = january.Sum(r => r.BilledCost!.Value);
        Assert.False(exact.GetProperty("approximate").GetBoolean());
        Assert.Equal(0, exact.GetProperty("estimates").GetArrayLength());
        Assert.Equal(truth, exact.GetProperty("summary").GetProperty("totalCost").GetDecimal());

        var root = await _factory.GraphQLAsync($$"""{ getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", granularity: TOTAL, sample: 0.5) { {{Fields}} } }""");
        Assert.False(root.TryGetProperty("errors", out _), root.ToString());
        var sampled = root.GetProperty("data").GetProperty("getCostMetrics");
        Assert.True(sampled.GetProperty("approximate").GetBoolean());
        Assert.Equal("RAW", sampled.GetProperty("source").GetString()); // samples always read raw rows
        var estimate = sampled.GetProperty("estimates").EnumerateArray().Single();
        Assert.Equal(("USD", 0.5), (estimate.GetProperty("currency").GetString(), estimate.GetProperty("ratio").GetDouble()));
        Assert.InRange(estimate.GetProperty("rowsScanned").GetInt64(), 1, january.Count - 1);
        Assert.InRange(truth, estimate.GetProperty("lowerBound").GetDecimal(), estimate.GetProperty("upperBound").GetDecimal());
        Assert.True(estimate.GetProperty("upperBound").GetDecimal() > estimate.GetProperty("lowerBound").GetDecimal());

        var bad = await _factory.GraphQLAsync("""{ getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", sample: 1.5) { approximate } }""");
        Assert.Contains("sample", bad.GetProperty("errors")[0].GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Hourly_buckets_carry_the_hour_and_tag_groupings_read_the_tag_rollup()
    {
        var root = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-02", endDate: "2024-01-03", providers: [AWS], granularity: HOURLY) { source metrics { timestamp cost } } }
            """);
        Assert.False(root.TryGetProperty("errors", out _), root.ToString());
        var hourly = root.GetProperty("data").GetProperty("getCostMetrics");
        Assert.Equal("RAW", hourly.GetProperty("source").GetString()); // the embedded store answers hours from the rows
        var expected = January("AWS").Where(r => r.ChargePeriodStart!.Value.Day is 2 or 3)
            .Select(r => (r.ChargePeriodStart!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), r.BilledCost!.Value));
        Assert.Equal(expected, hourly.GetProperty("metrics").EnumerateArray().Select(m => (m.GetProperty("timestamp").GetString()!, m.GetProperty("cost").GetDecimal())));

        var tags = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", groupBy: [TAG], tagKey: "Department", granularity: TOTAL) { source metrics { cost } } }
            """);
        Assert.False(tags.TryGetProperty("errors", out _), tags.ToString());
        var byTag = tags.GetProperty("data").GetProperty("getCostMetrics");
        Assert.Equal("ROLLUP", byTag.GetProperty("source").GetString());
        Assert.Equal(_rows.Where(r => r.ChargePeriodStart!.Value is { Year: 2024, Month: 1 }).Sum(r => r.BilledCost!.Value),
            byTag.GetProperty("metrics").EnumerateArray().Sum(m => m.GetProperty("cost").GetDecimal()));
    }

    [Fact]
    public async Task Cost_type_and_aggregation_change_the_cost_field()
    {
        var root = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", providers: [AWS], costType: EFFECTIVE, granularity: TOTAL) {
                metrics { cost effectiveCost billedCost listCost savings } summary { totalCost } } }
            """);
        var m = root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("metrics")[0];
        var aws = January("AWS").ToList();
        Assert.Equal(aws.Sum(r => r.EffectiveCost!.Value), m.GetProperty("cost").GetDecimal());
        Assert.Equal(aws.Sum(r => r.BilledCost!.Value), m.GetProperty("billedCost").GetDecimal());
        Assert.Equal(aws.Sum(r => r.ListCost!.Value - r.EffectiveCost!.Value), m.GetProperty("savings").GetDecimal());

        var avg = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", providers: [AWS], aggregation: AVG, granularity: MONTHLY) { metrics { cost } } }
            """);
        Assert.Equal(aws.Sum(r => r.BilledCost!.Value) / 31m, avg.GetProperty("data").GetProperty("getCostMetrics").GetProperty("metrics")[0].GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Summaries_are_computed_when_selected_directly_through_a_fragment_or_an_alias()
    {
        // The resolver skips the summary query when neither summary nor summaries is selected; each way of selecting
        // them must still get them (the totals come from the rows, not from the resolver).
        var aws = January("AWS").Sum(r => r.BilledCost!.Value);
        const string Args = """startDate: "2024-01-01", endDate: "2024-01-31", providers: [AWS], granularity: TOTAL""";
        foreach (var query in new[]
        {
            $$"""{ getCostMetrics({{Args}}) { summary { totalCost } } }""",
            $$"""{ getCostMetrics({{Args}}) { ...S } } fragment S on CostMetricsResult { summary { totalCost } }""",
            $$"""{ getCostMetrics({{Args}}) { ... on CostMetricsResult { summary { totalCost } } } }""",
            $$"""{ getCostMetrics({{Args}}) { s: summaries { totalCost } } }""",
        })
        {
            var data = (await _factory.GraphQLAsync(query)).GetProperty("data").GetProperty("getCostMetrics");
            var total = data.TryGetProperty("summary", out var one) ? one.GetProperty("totalCost") : data.GetProperty("s")[0].GetProperty("totalCost");
            Assert.Equal(aws, total.GetDecimal());
        }

        var bare = (await _factory.GraphQLAsync($$"""{ getCostMetrics({{Args}}) { metrics { cost } } }""")).GetProperty("data").GetProperty("getCostMetrics");
        Assert.Equal(aws, bare.GetProperty("metrics")[0].GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Provider_names_map_onto_the_enum_and_unknown_ones_are_OTHER_with_their_name()
    {
        var root = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", granularity: TOTAL) { metrics { provider providerName } } }
            """);
        var pairs = root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("metrics").EnumerateArray()
            .Select(m => (m.GetProperty("provider").GetString(), m.GetProperty("providerName").GetString())).Order().ToList();
        Assert.Equal([("AWS", "AWS"), ("AZURE", "Microsoft"), ("GCP", "Google Cloud"), ("ORACLE", "Oracle"), ("OTHER", "Acme Cloud")], pairs);

        var other = await _factory.GraphQLAsync("""{ getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", providers: [OTHER], granularity: TOTAL) { summary { totalCost } } }""");
        Assert.Equal(January("Acme Cloud").Sum(r => r.BilledCost!.Value), other.GetProperty("data").GetProperty("getCostMetrics").GetProperty("summary").GetProperty("totalCost").GetDecimal());
    }

    [Fact]
    public async Task Top_n_keeps_the_largest_groups_and_folds_the_rest_into_other()
    {
        var root = await _factory.GraphQLAsync("""
            { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-31", groupBy: [SERVICE], includeProvider: false, granularity: TOTAL, topN: 2) {
                metrics { service cost isOther } summary { totalCost } } }
            """);
        var metrics = root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("metrics").EnumerateArray().ToList();
        var byService = January("AWS", "Microsoft", "Google Cloud", "Oracle", "Acme Cloud").GroupBy(r => r.ServiceName!)
            .Select(g => (g.Key, Sum: g.Sum(r => r.BilledCost!.Value))).OrderByDescending(x => x.Sum).ToList();
        Assert.Equal(3, metrics.Count);
        Assert.Equal(byService.Take(2).Select(x => x.Key), metrics.Where(m => !m.GetProperty("isOther").GetBoolean()).Select(m => m.GetProperty("service").GetString()));
        Assert.Equal(byService.Skip(2).Sum(x => x.Sum), metrics.Single(m => m.GetProperty("isOther").GetBoolean()).GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Pages_follow_the_cursor_and_cover_every_line_once()
    {
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var root = await _factory.GraphQLAsync("""
                query($after: String) { getCostMetrics(startDate: "2024-01-01", endDate: "2024-01-10", providers: [AWS, AZURE], first: 7, after: $after) {
                  metrics { timestamp provider cost } pageInfo { hasNextPage endCursor totalCount } } }
                """, new { after });
            var r = root.GetProperty("data").GetProperty("getCostMetrics");
            seen.AddRange(r.GetProperty("metrics").EnumerateArray().Select(m => m.GetProperty("timestamp").GetString() + m.GetProperty("provider").GetString()));
            Assert.Equal(20, r.GetProperty("pageInfo").GetProperty("totalCount").GetInt64());
            after = r.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean() ? r.GetProperty("pageInfo").GetProperty("endCursor").GetString() : null;
            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(20, seen.Count);
        Assert.Equal(20, seen.Distinct().Count());
    }

    [Fact]
    public async Task Bad_requests_get_actionable_errors_and_the_server_keeps_serving()
    {
        var syntax = await _factory.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\" ", expected: HttpStatusCode.BadRequest);
        Assert.Contains("Error parsing query", syntax.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, syntax.GetProperty("errors")[0].GetProperty("locations")[0].GetProperty("line").GetInt32());

        var unknown = await _factory.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-02\") { metrics { costz } } }", expected: HttpStatusCode.BadRequest);
        Assert.Contains("costz", unknown.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var backwards = await _factory.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-31\", endDate: \"2024-01-01\") { metrics { cost } } }");
        var err = backwards.GetProperty("errors")[0];
        Assert.Contains("before the start date", err.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("INVALID_ARGUMENT", err.GetProperty("extensions").GetProperty("code").GetString());

        var badDate = await _factory.GraphQLAsync("{ getCostMetrics(startDate: \"Jan 1\", endDate: \"2024-01-01\") { metrics { cost } } }");
        Assert.Contains("YYYY-MM-DD", badDate.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        using var client = _factory.CreateClient();
        using var notJson = await client.PostAsync("/graphql", new StringContent("\u0000\u0001garbage", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var ok = await _factory.GraphQLAsync("{ dataRange { from to rowCount } }");
        Assert.Equal(_rows.Count, ok.GetProperty("data").GetProperty("dataRange").GetProperty("rowCount").GetInt64());
    }

    [Fact]
    public async Task Introspection_describes_the_schema()
    {
        var root = await _factory.GraphQLAsync("{ __schema { queryType { name } types { name } } __type(name: \"CloudProvider\") { enumValues { name } } }");
        var data = root.GetProperty("data");
        Assert.Equal("Query", data.GetProperty("__schema").GetProperty("queryType").GetProperty("name").GetString());
        Assert.Contains("CostMetric", data.GetProperty("__schema").GetProperty("types").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["AWS", "AZURE", "GCP", "ORACLE", "IBM", "ALIBABA", "OTHER"], data.GetProperty("__type").GetProperty("enumValues").EnumerateArray().Select(v => v.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Health_reports_the_store_and_its_schema_version()
    {
        using var client = _factory.CreateClient();
        var health = JsonDocument.Parse(await client.GetStringAsync("/health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("duckdb", health.GetProperty("store").GetProperty("backend").GetString());
        Assert.Equal(5, health.GetProperty("store").GetProperty("schemaVersion").GetInt32());
        Assert.Equal(_rows.Count, health.GetProperty("store").GetProperty("visibleRows").GetInt64());
    }
}
