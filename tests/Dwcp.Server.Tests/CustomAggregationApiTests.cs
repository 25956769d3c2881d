using System.Net;
using System.Text;
using System.Text.Json;
using Dwcp.Streaming;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// Custom aggregations created at run time through REST and GraphQL on the real host: their values in closed windows are
/// checked against the posted events by hand, bad definitions get errors naming the problem, and run-time definitions
/// survive a restart on the same data folder.
/// </summary>
public sealed class CustomAggregationApiTests : IDisposable
{
    private static readonly DateTimeOffset W1 = new(2026, 3, 2, 10, 20, 0, TimeSpan.Zero);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostDefinitionAsync(string json)
    {
        using var client = _host.Factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/aggregations", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<JsonElement[]> ValuesAsync(string name, int expected)
    {
        JsonElement[] rows = [];
        for (var i = 0; i < 500 && rows.Length < expected; i++)
        {
            rows = [.. (await _host.GraphQLAsync($"{{ streamAggregations(name: \"{name}\", state: CLOSED, windowSize: \"1m\", service: \"ec2\") {{ name type value partial final windowStart windowSize windowEventCount }} }}"))
                .GetProperty("streamAggregations").EnumerateArray()];
            if (rows.Length < expected)
            {
                await Task.Delay(20);
            }
        }

        Assert.True(rows.Length == expected, $"streamAggregations({name}) returned {rows.Length} rows, expected {expected}.");
        return rows;
    }

    [Fact]
    public async Task Aggregations_created_over_REST_and_GraphQL_compute_the_hand_checked_values_of_a_closed_window()
    {
        var (status, created) = await PostDefinitionAsync("{\"name\":\"cost_per_unit\",\"type\":\"weighted_average\",\"window\":\"1m\",\"metric\":\"unit_price\",\"weight_metric\":\"usage\"}");
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        Assert.Equal("weighted_average", created.GetProperty("type").GetString());
        Assert.Equal("api", created.GetProperty("source").GetString());

        var mutation = await _host.GraphQLAsync("mutation { createCustomAggregation(name: \"busy\", type: THRESHOLD_COUNT, metric: \"cpu\", op: \">\", threshold: 80, window: \"1m\") { name type window source } }");
        var busy = mutation.GetProperty("createCustomAggregation");
        Assert.Equal("THRESHOLD_COUNT", busy.GetProperty("type").GetString());
        Assert.Equal("1m", busy.GetProperty("window").GetString());

        // 12 seeded events in the minute starting at W1, each with a price, a usage weight and a CPU reading.
        var rng = new Random(7);
        var events = Enumerable.Range(0, 12)
            .Select(i => (Id: $"e{i}", At: W1.AddSeconds(3 + (4 * i)), Price: Math.Round(rng.NextDouble() * 10, 2), Usage: 1 + rng.Next(9), Cpu: Math.Round(rng.NextDouble() * 100, 1)))
            .ToList();
        await _host.PostAsync([.. events.Select(e => StreamHost.Event(e.Id, e.At, new Dictionary<string, double> { ["unit_price"] = e.Price, ["usage"] = e.Usage, ["cpu"] = e.Cpu }))]);
        await _host.CloseWindowAsync(W1.AddMinutes(1));

        var weighted = events.Sum(e => e.Price * e.Usage) / events.Sum(e => e.Usage);
        var row = Assert.Single(await ValuesAsync("cost_per_unit", 1));
        Assert.Equal(weighted, row.GetProperty("value").GetDouble(), 9);
        Assert.True(row.GetProperty("final").GetBoolean());
        Assert.False(row.GetProperty("partial").GetBoolean());
        Assert.Equal(12, row.GetProperty("windowEventCount").GetInt64());

        var count = Assert.Single(await ValuesAsync("busy", 1));
        Assert.Equal(events.Count(e => e.Cpu > 80), count.GetProperty("value").GetDouble());
        Assert.True(events.Count(e => e.Cpu > 80) is > 0 and < 12, "the seed should give a count that is neither none nor all");

        var listed = (await _host.GraphQLAsync("{ customAggregations { name source definition } }")).GetProperty("customAggregations").EnumerateArray().ToList();
        Assert.Equal(["cost_per_unit", "busy"], listed.Select(a => a.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"type\":\"median\"}", HttpStatusCode.BadRequest, "type 'median' is unknown")]
    [InlineData("{\"name\":\"x\",\"type\":\"rate\",\"window\":\"7m\"}", HttpStatusCode.BadRequest, "not a configured window size")]
    [InlineData("{\"name\":\"x\",\"type\":\"ratio\",\"numerator\":\"a\"}", HttpStatusCode.BadRequest, "denominator")]
    [InlineData("{\"name\":\"x\",\"type\":\"rate\",\"colour\":\"red\"}", HttpStatusCode.BadRequest, "'colour' is unknown")]
    [InlineData("{ not json", HttpStatusCode.BadRequest, "not valid JSON")]
    [InlineData("", HttpStatusCode.BadRequest, "body is empty")]
    public async Task A_bad_definition_is_refused_with_the_reason_and_nothing_is_registered(string json, HttpStatusCode expected, string reason)
    {
        var (status, body) = await PostDefinitionAsync(json);
        Assert.Equal(expected, status);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
        var listed = (await _host.GraphQLAsync("{ customAggregations { name } }")).GetProperty("customAggregations");
        Assert.Equal(0, listed.GetArrayLength());
    }

    [Fact]
    public async Task A_taken_name_is_a_conflict_and_removal_answers_204_then_404()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostDefinitionAsync("{\"name\":\"r\",\"type\":\"rate\"}")).Status);
        var (status, body) = await PostDefinitionAsync("{\"name\":\"r\",\"type\":\"rate\",\"metric\":\"cpu\"}");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("already exists", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var client = _host.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/aggregations/r")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/v1/aggregations/r")).StatusCode);
        var removed = await _host.GraphQLAsync("mutation { removeCustomAggregation(name: \"r\") }");
        Assert.False(removed.GetProperty("removeCustomAggregation").GetBoolean());
    }

    [Fact]
    public async Task Run_time_definitions_survive_a_restart_on_the_same_data_folder()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostDefinitionAsync("{\"name\":\"p999\",\"type\":\"percentile\",\"metric\":\"latency_ms\",\"quantile\":0.999}")).Status);
        Assert.Equal(HttpStatusCode.Created, (await PostDefinitionAsync("{\"name\":\"gone\",\"type\":\"rate\"}")).Status);
        using (var client = _host.Factory.CreateClient())
        {
            Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync("/api/v1/aggregations/gone")).StatusCode);
        }

        var dataDir = _host.Factory.Services.GetRequiredService<DwcpServerOptions>().DataDir;
        _host.Factory.Dispose(); // stops the engine and releases the data folder

        using var second = new DwcpFactory();
        using var restarted = second.WithWebHostBuilder(b => b.UseSetting(DwcpServer.DataDirSetting, dataDir));
        using var client2 = restarted.CreateClient();
        var text = await client2.GetStringAsync("/api/v1/aggregations");
        using var doc = JsonDocument.Parse(text);
        var only = Assert.Single(doc.RootElement.GetProperty("aggregations").EnumerateArray());
        Assert.Equal("p999", only.GetProperty("name").GetString());
        Assert.Equal(0.999, only.GetProperty("definition").GetProperty("quantile").GetDouble());
        var engine = restarted.Services.GetRequiredService<RealtimeEngineHost>().Engine;
        Assert.Equal(AggregationType.Percentile, Assert.Single(engine.CustomAggregations).Config.Type);
    }
}
