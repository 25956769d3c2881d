using System.Net;
using System.Text;
using System.Text.Json;

namespace Dwcp.Server.Tests;

/// <summary>Bad lines over the real HTTP endpoint: a 10 MB line and an unknown field type each get a per-line error with
/// the line number and reason, the good lines around them still count, and the server keeps serving.</summary>
public sealed class EventsBadInputHttpTests : IDisposable
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
        });

    [Fact]
    public async Task A_10_MB_line_is_rejected_alone_and_the_lines_around_it_are_accepted()
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-1);
        var huge = "{\"event_id\":\"huge\",\"timestamp\":\"" + now.ToString("O") + "\",\"metrics\":{\"cpu_usage\":1},\"tags\":{\"blob\":\"" + new string('x', 10 * 1024 * 1024) + "\"}}";
        var body = string.Join('\n', Event("a", now, 1), huge, Event("b", now, 2), "{\"event_id\":\"c\",\"timestamp\":\"" + now.ToString("O") + "\",\"metrics\":{\"cpu_usage\":[1]}}") + "\n";
        using var client = _factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/events", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text[..Math.Min(text.Length, 2000)]);
        using var doc = JsonDocument.Parse(text);
        var r = doc.RootElement;
        Assert.Equal(2, r.GetProperty("accepted").GetInt32());
        Assert.Equal(2, r.GetProperty("rejected").GetInt32());
        var errors = r.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("line").GetInt32());
        Assert.Equal([2, 4], errors.Keys.Order());
        Assert.Contains("bytes", errors[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("cpu_usage", errors[4].ToString(), StringComparison.Ordinal);

        // The server still answers, and the metrics counted exactly this batch.
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("dwcp_events_accepted_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("dwcp_events_rejected_total 2\n", metrics, StringComparison.Ordinal);
    }
}
