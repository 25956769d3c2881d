using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Dwcp.Streaming;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>Issue 4, item 8, over HTTP on the real host: when the engine's bounded buffer is full, <c>POST /api/v1/events</c>
/// answers 429 with <c>Retry-After</c>, takes nothing of the refused batch, and once the pressure is gone every event is
/// counted exactly once. The pressure is made deterministic with a window sink that holds every write until the test
/// opens it: the sink queue (one slot) fills, the workers wait on their next close, and the 50-event buffer fills.</summary>
public sealed class EventsBackpressureHttpTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly DwcpFactory _inner = new();

    public void Dispose() => _inner.Dispose();

    [Fact]
    public async Task A_full_buffer_answers_429_with_retry_after_and_loses_nothing()
    {
        var sink = new HeldSink();
        var options = new DwcpServerOptions
        {
            DataDir = _inner.DataDir,
            Streaming = new StreamingConfig
            {
                WindowSizes = [TimeSpan.FromMinutes(1)],
                AllowedLateness = TimeSpan.Zero,
                BufferSize = 50,
                SinkQueueCapacity = 1,
                ParallelismFactor = 1,
                AdmissionQueueDelay = TimeSpan.Zero,
                AdmissionMaxWait = TimeSpan.Zero,
                ClosedWindowHistory = 10_000,
            },
        };
        var clock = new ManualClock(Now);
        using var factory = _inner.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton(options);
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<IWindowSink>(sink);
        }));
        using var client = factory.CreateClient();

        // 2,000 events, 10 s apart in event time (5.5 hours before Now), 3 resources: every batch of 10 closes a window.
        var start = Now.AddHours(-6);
        var lines = Enumerable.Range(0, 2000).Select(i => StreamHost.Event(
            $"e{i}", start.AddSeconds(10 * i), new Dictionary<string, double> { ["cpu"] = i % 7 }, account: $"acct-{i % 3}")).ToList();
        var batches = lines.Chunk(10).ToList();

        var posted = 0;
        var acceptedTotal = 0;
        HttpResponseMessage? refusal = null;
        for (; posted < batches.Count; posted++)
        {
            var response = await PostAsync(client, batches[posted]);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refusal = response;
                break;
            }

            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            acceptedTotal += await AcceptedAsync(response);
            response.Dispose();
        }

        // The held sink stops the single worker after at most a few closes, so the buffer fills long before the last batch.
        Assert.NotNull(refusal);
        Assert.True(posted < batches.Count / 2, $"no 429 before batch {posted}");
        using (refusal)
        {
            var retryAfter = Assert.Single(refusal.Headers.GetValues("Retry-After"));
            Assert.InRange(int.Parse(retryAfter, CultureInfo.InvariantCulture), 1, 60);
            using var body = JsonDocument.Parse(await refusal.Content.ReadAsStringAsync());
            Assert.Equal("BUFFER_FULL", body.RootElement.GetProperty("error").GetString());
            Assert.Contains("Retry after", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        var engine = factory.Services.GetRequiredService<RealtimeEngineHost>().Engine;
        Assert.Equal(acceptedTotal, engine.GetMetrics().Accepted); // nothing of the refused batch was taken
        Assert.True(engine.GetMetrics().BufferedEvents <= 50, $"buffered {engine.GetMetrics().BufferedEvents}");
        var metricsText = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Matches(@"(?m)^dwcp_buffer_full_rejections_total [1-9]\d*$", metricsText);

        // The pressure goes away; the client retries the refused batch (as Retry-After tells it) and sends the rest.
        sink.Open();
        for (; posted < batches.Count; posted++)
        {
            for (var attempt = 0; ; attempt++)
            {
                using var response = await PostAsync(client, batches[posted]);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    acceptedTotal += await AcceptedAsync(response);
                    break;
                }

                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.True(attempt < 2000, $"batch {posted} still refused after {attempt} attempts");
                await Task.Delay(5);
            }
        }

        await engine.DrainAsync();
        Assert.Equal(lines.Count, acceptedTotal);
        Assert.Equal(lines.Count, engine.GetMetrics().Accepted);
        Assert.Equal(0, engine.GetMetrics().Duplicates);
        var counted = engine.QueryClosedWindows().Concat(engine.QueryOpenWindows()).Sum(w => w.EventCount);
        Assert.Equal(lines.Count, counted); // every event exactly once, across closed and open windows
        Assert.Equal(lines.Count, sink.Written.Sum(w => w.EventCount) + engine.QueryOpenWindows().Sum(w => w.EventCount));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string[] batch) =>
        client.PostAsync(new Uri("/api/v1/events", UriKind.Relative), new StringContent(string.Join('\n', batch) + "\n", Encoding.UTF8, "application/x-ndjson"));

    private static async Task<int> AcceptedAsync(HttpResponseMessage response)
    {
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("accepted").GetInt32();
    }

    /// <summary>Holds every write until <see cref="Open"/>; records what it was given.</summary>
    private sealed class HeldSink : IWindowSink
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly object _gate = new();
        private readonly List<WindowResult> _written = [];

        public IReadOnlyList<WindowResult> Written
        {
            get
            {
                lock (_gate)
                {
                    return [.. _written];
                }
            }
        }

        public void Open() => _open.TrySetResult();

        public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken)
        {
            await _open.Task.WaitAsync(cancellationToken);
            lock (_gate)
            {
                _written.AddRange(results);
            }
        }
    }
}
