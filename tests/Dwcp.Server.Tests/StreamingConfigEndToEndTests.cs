using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dwcp.Configuration;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>The <c>analytics.streaming</c> keys (group_by, sliding windows, event-type policy, line limit, aggregations…)
/// reach the running engine of the real host, and act on events posted over HTTP.</summary>
public sealed class StreamingConfigEndToEndTests : IDisposable
{
    private readonly DwcpFactory _inner = new();

    public void Dispose() => _inner.Dispose();

    [Fact]
    public async Task Configured_streaming_settings_act_on_the_running_engine()
    {
        var loaded = DwcpConfigLoader.Load(null, new Dictionary<string, string?>
        {
            ["DWCP_STREAMING_GROUP_BY"] = "service,resource_id",
            ["DWCP_STREAMING_SLIDING_WINDOWS"] = "10m/1m",
            ["DWCP_STREAMING_UNKNOWN_EVENT_TYPES"] = "reject",
            ["DWCP_STREAMING_ALLOWED_EVENT_TYPES"] = "usage",
            ["DWCP_STREAMING_MAX_LINE_BYTES"] = "1KB",
            ["DWCP_STREAMING_DUPLICATE_RETENTION"] = "7m",
            ["DWCP_STREAMING_AGGREGATIONS"] = "[{\"name\":\"busy\",\"type\":\"threshold_count\",\"metric\":\"cpu\",\"op\":\">\",\"threshold\":50}]",
        }, new Dictionary<string, string>(), Dwcp.Tests.RepoPaths.NewTempDir("dwcp-stream-config"));
        var options = DwcpServerOptions.FromConfig(loaded) with { DataDir = _inner.DataDir };
        using var factory = _inner.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(options)));
        using var client = factory.CreateClient();

        var engine = factory.Services.GetRequiredService<RealtimeEngineHost>().Engine;
        Assert.Equal(["service", "resource_id"], engine.Config.GroupBy);
        Assert.Equal([new Dwcp.Streaming.SlidingWindow(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1))], engine.Config.SlidingWindows);
        Assert.Equal(TimeSpan.FromMinutes(7), engine.Config.DuplicateRetention);

        var now = DateTimeOffset.UtcNow.AddSeconds(-2).ToString("O");
        static string Line(string id, string now, string type, string extra) =>
            "{\"event_id\":\"" + id + "\",\"timestamp\":\"" + now + "\"" + type + ",\"metrics\":{\"cpu\":" + (id == "a" ? "70" : "1") + "}" + extra + "}";
        var body = string.Join('\n',
            Line("a", now, ",\"event_type\":\"usage\"", ",\"service\":\"ec2\",\"resource_id\":\"i-1\""),
            Line("b", now, ",\"event_type\":\"billing\"", ""),
            Line("c", now, "", ",\"tags\":{\"x\":\"" + new string('y', 1200) + "\"}")) + "\n";
        using var response = await client.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal((1, 2), (doc.RootElement.GetProperty("accepted").GetInt32(), doc.RootElement.GetProperty("rejected").GetInt32()));
        var errors = doc.RootElement.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt32(), e => e.GetProperty("message").GetString()!);
        Assert.Contains("analytics.streaming.allowed_event_types", errors[2], StringComparison.Ordinal);
        Assert.Contains("analytics.streaming.max_line_bytes", errors[3], StringComparison.Ordinal);

        using var gql = await client.PostAsJsonAsync("/graphql", new { query = "{ customAggregations { name source } streamAggregations(name: \"busy\", state: OPEN, windowSize: \"1m\") { value resourceId service } }" });
        using var answer = JsonDocument.Parse(await gql.Content.ReadAsStringAsync());
        var data = answer.RootElement.GetProperty("data");
        var registered = Assert.Single(data.GetProperty("customAggregations").EnumerateArray());
        Assert.Equal(("busy", "config"), (registered.GetProperty("name").GetString(), registered.GetProperty("source").GetString()));
        var open = Assert.Single(data.GetProperty("streamAggregations").EnumerateArray());
        Assert.Equal((1.0, "i-1", "ec2"), (open.GetProperty("value").GetDouble(), open.GetProperty("resourceId").GetString(), open.GetProperty("service").GetString()));

        using var remove = await client.DeleteAsync("/api/v1/aggregations/busy");
        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
    }

    [Fact]
    public void A_configured_aggregation_the_engine_refuses_stops_the_start_naming_the_entry()
    {
        var loaded = DwcpConfigLoader.Load(null, new Dictionary<string, string?>
        {
            ["DWCP_STREAMING_AGGREGATIONS"] = "[{\"name\":\"ok\",\"type\":\"rate\"}, {\"name\":\"bad\",\"type\":\"median\"}]",
        }, new Dictionary<string, string>(), Dwcp.Tests.RepoPaths.NewTempDir("dwcp-stream-config"));
        var options = DwcpServerOptions.FromConfig(loaded) with { DataDir = _inner.DataDir };
        using var factory = _inner.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(options)));
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        var message = error.ToString();
        Assert.Contains("analytics.streaming.aggregations[1]", message, StringComparison.Ordinal);
        Assert.Contains("type 'median' is unknown", message, StringComparison.Ordinal);
    }
}
