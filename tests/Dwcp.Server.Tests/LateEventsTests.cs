using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>Events later than the allowed lateness are never silently dropped by the server: they are counted, listed by
/// GET /api/v1/events/late, and written to a file in their wire form (re-postable) with the windows they missed.</summary>
public sealed class LateEventsTests : IDisposable
{
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_late_event_is_counted_listed_and_written_to_the_late_events_file_in_its_wire_form()
    {
        var now = StreamHost.Now;
        await _host.PostAsync(StreamHost.Event("on-time", now.AddSeconds(-5), new Dictionary<string, double> { ["cpu"] = 1 }));

        // 20 minutes behind a watermark of now − 35 s: later than the 30 s lateness for every window size (1, 5 and 15 min).
        var late = StreamHost.Event("late-1", now.AddMinutes(-20), new Dictionary<string, double> { ["cpu"] = 42.5 }, service: "rds");
        using var client = _host.Factory.CreateClient();
        using (var response = await client.PostAsync("/api/v1/events", new StringContent(late + "\n", Encoding.UTF8, "application/x-ndjson")))
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
            using var doc = JsonDocument.Parse(text);
            Assert.Equal(1, doc.RootElement.GetProperty("late").GetInt32());
        }

        using var listed = JsonDocument.Parse(await client.GetStringAsync("/api/v1/events/late?limit=10"));
        Assert.Equal(1, listed.RootElement.GetProperty("received").GetInt64());
        var item = Assert.Single(listed.RootElement.GetProperty("events").EnumerateArray());
        Assert.Equal("late-1", item.GetProperty("event").GetProperty("event_id").GetString());
        Assert.Equal(42.5, item.GetProperty("event").GetProperty("metrics").GetProperty("cpu").GetDouble());
        Assert.Equal(["1m", "5m", "15m"], item.GetProperty("missed_windows").EnumerateArray().Select(e => e.GetString()));
        Assert.False(item.GetProperty("aggregated_elsewhere").GetBoolean());

        var directory = _host.Factory.Services.GetRequiredService<LateEventFileSink>().Directory;
        _host.Factory.Dispose(); // stopping the host drains the writer
        var file = Path.Combine(directory, $"late-events-{now:yyyy-MM-dd}.ndjson");
        var line = Assert.Single(File.ReadAllLines(file));
        using var written = JsonDocument.Parse(line);
        var wire = written.RootElement.GetProperty("event");
        Assert.Equal("rds", wire.GetProperty("service").GetString());
        Assert.Equal(now.AddMinutes(-20), DateTimeOffset.Parse(wire.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        // The event part is valid input: another server (fresh watermark) accepts it as it stands.
        using var other = new StreamHost();
        await other.PostAsync(wire.GetRawText());
    }

    [Fact]
    public async Task A_bad_limit_is_a_400_naming_the_range()
    {
        using var client = _host.Factory.CreateClient();
        using var response = await client.GetAsync("/api/v1/events/late?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("from 1 to 1000", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
