using System.Net;
using System.Text;
using System.Text.Json;

namespace Dwcp.Server.Tests;

/// <summary>POST /api/v1/events (NDJSON) and GET /metrics on the real host with the real engine and its write-ahead log.</summary>
public sealed class EventsEndpointTests : IDisposable
{
    private readonly DwcpFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static string Event(string id, DateTimeOffset at, double cpu) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event_id"] = id,
            ["timestamp"] = at.ToString("O"),
            ["event_type"] = "usage",
            ["metrics"] = new Dictionary<string, double> { ["cpu_usage"] = cpu },
            ["provider"] = "aws",
            ["service"] = "ec2",
        });

    [Fact]
    public async Task A_batch_is_accepted_with_per_line_errors_and_duplicates_and_the_metrics_count_it()
    {
        var now = DateTimeOffset.UtcNow;
        var body = string.Join('\n',
            Event("evt-1", now, 75.5),
            Event("evt-2", now, 20),
            Event("evt-1", now, 75.5),
            "{ not json",
            "{\"timestamp\":\"" + now.ToString("O") + "\",\"metrics\":{\"cpu_usage\":1}}",
            "{\"event_id\":\"evt-3\",\"timestamp\":\"" + now.ToString("O") + "\",\"metrics\":{\"cpu_usage\":\"NaN\"}}") + "\n";
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        using var doc = JsonDocument.Parse(text);
        var r = doc.RootElement;
        Assert.Equal(2, r.GetProperty("accepted").GetInt32());
        Assert.Equal(1, r.GetProperty("duplicates").GetInt32());
        Assert.Equal(3, r.GetProperty("rejected").GetInt32());
        var lines = r.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("line").GetInt32()).Order().ToArray();
        Assert.Equal([4, 5, 6], lines);
        Assert.Contains("event_id", r.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("line").GetInt32() == 5).GetProperty("field").GetString(), StringComparison.Ordinal);

        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("dwcp_events_accepted_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("dwcp_events_duplicate_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("dwcp_events_rejected_total 3\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE dwcp_event_queryable_latency_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Contains("dwcp_event_queryable_latency_seconds_bucket{le=\"+Inf\"}", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_body_is_accepted_as_an_empty_batch_and_the_server_keeps_serving()
    {
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/events", new StringContent(string.Empty));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }
}
