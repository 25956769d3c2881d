using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Core.Costs;

namespace Dwcp.Server.Tests;

/// <summary>
/// <c>streamRollups</c> on the real host: events go in through POST /api/v1/events, windows close when a later event
/// moves the watermark (manual clock), the engine's sink writes them to the store, and the field reads them back.
/// Expected values are computed here from the posted events.
/// </summary>
public sealed class GraphQLStreamRollupTests : IDisposable
{
    private const string Fields = "windowStart windowEnd windowSizeSeconds slideSeconds eventType resourceId provider region service account tags metric eventCount count sum min max avg last lastTimestamp p50 p95 p99";
    private static readonly DateTimeOffset W1 = new(2026, 3, 2, 10, 20, 0, TimeSpan.Zero);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>Posted events: (id, time, service, account, cpu or null, memory or null).</summary>
    private sealed record Posted(string Id, DateTimeOffset At, string Service, string Account, double? Cpu, double? Memory);

    /// <summary>20 ec2 events (cpu on all, memory on every other) and 7 s3 events in the minute starting at W1, seeded.</summary>
    private static List<Posted> Events(string account = "acct-a")
    {
        var rng = new Random(42);
        var list = new List<Posted>();
        for (var i = 0; i < 20; i++)
        {
            list.Add(new Posted($"ec2-{account}-{i}", W1.AddSeconds(2 + (i * 2.5)), "ec2", account, Math.Round(rng.NextDouble() * 100, 3), i % 2 == 0 ? 1000 + i : null));
        }

        for (var i = 0; i < 7; i++)
        {
            list.Add(new Posted($"s3-{account}-{i}", W1.AddSeconds(3 + (i * 7)), "s3", account, 5 + (i * i), 2000 - i));
        }

        return list;
    }

    private Task PostAsync(IEnumerable<Posted> events) =>
        _host.PostAsync([.. events.Select(e => StreamHost.Event(e.Id, e.At, Metrics(e), service: e.Service, account: e.Account))]);

    private static Dictionary<string, double> Metrics(Posted e)
    {
        var metrics = new Dictionary<string, double>();
        if (e.Cpu is { } cpu)
        {
            metrics["cpu_usage"] = cpu;
        }

        if (e.Memory is { } memory)
        {
            metrics["memory_usage"] = memory;
        }

        return metrics;
    }

    /// <summary>Polls the field until it returns <paramref name="expected"/> rows: the sink writes closed windows asynchronously.</summary>
    private async Task<JsonElement[]> RollupsAsync(string arguments, int expected)
    {
        JsonElement[] rows = [];
        for (var i = 0; i < 500; i++)
        {
            rows = [.. (await _host.GraphQLAsync($"{{ streamRollups({arguments}) {{ {Fields} }} }}")).GetProperty("streamRollups").EnumerateArray()];
            if (rows.Length >= expected)
            {
                break;
            }

            await Task.Delay(20);
        }

        Assert.True(rows.Length == expected, $"streamRollups({arguments}) returned {rows.Length} rows, expected {expected}.");
        return rows;
    }

    private static void AssertRow(JsonElement row, IReadOnlyList<Posted> series, Func<Posted, double?> metric, string name, DateTimeOffset start, TimeSpan size)
    {
        var carrying = series.Where(e => metric(e) is not null).OrderBy(e => e.At).ToList();
        var values = carrying.Select(e => metric(e)!.Value).ToList();
        Assert.Equal(name, row.GetProperty("metric").GetString());
        Assert.Equal(start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), row.GetProperty("windowStart").GetString());
        Assert.Equal((start + size).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), row.GetProperty("windowEnd").GetString());
        Assert.Equal(size.TotalSeconds, row.GetProperty("windowSizeSeconds").GetDouble());
        Assert.Equal(size.TotalSeconds, row.GetProperty("slideSeconds").GetDouble());
        Assert.Equal("usage", row.GetProperty("eventType").GetString());
        Assert.Equal("", row.GetProperty("resourceId").GetString()); // not grouped on by default
        Assert.Equal("aws", row.GetProperty("provider").GetString());
        Assert.Equal("eu-west-1", row.GetProperty("region").GetString());
        Assert.Equal(series[0].Service, row.GetProperty("service").GetString());
        Assert.Equal(series[0].Account, row.GetProperty("account").GetString());
        Assert.Equal(series.Count, row.GetProperty("eventCount").GetInt64());
        Assert.Equal(values.Count, row.GetProperty("count").GetInt64());
        Assert.Equal(values.Sum(), row.GetProperty("sum").GetDouble(), 9);
        Assert.Equal(values.Min(), row.GetProperty("min").GetDouble());
        Assert.Equal(values.Max(), row.GetProperty("max").GetDouble());
        Assert.Equal(values.Average(), row.GetProperty("avg").GetDouble(), 9);
        Assert.Equal(values[^1], row.GetProperty("last").GetDouble());
        Assert.Equal(carrying[^1].At.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), row.GetProperty("lastTimestamp").GetString());
        var sorted = values.Order().ToList();
        foreach (var (field, q) in new[] { ("p50", 0.50), ("p95", 0.95), ("p99", 0.99) })
        {
            // DDSketch: within 1% of a value between the two ranks that bracket the quantile.
            var rank = q * (sorted.Count - 1);
            var low = sorted[(int)Math.Floor(rank)];
            var high = sorted[(int)Math.Ceiling(rank)];
            Assert.InRange(row.GetProperty(field).GetDouble(), low * 0.99, high * 1.01);
        }
    }

    [Fact]
    public async Task Closed_windows_are_read_back_from_the_store_with_the_values_of_the_posted_events()
    {
        var events = Events();
        await PostAsync(events);
        await _host.CloseWindowAsync(W1.AddMinutes(1));

        var cpu = await RollupsAsync("""metric: "cpu_usage", windowSize: "1m" """, 2);
        var ec2 = events.Where(e => e.Service == "ec2").ToList();
        var s3 = events.Where(e => e.Service == "s3").ToList();
        AssertRow(cpu[0], ec2, e => e.Cpu, "cpu_usage", W1, TimeSpan.FromMinutes(1)); // ordered by series: ec2 before s3
        AssertRow(cpu[1], s3, e => e.Cpu, "cpu_usage", W1, TimeSpan.FromMinutes(1));

        var s3Rows = await RollupsAsync("""service: "s3", windowSize: "1m" """, 2);
        AssertRow(s3Rows[0], s3, e => e.Cpu, "cpu_usage", W1, TimeSpan.FromMinutes(1));
        AssertRow(s3Rows[1], s3, e => e.Memory, "memory_usage", W1, TimeSpan.FromMinutes(1));

        // The 5-minute window holds the same events once the watermark passes 10:25.
        await _host.CloseWindowAsync(W1.AddMinutes(5));
        var fiveMinutes = await RollupsAsync("""windowSize: "5m", eventType: "usage", provider: "aws", region: "eu-west-1", account: "acct-a", service: "ec2" """, 2);
        AssertRow(fiveMinutes[0], ec2, e => e.Cpu, "cpu_usage", W1, TimeSpan.FromMinutes(5));
        AssertRow(fiveMinutes[1], ec2, e => e.Memory, "memory_usage", W1, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task Filters_time_range_and_limit_select_rows_and_a_filter_matching_nothing_returns_none()
    {
        await PostAsync(Events());
        await _host.CloseWindowAsync(W1.AddMinutes(1));
        var all = await RollupsAsync("""windowSize: "1m" """, 4); // ec2 cpu, ec2 memory, s3 cpu, s3 memory

        Assert.Equal(
            ["ec2/cpu_usage", "ec2/memory_usage", "s3/cpu_usage", "s3/memory_usage"],
            all.Select(r => r.GetProperty("service").GetString() + "/" + r.GetProperty("metric").GetString()));
        Assert.Equal(2, (await RollupsAsync("""windowSize: "1m", limit: 2 """, 2)).Length);
        Assert.Empty(await RollupsAsync("""windowSize: "1m", provider: "gcp" """, 0));
        Assert.Empty(await RollupsAsync("""windowSize: "1m", resourceId: "i-1" """, 0));
        Assert.Empty(await RollupsAsync("""from: "2026-03-02T10:20:00.001Z" """, 0));
        Assert.Empty(await RollupsAsync("""to: "2026-03-02T10:20:00Z" """, 0));
        Assert.Equal(4, (await RollupsAsync("""from: "2026-03-02T10:20:00Z", to: "2026-03-02T10:20:00.001Z" """, 4)).Length);
    }

    [Fact]
    public async Task A_restricted_scope_reads_only_its_accounts_rows()
    {
        using var host = new StreamHost(CostScope.Parse("account=acct-a"));
        var events = Events("acct-a").Concat(Events("acct-b")).ToList();
        await host.PostAsync([.. events.Select(e => StreamHost.Event(e.Id, e.At, new Dictionary<string, double> { ["cpu_usage"] = e.Cpu!.Value }, service: e.Service, account: e.Account))]);
        await host.CloseWindowAsync(W1.AddMinutes(1));

        // Wait for the sink, through the REST endpoint, which is not scoped: both accounts' rows are stored.
        for (var i = 0; i < 500; i++)
        {
            using var client = host.Factory.CreateClient();
            var stored = await client.GetFromJsonAsync<JsonElement>("/api/v1/stream/rollups?metric=cpu_usage&window_size=00:01:00");
            if (stored.GetProperty("rows").GetArrayLength() == 4)
            {
                break;
            }

            await Task.Delay(20);
        }

        var rows = (await host.GraphQLAsync("""{ streamRollups(metric: "cpu_usage", windowSize: "1m") { account service } }""")).GetProperty("streamRollups");
        Assert.Equal(["acct-a/ec2", "acct-a/s3"], rows.EnumerateArray().Select(r => r.GetProperty("account").GetString() + "/" + r.GetProperty("service").GetString()));
        var other = (await host.GraphQLAsync("""{ streamRollups(account: "acct-b") { account } }""")).GetProperty("streamRollups");
        Assert.Equal(0, other.GetArrayLength());
    }

    [Theory]
    [InlineData("limit: 0", "limit is 0")]
    [InlineData("windowSize: \"soon\"", "windowSize 'soon' is not a length")]
    [InlineData("from: \"yesterday\"", "from 'yesterday' is not an ISO 8601 time")]
    [InlineData("from: \"2026-03-02T11:00:00Z\", to: \"2026-03-02T10:00:00Z\"", "is not after from")]
    public async Task Bad_arguments_are_refused_with_what_to_do(string arguments, string message)
    {
        using var client = _host.Factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/graphql", new { query = $"{{ streamRollups({arguments}) {{ metric }} }}" });
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        var error = Assert.Single(root.GetProperty("errors").EnumerateArray());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("INVALID_ARGUMENT", error.GetProperty("extensions").GetProperty("code").GetString());
    }
}
