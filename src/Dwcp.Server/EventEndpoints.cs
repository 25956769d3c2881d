using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dwcp.Streaming;
using Microsoft.Extensions.Hosting;

namespace Dwcp.Server;

/// <summary>
/// Owns the real-time engine: starts it with the host (replaying its write-ahead log), stops it (flush + checkpoint) and
/// only then disposes it. The container does not dispose the engine itself, so a dispose never races a stop.
/// </summary>
internal sealed class RealtimeEngineHost(DwcpServerOptions options, TimeProvider time, IWindowSink? windowSink = null, LateEventFileSink? lateEvents = null) : IHostedService
{
    public RealtimeEngine Engine { get; } = new(EngineConfig.For(options), time, windowSink, lateEvents);

    public async Task StartAsync(CancellationToken cancellationToken) => await Engine.StartAsync(cancellationToken);

    private readonly object _gate = new();
    private Task? _stopping;

    /// <summary>Stops once; a second call (the host may stop twice, e.g. in tests) waits for the same stop.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _stopping ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await Engine.StopAsync(cancellationToken);
        await Engine.DisposeAsync();
    }
}

/// <summary><c>POST /api/v1/events</c> (NDJSON in) and <c>GET /metrics</c> (Prometheus text out). See docs/streaming.md.</summary>
internal static class EventEndpoints
{
    /// <summary>The largest request body accepted (bigger: 413).</summary>
    public const int MaxBodyBytes = 64 * 1024 * 1024;

    public static void MapDwcpEvents(this WebApplication app)
    {
        app.MapPost("/api/v1/events", AcceptAsync);
        app.MapGet("/metrics", Metrics);
    }

    private static async Task AcceptAsync(HttpContext http, RealtimeEngineHost host)
    {
        var engine = host.Engine;
        if (http.Request.ContentLength is > MaxBodyBytes)
        {
            await WriteErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The body is {http.Request.ContentLength:N0} bytes; the limit is {MaxBodyBytes:N0}. Send smaller batches.");
            return;
        }

        // The body goes into one pooled buffer (sized by Content-Length when given), parsed in place by the engine's
        // Utf8JsonReader-based decoder and returned to the pool after the accept: no per-request copies or growth.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(http.Request.ContentLength ?? 64 * 1024, 1, MaxBodyBytes) + 1);
        try
        {
            var length = 0;
            while (true)
            {
                var capacity = Math.Min(buffer.Length, MaxBodyBytes + 1);
                if (length == capacity)
                {
                    if (capacity > MaxBodyBytes)
                    {
                        await WriteErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The body exceeds {MaxBodyBytes:N0} bytes. Send smaller batches.");
                        return;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxBodyBytes + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await http.Request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBodyBytes + 1) - length), http.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > MaxBodyBytes)
            {
                await WriteErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", $"The body exceeds {MaxBodyBytes:N0} bytes. Send smaller batches.");
                return;
            }

            BatchAcceptResult result;
            try
            {
                result = await engine.TryAcceptNdjsonAsync(buffer.AsMemory(0, length), http.RequestAborted);
            }
            catch (ArgumentException ex)
            {
                await WriteErrorAsync(http, StatusCodes.Status413PayloadTooLarge, "PAYLOAD_TOO_LARGE", (ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : ex.Message)
                    + " Split the batch (at most analytics.streaming.buffer_size events).");
                return;
            }

            if (result.Status == AcceptStatus.BufferFull)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(result.RetryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await WriteErrorAsync(http, StatusCodes.Status429TooManyRequests, "BUFFER_FULL", $"The engine's input buffer is full; nothing of this batch was taken. Retry after {seconds} s.", key: "error");
                return;
            }

            await WriteAcceptedAsync(http, result);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>202 with <c>{"accepted","rejected","duplicates","late","errors":[{"line","field","message"}]}</c>, written
    /// straight to the response (no serializer reflection, no anonymous objects per error).</summary>
    private static async Task WriteAcceptedAsync(HttpContext http, BatchAcceptResult result)
    {
        http.Response.StatusCode = StatusCodes.Status202Accepted;
        http.Response.ContentType = "application/json; charset=utf-8";
        await using (var json = new Utf8JsonWriter(http.Response.BodyWriter))
        {
            json.WriteStartObject();
            json.WriteNumber("accepted", result.Accepted);
            json.WriteNumber("rejected", result.Rejected);
            json.WriteNumber("duplicates", result.Duplicates);
            json.WriteNumber("late", result.Late);
            json.WriteStartArray("errors");
            foreach (var e in result.Errors)
            {
                json.WriteStartObject();
                json.WriteNumber("line", e.LineNumber);
                json.WriteString("field", e.Field);
                json.WriteString("message", e.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static Task WriteErrorAsync(HttpContext http, int status, string code, string message, string key = "code")
    {
        http.Response.StatusCode = status;
        return key == "code"
            ? http.Response.WriteAsJsonAsync(new ApiError(code, message), http.RequestAborted)
            : http.Response.WriteAsJsonAsync(new { error = code, message }, http.RequestAborted);
    }

    private static IResult Metrics(RealtimeEngineHost host, AnomalyAlertCounters alerts, KafkaSourceHost kafka)
    {
        var m = host.Engine.GetMetrics();
        var sb = new StringBuilder();
        void Counter(string name, string help, long value) =>
            sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");
        void Gauge(string name, string help, double value) =>
            sb.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");
        Counter("dwcp_events_accepted_total", "Events accepted (durable in the write-ahead log).", m.Accepted);
        Counter("dwcp_events_rejected_total", "Events rejected with a per-line error.", m.Rejected);
        Counter("dwcp_events_duplicate_total", "Events dropped as duplicates of an event_id seen within the retention.", m.Duplicates);
        Counter("dwcp_events_late_total", "Events later than the watermark allows (routed to the late sink).", m.Late);
        Counter("dwcp_windows_closed_total", "Windows closed and emitted final.", m.WindowsClosed);
        Counter("dwcp_window_latency_promise_broken_total", "Closed windows emitted later than max_latency_ms after the watermark passed their end.", m.LatencyPromiseBroken);
        Counter("dwcp_buffer_full_rejections_total", "Batches refused with 429 because the input buffer was full.", m.BufferFullRejections);
        Counter("dwcp_subscriber_drops_total", "Window results a slow subscriber lost.", m.SubscriberDrops);
        Gauge("dwcp_buffered_events", "Events waiting in the input buffer.", m.BufferedEvents);
        Gauge("dwcp_open_windows", "Open windows.", m.OpenWindows);
        Gauge("dwcp_dedup_memory_bytes", "Memory of the duplicate filter.", m.DedupMemoryBytes);
        Counter("dwcp_anomaly_checks_total", "Scheduled cost-anomaly checks run (at start, after imports, on the interval).", alerts.CostChecks);
        Counter("dwcp_anomaly_check_failures_total", "Cost-anomaly checks that failed (logged).", alerts.CostCheckFailures);
        Counter("dwcp_anomalies_published_total", "Cost anomalies published to subscribers and the webhook (each id once).", alerts.CostPublished);
        Counter("dwcp_anomaly_webhook_failures_total", "Webhook POSTs that failed after their retries.", alerts.WebhookFailures);
        Counter("dwcp_stream_windows_scored_total", "Closed windows scored by the stream anomaly detectors.", alerts.StreamWindowsScored);
        Counter("dwcp_stream_anomalies_total", "Stream anomalies published.", alerts.StreamAnomalies);
        Counter("dwcp_stream_series_evicted_total", "Idle stream detector series evicted to make room at the max_stream_series cap.", alerts.StreamSeriesEvicted);
        Counter("dwcp_stream_series_skipped_total", "Closed windows of new stream series not scored because max_stream_series active series were tracked.", alerts.StreamSeriesSkipped);
        if (kafka.Source?.Stats is { } k)
        {
            Counter("dwcp_kafka_messages_total", "Kafka messages read.", k.Messages);
            Counter("dwcp_kafka_events_accepted_total", "Events from Kafka accepted by the engine.", k.Accepted);
            Counter("dwcp_kafka_dead_letters_total", "Kafka messages or lines written to the dead-letter file.", k.DeadLetters);
            Counter("dwcp_kafka_commits_total", "Offset commits (after the write-ahead log made the batch durable).", k.Commits);
            Counter("dwcp_kafka_commit_failures_total", "Offset commits that failed (the batch is read again; dedup counts it once).", k.CommitFailures);
            Counter("dwcp_kafka_backpressure_pauses_total", "Times consumption paused because the engine's buffer was full.", k.BackpressurePauses);
        }

        var h = m.AcceptToQueryableLatency;
        const string H = "dwcp_event_queryable_latency_seconds";
        sb.Append(CultureInfo.InvariantCulture, $"# HELP {H} Time from accepting an event (the 202) until a query of its open window includes it.\n# TYPE {H} histogram\n");
        for (var i = 0; i < h.UpperBoundsSeconds.Count; i++)
        {
            var le = double.IsPositiveInfinity(h.UpperBoundsSeconds[i]) ? "+Inf" : h.UpperBoundsSeconds[i].ToString("R", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{H}_bucket{{le=\"{le}\"}} {h.CumulativeCounts[i]}\n");
        }

        if (h.UpperBoundsSeconds.Count == 0 || !double.IsPositiveInfinity(h.UpperBoundsSeconds[^1]))
        {
            sb.Append(CultureInfo.InvariantCulture, $"{H}_bucket{{le=\"+Inf\"}} {h.Count}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"{H}_sum {h.SumSeconds.ToString("R", CultureInfo.InvariantCulture)}\n{H}_count {h.Count}\n");
        return Results.Text(sb.ToString(), "text/plain; version=0.0.4");
    }
}
