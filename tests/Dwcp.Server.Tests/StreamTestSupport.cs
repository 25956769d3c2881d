using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Dwcp.Core.Costs;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>A manual clock: time moves only through <see cref="Advance"/>, which fires due timers on the caller's thread.
/// With it the engine's watermark moves only with the event times the tests post, so windows close deterministically.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        return timer;
    }

    public void Advance(TimeSpan by)
    {
        List<ManualTimer> due;
        lock (_lock)
        {
            _now += by;
            due = [.. _timers.Where(t => t.Due is { } d && d <= _now)];
            foreach (var t in due)
            {
                t.Due = t.Period > TimeSpan.Zero ? _now + t.Period : null;
            }
        }

        foreach (var t in due)
        {
            t.Fire();
        }
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
            Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The real host (DuckDB, engine with its write-ahead log) on a <see cref="ManualClock"/>.</summary>
public sealed class StreamHost : IDisposable
{
    /// <summary>The clock's start: later than every event time the tests post (events must not be in the future).</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 2, 10, 30, 0, TimeSpan.Zero);

    private readonly DwcpFactory _inner;

    public StreamHost(CostScope? scope = null)
    {
        _inner = new DwcpFactory(scope);
        Factory = _inner.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<TimeProvider>(Clock)));
    }

    public ManualClock Clock { get; } = new(Now);

    public WebApplicationFactory<Program> Factory { get; }

    public void Dispose()
    {
        Factory.Dispose();
        _inner.Dispose();
    }

    public static string Event(string id, DateTimeOffset at, IReadOnlyDictionary<string, double> metrics, string service = "ec2", string account = "acct-a") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["event_id"] = id,
            ["timestamp"] = at.ToString("O"),
            ["event_type"] = "usage",
            ["metrics"] = metrics,
            ["provider"] = "aws",
            ["region"] = "eu-west-1",
            ["service"] = service,
            ["account"] = account,
        });

    /// <summary>Posts NDJSON lines and checks that all were accepted.</summary>
    public Task PostAsync(params string[] lines) => PostExpectingAsync(lines.Length, lines);

    /// <summary>Posts NDJSON lines and checks how many were accepted.</summary>
    public async Task PostExpectingAsync(int accepted, params string[] lines)
    {
        using var client = Factory.CreateClient();
        using var response = await client.PostAsync("/api/v1/events", new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, text);
        using var doc = JsonDocument.Parse(text);
        Assert.True(doc.RootElement.GetProperty("accepted").GetInt32() == accepted, text);
    }

    /// <summary>Posts an event of another series ("clock" service, metric "tick") 31 s after <paramref name="windowEnd"/>:
    /// the watermark (max event time − 30 s lateness) then passes the window's end, so the window closes.</summary>
    public Task CloseWindowAsync(DateTimeOffset windowEnd) =>
        PostAsync(Event($"tick-{windowEnd:HHmmss}", windowEnd.AddSeconds(31), new Dictionary<string, double> { ["tick"] = 1 }, service: "clock"));

    public async Task<JsonElement> GraphQLAsync(string query)
    {
        using var client = Factory.CreateClient();
        using var response = await client.PostAsJsonAsync("/graphql", new { query });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var root = JsonDocument.Parse(text).RootElement.Clone();
        Assert.False(root.TryGetProperty("errors", out var errors), errors.ToString());
        return root.GetProperty("data");
    }

    public async Task<long> ActiveSubscriptionsAsync() =>
        (await GraphQLAsync("{ streamStats { activeSubscriptions } }")).GetProperty("streamStats").GetProperty("activeSubscriptions").GetInt64();

    /// <summary>Waits until streamStats reports <paramref name="expected"/> open subscriptions (they open and close asynchronously).</summary>
    public async Task WaitForSubscriptionsAsync(long expected)
    {
        long seen = -1;
        for (var i = 0; i < 500; i++)
        {
            seen = await ActiveSubscriptionsAsync();
            if (seen == expected)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"streamStats.activeSubscriptions stayed {seen}, expected {expected}.");
    }

    public async Task<GqlSocket> ConnectAsync(bool init = true)
    {
        var client = Factory.Server.CreateWebSocketClient();
        client.SubProtocols.Add("graphql-transport-ws");
        var socket = new GqlSocket(await client.ConnectAsync(new Uri("ws://localhost/graphql"), CancellationToken.None));
        if (init)
        {
            await socket.SendAsync(new { type = "connection_init" });
            Assert.Equal("connection_ack", (await socket.ReceiveAsync()).GetProperty("type").GetString());
        }

        return socket;
    }
}

/// <summary>A graphql-transport-ws client over a test WebSocket. Receives time out after 30 s so a bug fails instead of hanging.</summary>
public sealed class GqlSocket(WebSocket socket) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public WebSocket Socket => socket;

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SubscribeAsync(string id, string query) => SendAsync(new { id, type = "subscribe", payload = new { query } });

    /// <summary>The next message; fails on a close frame.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        var (text, close) = await ReceiveRawAsync();
        Assert.True(text is not null, $"Expected a message, got close {close}: {socket.CloseStatusDescription}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Receives until a close frame and returns its status code.</summary>
    public async Task<int> ReceiveCloseAsync()
    {
        while (true)
        {
            var (text, close) = await ReceiveRawAsync();
            if (text is null)
            {
                return close;
            }
        }
    }

    public async Task<(string? Text, int Close)> ReceiveRawAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult r;
        do
        {
            r = await socket.ReceiveAsync(buffer, patience.Token);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return (null, (int)(r.CloseStatus ?? 0));
            }

            message.Write(buffer, 0, r.Count);
        }
        while (!r.EndOfMessage);
        return (Encoding.UTF8.GetString(message.ToArray()), 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException)
            {
                // the server already went away
            }
        }

        socket.Dispose();
    }
}
