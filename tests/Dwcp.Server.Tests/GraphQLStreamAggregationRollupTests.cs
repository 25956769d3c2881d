using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// <c>streamAggregationRollups</c> on the real host: custom aggregations are created on the running engine, events go in
/// through POST /api/v1/events, a later event closes the window (manual clock), the sink writes the custom rows with the
/// metric rows, and the field reads them back. Every value is computed here by hand from the posted events.
/// </summary>
public sealed class GraphQLStreamAggregationRollupTests : IDisposable
{
    private const string Fields = "windowStart windowEnd windowSizeSeconds slideSeconds eventType resourceId provider region service account tags name type value partial eventCount";
    private static readonly DateTimeOffset W1 = new(2026, 3, 2, 10, 20, 0, TimeSpan.Zero);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>A posted event: id, time, service, resource and the metrics it carries (null: absent).</summary>
    private sealed record Posted(string Id, DateTimeOffset At, string Service, string Resource, double? Price, double? Usage, double? Cost, double Cpu);

    /// <summary>30 ec2 events (usage on two in three, cost on every other) over 7 resources and 6 s3 events without usage, seeded.</summary>
    private static List<Posted> Events()
    {
        var rng = new Random(7);
        var list = new List<Posted>();
        for (var i = 0; i < 30; i++)
        {
            list.Add(new Posted($"ec2-{i}", W1.AddSeconds(1 + (i * 1.9)), "ec2", $"i-{rng.Next(7)}", Math.Round(0.01 + rng.NextDouble(), 4),
                i % 3 == 2 ? null : Math.Round(1 + (rng.NextDouble() * 20), 3), i % 2 == 0 ? Math.Round(rng.NextDouble() * 5, 4) : null, Math.Round(rng.NextDouble() * 100, 2)));
        }

        for (var i = 0; i < 6; i++)
        {
            list.Add(new Posted($"s3-{i}", W1.AddSeconds(4 + (i * 9)), "s3", "bucket-1", 0.5, null, 1 + i, 10 * i));
        }

        return list;
    }

    private static string Line(Posted e)
    {
        var metrics = new Dictionary<string, double> { ["cpu"] = e.Cpu };
        foreach (var (name, value) in new[] { ("unit_price", e.Price), ("usage", e.Usage), ("cost", e.Cost) })
        {
            if (value is { } v)
            {
                metrics[name] = v;
            }
        }

        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event_id"] = e.Id, ["timestamp"] = e.At.ToString("O"), ["event_type"] = "usage", ["metrics"] = metrics,
            ["resource_id"] = e.Resource, ["provider"] = "aws", ["region"] = "eu-west-1", ["service"] = e.Service, ["account"] = "acct-a",
        });
    }

    private void CreateAggregations()
    {
        var engine = _host.Factory.Services.GetRequiredService<RealtimeEngineHost>().Engine;
        engine.CreateCustomAggregation("""{"name":"cost_per_unit","type":"weighted_average","window":"1m","metric":"unit_price","weight_metric":"usage"}""");
        engine.CreateCustomAggregation("""{"name":"cost_rate","type":"rate","window":"1m","metric":"cost"}""");
        engine.CreateCustomAggregation("""{"name":"resources","type":"distinct_count","window":"1m","dimension":"resource_id"}""");
        engine.CreateCustomAggregation("""{"name":"cost_ratio","type":"ratio","window":"1m","numerator":"cost","denominator":"usage"}""");
        engine.CreateCustomAggregation("""{"name":"cpu_p90","type":"percentile","window":"1m","metric":"cpu","quantile":0.9}""");
        engine.CreateCustomAggregation("""{"name":"hot_cpu","type":"threshold_count","window":"1m","metric":"cpu","op":">","threshold":80}""");
    }

    /// <summary>Polls the field until it returns <paramref name="expected"/> rows: the sink writes closed windows asynchronously.</summary>
    private async Task<JsonElement[]> RowsAsync(string arguments, int expected)
    {
        JsonElement[] rows = [];
        for (var i = 0; i < 500; i++)
        {
            rows = [.. (await _host.GraphQLAsync($"{{ streamAggregationRollups({arguments}) {{ {Fields} }} }}")).GetProperty("streamAggregationRollups").EnumerateArray()];
            if (rows.Length >= expected)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.True(rows.Length == expected, $"streamAggregationRollups({arguments}) returned {rows.Length} rows, expected {expected}.");
        return rows;
    }

    [Fact]
    public async Task Custom_aggregations_of_closed_windows_are_stored_and_read_back_with_values_computed_from_the_events()
    {
        CreateAggregations();
        var events = Events();
        await _host.PostAsync([.. events.Select(Line)]);
        await _host.CloseWindowAsync(W1.AddMinutes(1));

        var ec2 = events.Where(e => e.Service == "ec2").ToList();
        var rows = await RowsAsync("""service: "ec2", windowSize: "1m" """, 6);

        // By hand: Σ(usage·price)/Σusage over events with both; Σcost/60 s; distinct resources; Σcost/Σusage; cpu > 80.
        var weighted = ec2.Where(e => e.Usage is not null).Sum(e => e.Usage!.Value * e.Price!.Value) / ec2.Where(e => e.Usage is not null).Sum(e => e.Usage!.Value);
        var expected = new Dictionary<string, (string Type, double Value)>
        {
            ["cost_per_unit"] = ("weighted_average", weighted),
            ["cost_rate"] = ("rate", ec2.Sum(e => e.Cost ?? 0) / 60),
            ["cost_ratio"] = ("ratio", ec2.Sum(e => e.Cost ?? 0) / ec2.Sum(e => e.Usage ?? 0)),
            ["hot_cpu"] = ("threshold_count", ec2.Count(e => e.Cpu > 80)),
            ["resources"] = ("distinct_count", ec2.Select(e => e.Resource).Distinct().Count()),
        };
        Assert.Equal(["cost_per_unit", "cost_rate", "cost_ratio", "cpu_p90", "hot_cpu", "resources"], rows.Select(r => r.GetProperty("name").GetString()));
        foreach (var row in rows)
        {
            Assert.Equal(W1.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), row.GetProperty("windowStart").GetString());
            Assert.Equal(W1.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), row.GetProperty("windowEnd").GetString());
            Assert.Equal((60.0, 60.0), (row.GetProperty("windowSizeSeconds").GetDouble(), row.GetProperty("slideSeconds").GetDouble()));
            Assert.Equal(("usage", "", "aws", "eu-west-1", "ec2", "acct-a", ""), (row.GetProperty("eventType").GetString(), row.GetProperty("resourceId").GetString(),
                row.GetProperty("provider").GetString(), row.GetProperty("region").GetString(), row.GetProperty("service").GetString(),
                row.GetProperty("account").GetString(), row.GetProperty("tags").GetString()));
            Assert.False(row.GetProperty("partial").GetBoolean());
            Assert.Equal(ec2.Count, row.GetProperty("eventCount").GetInt64());
            var name = row.GetProperty("name").GetString()!;
            if (name == "cpu_p90")
            {
                // DDSketch: within 1% of a value between the two ranks that bracket the quantile.
                var sorted = ec2.Select(e => e.Cpu).Order().ToList();
                var rank = 0.9 * (sorted.Count - 1);
                Assert.Equal("percentile", row.GetProperty("type").GetString());
                Assert.InRange(row.GetProperty("value").GetDouble(), sorted[(int)Math.Floor(rank)] * 0.99, sorted[(int)Math.Ceiling(rank)] * 1.01);
                continue;
            }

            Assert.Equal(expected[name].Type, row.GetProperty("type").GetString());
            Assert.Equal(expected[name].Value, row.GetProperty("value").GetDouble(), 9);
        }

        // s3 has no usage: the weighted average and the ratio are undefined (null), the others are defined.
        var s3 = await RowsAsync("""service: "s3", windowSize: "1m" """, 6);
        Assert.Equal(["cost_per_unit", "cost_ratio"], s3.Where(r => r.GetProperty("value").ValueKind == JsonValueKind.Null).Select(r => r.GetProperty("name").GetString()));
        Assert.Equal(events.Where(e => e.Service == "s3").Sum(e => e.Cost!.Value) / 60, s3.Single(r => r.GetProperty("name").GetString() == "cost_rate").GetProperty("value").GetDouble(), 9);

        // The metric rows of the same windows were written in the same append.
        var cpu = (await _host.GraphQLAsync("""{ streamRollups(metric: "cpu", windowSize: "1m") { service count max } }""")).GetProperty("streamRollups");
        Assert.Equal([("ec2", 30L, ec2.Max(e => e.Cpu)), ("s3", 6L, 50.0)], cpu.EnumerateArray().Select(r => (r.GetProperty("service").GetString(), r.GetProperty("count").GetInt64(), r.GetProperty("max").GetDouble())));
    }

    [Fact]
    public async Task Name_filter_limit_and_the_REST_endpoint_select_the_same_rows()
    {
        CreateAggregations();
        await _host.PostAsync([.. Events().Select(Line)]);
        await _host.CloseWindowAsync(W1.AddMinutes(1));
        var all = await RowsAsync("""windowSize: "1m" """, 12); // 6 aggregations × (ec2, s3)

        var hot = await RowsAsync("""name: "hot_cpu" """, 2);
        Assert.Equal(["ec2", "s3"], hot.Select(r => r.GetProperty("service").GetString()));
        Assert.Equal(all.Take(3).Select(r => r.ToString()), (await RowsAsync("""windowSize: "1m", limit: 3 """, 3)).Select(r => r.ToString()));
        Assert.Empty(await RowsAsync("""name: "hot_cpu", provider: "gcp" """, 0));
        Assert.Empty(await RowsAsync("""name: "hot_cpu", tags: ["team=payments"] """, 0)); // no tags are grouped

        using var client = _host.Factory.CreateClient();
        var rest = await client.GetFromJsonAsync<JsonElement>("/api/v1/stream/aggregation-rollups?name=hot_cpu&service=ec2");
        var row = Assert.Single(rest.GetProperty("rows").EnumerateArray());
        Assert.Equal(hot[0].GetProperty("value").GetDouble(), row.GetProperty("value").GetDouble());
        Assert.Equal(("threshold_count", 30L, "00:01:00"), (row.GetProperty("type").GetString(), row.GetProperty("event_count").GetInt64(), row.GetProperty("window_size").GetString()));
        var undefined = await client.GetFromJsonAsync<JsonElement>("/api/v1/stream/aggregation-rollups?name=cost_ratio&service=s3");
        Assert.Equal(JsonValueKind.Null, Assert.Single(undefined.GetProperty("rows").EnumerateArray()).GetProperty("value").ValueKind);
    }

    [Theory]
    [InlineData("limit: 0", "limit is 0", "INVALID_ARGUMENT")]
    [InlineData("tags: [\"team\"]", "Tag filter 'team' is not KEY=VALUE", "INVALID_ARGUMENT")]
    [InlineData("tags: [\"team=a;env=prod\"]", "Tag filter 'team=a;env=prod' is not KEY=VALUE", "INVALID_ARGUMENT")]
    [InlineData("windowSize: \"soon\"", "windowSize 'soon' is not a length", "INVALID_ARGUMENT")]
    public async Task Bad_arguments_are_refused_with_what_to_do(string arguments, string message, string code)
    {
        using var client = _host.Factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/graphql", new { query = $"{{ streamAggregationRollups({arguments}) {{ name }} }}" });
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(code, error.GetProperty("extensions").GetProperty("code").GetString());
    }
}
