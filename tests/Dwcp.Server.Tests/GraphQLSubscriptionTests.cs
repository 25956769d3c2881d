using System.Net.WebSockets;
using System.Text.Json;
using Dwcp.Core.Costs;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// GraphQL subscriptions over WebSocket (graphql-transport-ws) and the stream query fields, on the real host with the real
/// engine. Events go in through POST /api/v1/events; windows close when a later event moves the watermark past them (the
/// clock is manual, so nothing closes on a timer). Expected values are computed here from the posted events.
/// </summary>
public sealed class GraphQLSubscriptionTests : IDisposable
{
    private const string Fields = "name value timestamp trend previousValue windowStart windowEnd windowSize final count sum avg min max last p50 p95 p99 provider service account";
    private static readonly DateTimeOffset W1 = new(2026, 3, 2, 10, 20, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset W2 = W1.AddMinutes(1);
    private static readonly DateTimeOffset W3 = W1.AddMinutes(2);
    private readonly StreamHost _host = new();

    public void Dispose() => _host.Dispose();

    private static Dictionary<string, double> Cpu(double v) => new() { ["cpu_usage"] = v };

    /// <summary>Posts one event per value, spread over the minute starting at <paramref name="window"/>.</summary>
    private Task PostWindowAsync(string prefix, DateTimeOffset window, double[] values, Func<double, Dictionary<string, double>>? metrics = null, string account = "acct-a") =>
        _host.PostAsync([.. values.Select((v, i) => StreamHost.Event($"{prefix}-{i}", window.AddSeconds(5 + (i * 50.0 / values.Length)), (metrics ?? Cpu)(v), account: account))]);

    private static void AssertWindow(JsonElement item, DateTimeOffset start, double[] values, string trend, double? previous)
    {
        Assert.Equal("cpu_usage", item.GetProperty("name").GetString());
        Assert.Equal(start.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), item.GetProperty("timestamp").GetString());
        Assert.Equal(start.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"), item.GetProperty("windowStart").GetString());
        Assert.Equal("1m", item.GetProperty("windowSize").GetString());
        Assert.True(item.GetProperty("final").GetBoolean());
        Assert.Equal(values.Length, item.GetProperty("count").GetInt64());
        Assert.Equal(values.Sum(), item.GetProperty("sum").GetDouble(), 9);
        Assert.Equal(values.Average(), item.GetProperty("avg").GetDouble(), 9);
        Assert.Equal(values.Average(), item.GetProperty("value").GetDouble(), 9);
        Assert.Equal(values.Min(), item.GetProperty("min").GetDouble());
        Assert.Equal(values.Max(), item.GetProperty("max").GetDouble());
        Assert.Equal(values[^1], item.GetProperty("last").GetDouble());
        foreach (var q in new[] { "p50", "p95", "p99" })
        {
            var p = item.GetProperty(q).GetDouble(); // DDSketch, relative error ≤ 1%
            Assert.InRange(p, values.Min() * 0.99, values.Max() * 1.01);
        }

        Assert.Equal(trend, item.GetProperty("trend").GetString());
        if (previous is { } prev)
        {
            Assert.Equal(prev, item.GetProperty("previousValue").GetDouble(), 9);
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, item.GetProperty("previousValue").ValueKind);
        }

        Assert.Equal("aws", item.GetProperty("provider").GetString());
        Assert.Equal("ec2", item.GetProperty("service").GetString());
    }

    private static JsonElement Next(JsonElement message, string id)
    {
        Assert.True(message.GetProperty("type").GetString() == "next", message.ToString());
        Assert.Equal(id, message.GetProperty("id").GetString());
        var payload = message.GetProperty("payload");
        Assert.False(payload.TryGetProperty("errors", out var errors), errors.ToString());
        return payload.GetProperty("data").GetProperty("streamMetrics");
    }

    [Fact]
    public async Task StreamMetrics_sends_each_closed_window_with_its_aggregates_and_the_trend_against_the_previous_one()
    {
        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("1", $$"""subscription { streamMetrics(metricNames: ["cpu_usage"], windowSize: "1m", service: "ec2") { {{Fields}} } }""");
        await _host.WaitForSubscriptionsAsync(1);

        double[] first = [10, 20, 30, 45.5];
        await PostWindowAsync("a", W1, first);
        await _host.CloseWindowAsync(W2);
        AssertWindow(Next(await ws.ReceiveAsync(), "1"), W1, first, "STABLE", null);

        double[] second = [30, 40]; // mean 35 > 26.375 × 1.01
        await PostWindowAsync("b", W2, second);
        await _host.CloseWindowAsync(W3);
        AssertWindow(Next(await ws.ReceiveAsync(), "1"), W2, second, "INCREASING", first.Average());
    }

    [Fact]
    public async Task A_new_subscriber_gets_trends_against_windows_that_closed_before_it_subscribed()
    {
        double[] first = [50, 70];
        await PostWindowAsync("a", W1, first);
        await _host.CloseWindowAsync(W2);

        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("s", $$"""subscription { streamMetrics(metricNames: ["cpu_usage"]) { {{Fields}} } }""");
        await _host.WaitForSubscriptionsAsync(1);

        double[] second = [40, 44]; // 42 < 60 × 0.99
        await PostWindowAsync("b", W2, second);
        await _host.CloseWindowAsync(W3);
        AssertWindow(Next(await ws.ReceiveAsync(), "s"), W2, second, "DECREASING", first.Average());

        double[] third = [42.2, 42]; // 42.1: within 1% of 42
        await PostWindowAsync("c", W3, third);
        await _host.CloseWindowAsync(W3.AddMinutes(1));
        AssertWindow(Next(await ws.ReceiveAsync(), "s"), W3, third, "STABLE", second.Average());
    }

    [Fact]
    public async Task Two_subscriptions_share_a_socket_and_complete_stops_only_one_of_them()
    {
        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("cpu", """subscription { streamMetrics(metricNames: ["cpu_usage"]) { name value } }""");
        await ws.SubscribeAsync("mem", """subscription { streamMetrics(metricNames: ["memory_usage"], valueOf: MAX) { name value } }""");
        await _host.WaitForSubscriptionsAsync(2);

        static Dictionary<string, double> Both(double v) => new() { ["cpu_usage"] = v, ["memory_usage"] = 100 - v };
        double[] values = [10, 30, 35];
        await PostWindowAsync("a", W1, values, Both);
        await _host.CloseWindowAsync(W2);
        var got = new Dictionary<string, JsonElement>();
        for (var i = 0; i < 2; i++)
        {
            var m = await ws.ReceiveAsync();
            got[m.GetProperty("id").GetString()!] = Next(m, m.GetProperty("id").GetString()!);
        }

        Assert.Equal(values.Average(), got["cpu"].GetProperty("value").GetDouble(), 9);
        Assert.Equal(values.Max(v => 100 - v), got["mem"].GetProperty("value").GetDouble(), 9);

        await ws.SendAsync(new { id = "cpu", type = "complete" });
        await _host.WaitForSubscriptionsAsync(1);
        await PostWindowAsync("b", W2, values, Both);
        await _host.CloseWindowAsync(W3);
        Assert.Equal("memory_usage", Next(await ws.ReceiveAsync(), "mem").GetProperty("name").GetString());
        await ws.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await ws.ReceiveAsync()).GetProperty("type").GetString()); // nothing for "cpu" came first
    }

    [Fact]
    public async Task Closing_or_dropping_the_socket_disposes_every_engine_subscription()
    {
        var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("1", """subscription { streamMetrics(metricNames: ["cpu_usage"]) { value } }""");
        await ws.SubscribeAsync("2", """subscription { streamMetrics(metricNames: ["cpu_usage"], windowSize: "5m") { value } }""");
        await _host.WaitForSubscriptionsAsync(2);
        await ws.Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await _host.WaitForSubscriptionsAsync(0);
        await ws.DisposeAsync();

        var dropped = await _host.ConnectAsync();
        await dropped.SubscribeAsync("1", """subscription { streamMetrics(metricNames: ["cpu_usage"]) { value } }""");
        await _host.WaitForSubscriptionsAsync(1);
        dropped.Socket.Abort();
        await _host.WaitForSubscriptionsAsync(0);
    }

    [Fact]
    public async Task Stopping_the_server_closes_its_sockets_with_1001_and_disposes_their_subscriptions()
    {
        var host = new StreamHost();
        await using var ws = await host.ConnectAsync();
        await ws.SubscribeAsync("1", """subscription { streamMetrics(metricNames: ["cpu_usage"]) { value } }""");
        await host.WaitForSubscriptionsAsync(1);
        var counter = host.Factory.Services.GetRequiredService<Dwcp.Server.Graph.StreamSubscriptionCounter>();
        var stopping = Task.Run(host.Dispose); // stops the host: ApplicationStopping fires first
        Assert.Equal((int)WebSocketCloseStatus.EndpointUnavailable, await ws.ReceiveCloseAsync());
        await ws.DisposeAsync(); // answers the close
        await stopping;
        for (var i = 0; i < 500 && counter.Active != 0; i++)
        {
            await Task.Delay(20); // the session ends asynchronously
        }

        Assert.Equal(0, counter.Active);
    }

    [Fact]
    public async Task Protocol_errors_close_the_socket_with_the_protocols_codes()
    {
        await using (var ws = await _host.ConnectAsync(init: false))
        {
            await ws.SubscribeAsync("1", "subscription { streamMetrics(metricNames: [\"x\"]) { value } }");
            Assert.Equal(4401, await ws.ReceiveCloseAsync());
        }

        await using (var ws = await _host.ConnectAsync())
        {
            await ws.SendAsync(new { type = "hello" });
            Assert.Equal(4400, await ws.ReceiveCloseAsync());
        }

        await using (var ws = await _host.ConnectAsync())
        {
            await ws.SendTextAsync("{ not json");
            Assert.Equal(4400, await ws.ReceiveCloseAsync());
        }

        await using (var ws = await _host.ConnectAsync())
        {
            await ws.SubscribeAsync("same", "subscription { streamMetrics(metricNames: [\"x\"]) { value } }");
            await ws.SubscribeAsync("same", "subscription { streamMetrics(metricNames: [\"y\"]) { value } }");
            Assert.Equal(4409, await ws.ReceiveCloseAsync());
        }

        await using (var ws = await _host.ConnectAsync())
        {
            await ws.SendAsync(new { type = "connection_init" });
            Assert.Equal(4429, await ws.ReceiveCloseAsync());
        }

        await _host.WaitForSubscriptionsAsync(0);
    }

    [Fact]
    public async Task A_socket_that_never_sends_connection_init_is_closed_with_4408_when_the_timeout_passes()
    {
        await using var ws = await _host.ConnectAsync(init: false);
        var close = ws.ReceiveRawAsync();
        for (var i = 0; i < 200 && !close.IsCompleted; i++)
        {
            _host.Clock.Advance(TimeSpan.FromSeconds(11)); // past the 10 s default, once the server's timer exists
            await Task.WhenAny(close, Task.Delay(50));
        }

        Assert.Equal((null, 4408), await close);
    }

    [Fact]
    public async Task Connecting_without_the_subprotocol_is_refused()
    {
        var client = _host.Factory.Server.CreateWebSocketClient();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri("ws://localhost/graphql"), CancellationToken.None));
        Assert.Contains("400", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_run_over_the_socket_and_errors_come_back_as_error_messages()
    {
        await PostWindowAsync("a", W1, [1, 2, 3]);
        await using var ws = await _host.ConnectAsync();
        await ws.SubscribeAsync("q", "{ streamStats { accepted } }");
        var next = await ws.ReceiveAsync();
        Assert.Equal("next", next.GetProperty("type").GetString());
        Assert.Equal(3, next.GetProperty("payload").GetProperty("data").GetProperty("streamStats").GetProperty("accepted").GetInt64());
        Assert.Equal("complete", (await ws.ReceiveAsync()).GetProperty("type").GetString());

        await ws.SubscribeAsync("bad", "{ noSuchField }");
        var error = await ws.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("bad", error.GetProperty("id").GetString());
        Assert.Contains("noSuchField", error.GetProperty("payload")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        await ws.SubscribeAsync("size", "subscription { streamMetrics(metricNames: [\"cpu_usage\"], windowSize: \"7m\") { value } }");
        error = await ws.ReceiveAsync();
        Assert.Equal("error", error.GetProperty("type").GetString());
        var message = error.GetProperty("payload")[0].GetProperty("message").GetString()!;
        Assert.Contains("7m", message, StringComparison.Ordinal);
        Assert.Contains("1m, 5m, 15m", message, StringComparison.Ordinal);

        await ws.SubscribeAsync("bad", "{ streamStats { accepted } }"); // an id may be reused once its operation ended
        Assert.Equal("next", (await ws.ReceiveAsync()).GetProperty("type").GetString());
        Assert.Equal("complete", (await ws.ReceiveAsync()).GetProperty("type").GetString());
        await _host.WaitForSubscriptionsAsync(0);
    }

    [Fact]
    public async Task StreamWindows_returns_provisional_open_windows_and_final_closed_ones()
    {
        double[] first = [4, 8];
        double[] second = [1, 2, 3];
        await PostWindowAsync("a", W1, first);
        await _host.CloseWindowAsync(W2);
        await PostWindowAsync("b", W2, second);

        var data = await _host.GraphQLAsync("""
            { closed: streamWindows(metricNames: ["cpu_usage"], windowSize: "1m", state: CLOSED, service: "ec2") { value count final windowStart trend }
              open: streamWindows(metricNames: ["cpu_usage"], windowSize: "1m", state: OPEN, service: "ec2") { value count final windowStart trend previousValue }
              names: streamMetricNames }
            """);
        var closed = Assert.Single(data.GetProperty("closed").EnumerateArray());
        Assert.Equal(first.Average(), closed.GetProperty("value").GetDouble(), 9);
        Assert.True(closed.GetProperty("final").GetBoolean());
        var open = Assert.Single(data.GetProperty("open").EnumerateArray());
        Assert.Equal(second.Length, open.GetProperty("count").GetInt64());
        Assert.Equal(second.Average(), open.GetProperty("value").GetDouble(), 9);
        Assert.False(open.GetProperty("final").GetBoolean());
        Assert.Equal("DECREASING", open.GetProperty("trend").GetString()); // provisional 2 vs the closed 6
        Assert.Equal(first.Average(), open.GetProperty("previousValue").GetDouble(), 9);
        Assert.Equal(["cpu_usage", "tick"], data.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task StreamStats_reports_counts_the_ingest_rate_between_calls_and_latency_quantiles()
    {
        var before = (await _host.GraphQLAsync("{ streamStats { ingestRate accepted } }")).GetProperty("streamStats");
        Assert.Equal(JsonValueKind.Null, before.GetProperty("ingestRate").ValueKind);
        var lines = Enumerable.Range(0, 40).Select(i => StreamHost.Event($"a-{i}", W1.AddSeconds(i), Cpu(i))).Append(StreamHost.Event("a-0", W1, Cpu(1))).ToArray();
        await _host.PostExpectingAsync(40, lines); // one batch, the last line a duplicate id
        for (var i = 0; i < 500 && (await _host.GraphQLAsync("{ streamStats { latencyCount } }")).GetProperty("streamStats").GetProperty("latencyCount").GetInt64() < 1; i++)
        {
            await Task.Delay(20); // the batch is applied (and its latency observed) before the clock moves
        }

        _host.Clock.Advance(TimeSpan.FromSeconds(4));

        var stats = (await _host.GraphQLAsync("{ streamStats { ingestRate ingestRateWindowSeconds accepted duplicates latencyCount latencyP50Ms latencyP99Ms windowSizes } }")).GetProperty("streamStats");
        Assert.Equal(40, stats.GetProperty("accepted").GetInt64());
        Assert.Equal(1, stats.GetProperty("duplicates").GetInt64());
        Assert.Equal(4, stats.GetProperty("ingestRateWindowSeconds").GetDouble(), 9);
        Assert.Equal(40 / 4.0, stats.GetProperty("ingestRate").GetDouble(), 9);
        // The manual clock does not move while a batch is applied: every latency is 0, in the first bucket [0, 0.5 ms],
        // so the interpolated quantiles are q × 0.5 ms.
        Assert.Equal(1, stats.GetProperty("latencyCount").GetInt64());
        Assert.Equal(0.25, stats.GetProperty("latencyP50Ms").GetDouble(), 9);
        Assert.Equal(0.495, stats.GetProperty("latencyP99Ms").GetDouble(), 9);
        Assert.Equal(["1m", "5m", "15m"], stats.GetProperty("windowSizes").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_restricted_scope_sees_only_its_accounts_series_in_windows_and_subscriptions()
    {
        using var host = new StreamHost(CostScope.Parse("account=acct-a"));
        await using var ws = await host.ConnectAsync();
        await ws.SubscribeAsync("1", """subscription { streamMetrics(metricNames: ["cpu_usage"]) { value account } }""");
        await host.WaitForSubscriptionsAsync(1);
        await host.PostAsync(
            StreamHost.Event("a", W1.AddSeconds(5), Cpu(10), account: "acct-a"),
            StreamHost.Event("b", W1.AddSeconds(6), Cpu(99), account: "acct-b"));
        await host.CloseWindowAsync(W2);

        var item = Next(await ws.ReceiveAsync(), "1");
        Assert.Equal("acct-a", item.GetProperty("account").GetString());
        Assert.Equal(10, item.GetProperty("value").GetDouble());
        var windows = (await host.GraphQLAsync("""{ streamWindows(metricNames: ["cpu_usage"], windowSize: "1m") { account } }""")).GetProperty("streamWindows");
        Assert.Equal(["acct-a"], windows.EnumerateArray().Select(e => e.GetProperty("account").GetString()));
        await ws.SendAsync(new { type = "ping" });
        Assert.Equal("pong", (await ws.ReceiveAsync()).GetProperty("type").GetString()); // acct-b's window was not sent
    }
}
