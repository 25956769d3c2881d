using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Dwcp.Streaming;
using Dwcp.Streaming.Kafka;

namespace Dwcp.Bench.Streaming;

/// <summary>
/// <c>-- kafka [--events N]</c>: the same events produced to a Kafka topic and consumed through <see cref="KafkaEventSource"/>
/// into the engine (WAL on, offsets committed after each durable batch), against the same events through the in-process
/// NDJSON API in the same run. The broker is librdkafka's mock cluster hosted by kcat (or KAFKA_BENCH_BOOTSTRAP), so there
/// is no goal: the mock keeps ~5 MiB per partition, so the producer is throttled to stay within 20,000 messages of the consumer.
/// </summary>
public static partial class KafkaMode
{
    public static async Task RunAsync(int count, DateTimeOffset now, string root)
    {
        var inv = CultureInfo.InvariantCulture;
        var events = BenchData.Generate(count, now, TimeSpan.FromMinutes(30));
        var lines = events.Select(Line).ToArray();
        Console.WriteLine($"kafka mode: {count:N0} events, {lines.Average(l => l.Length):F0} bytes per message");
        using var mock = StartMock(out var bootstrap);
        try
        {
            await MeasureAsync(count, now, root, events, lines, bootstrap);
        }
        finally
        {
            if (mock.Id != Environment.ProcessId)
            {
                mock.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task MeasureAsync(int count, DateTimeOffset now, string root, StreamEvent[] events, string[] lines, string bootstrap)
    {
        var inv = CultureInfo.InvariantCulture;

        // In-process NDJSON API (same engine settings, WAL on): the baseline of this run.
        var inProcessSeconds = await InProcessAsync(lines, now);
        Console.WriteLine($"in-process NDJSON: {inProcessSeconds:F3} s");

        var (kafkaSeconds, stats) = await KafkaAsync(lines, now, bootstrap);
        Console.WriteLine($"kafka: {kafkaSeconds:F3} s, {stats}");

        var stamp = now.ToString("yyyyMMdd-HHmm", inv);
        var path = Path.Combine(root, "bench", "results", $"streaming-kafka-{stamp}.md");
        var text = new StringBuilder();
        text.AppendLine(inv, $"# Streaming engine, Kafka source — {now:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}. Shared machine: compare the ratio, not absolute numbers.");
        text.AppendLine();
        text.AppendLine(inv, $"Broker: librdkafka's mock cluster hosted by kcat in a separate process (no Kafka broker package exists here), topic auto-created with 4 partitions, one event per message ({lines.Average(l => l.Length):F0} bytes), acks=all, producer throttled to at most 20,000 messages ahead of the consumer (the mock keeps ~5 MiB per partition). No goal: the mock is not a real broker.");
        text.AppendLine(inv, $"Data: {count:N0} events ({events.DistinctBy(e => e.EventId).Count():N0} unique ids), {BenchData.Resources:N0} resources, {BenchData.MetricsPerEvent} metrics per event, windows 1/5/15 min, duplicate detection on, write-ahead log on (fsync per accepted batch). Time = first message produced (Kafka) or first batch offered (in-process) until every event is accepted and applied.");
        text.AppendLine();
        text.AppendLine("| path | time | events/s |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(inv, $"| in-process `TryAcceptNdjsonAsync`, batches of 5,000 lines | {inProcessSeconds:F3} s | {count / inProcessSeconds:N0} |");
        text.AppendLine(inv, $"| Kafka → `KafkaEventSource` → engine (produce + consume + commit) | {kafkaSeconds:F3} s | {count / kafkaSeconds:N0} |");
        text.AppendLine(inv, $"| **ratio Kafka / in-process** | | **{inProcessSeconds / kafkaSeconds:F2}×** |");
        text.AppendLine();
        text.AppendLine(inv, $"Kafka source counters: {stats.Messages:N0} messages, {stats.Accepted:N0} accepted, {stats.Duplicates:N0} duplicates, {stats.Batches:N0} batches committed, {stats.BackpressurePauses} backpressure pauses, {stats.DeadLetters} dead letters.");
        await File.WriteAllTextAsync(path, text.ToString());
        Console.WriteLine(text);
        Console.WriteLine("written " + path);
    }

    private static StreamingConfig Config(string dir) => new()
    {
        BufferSize = 200_000,
        ParallelismFactor = Environment.ProcessorCount,
        ClosedWindowHistory = 1_000,
        DataDirectory = dir,
    };

    private static async Task<double> InProcessAsync(string[] lines, DateTimeOffset now)
    {
        var dir = Directory.CreateTempSubdirectory("dwcp-bench-inproc").FullName;
        await using var engine = new RealtimeEngine(Config(dir), new FrozenClock(now));
        await engine.StartAsync();
        var batches = lines.Chunk(5000).Select(c => Encoding.UTF8.GetBytes(string.Concat(c.Select(l => l + "\n")))).ToArray();
        var watch = Stopwatch.StartNew();
        foreach (var batch in batches)
        {
            while ((await engine.TryAcceptNdjsonAsync(batch)).Status == AcceptStatus.BufferFull)
            {
                await Task.Delay(1);
            }
        }

        await engine.DrainAsync();
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double Seconds, KafkaSourceStats Stats)> KafkaAsync(string[] lines, DateTimeOffset now, string bootstrap)
    {
        var dir = Directory.CreateTempSubdirectory("dwcp-bench-kafka").FullName;
        var topic = "bench-" + Guid.NewGuid().ToString("N");
        using var producer = new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, Acks = Acks.All, LingerMs = 5 }).Build();
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(lines[0]) }); // creates the topic
        await using var engine = new RealtimeEngine(Config(dir), new FrozenClock(now));
        await engine.StartAsync();
        var source = new KafkaEventSource(engine, new KafkaSourceOptions { Brokers = [bootstrap], Topic = topic, GroupId = "bench-" + topic, MaxBatchEvents = 5000 });
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(stop.Token);
        await source.Assigned;
        while (source.Stats.Messages < 1)
        {
            await Task.Delay(1);
        }

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < lines.Length; i++)
        {
            while (i - source.Stats.Messages > 20_000)
            {
                await Task.Delay(1);
            }

            producer.Produce(topic, new Message<Null, byte[]> { Value = Encoding.UTF8.GetBytes(lines[i]) });
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        while (source.Stats.Accepted + source.Stats.Duplicates < lines.Length + 1)
        {
            await Task.Delay(1);
        }

        await engine.DrainAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await run;
        return (seconds, source.Stats);
    }

    /// <summary>One event as its NDJSON wire line (snake_case, docs/streaming.md).</summary>
    internal static string Line(StreamEvent e)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event_id", e.EventId);
            json.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
            json.WriteString("event_type", e.EventType);
            json.WriteString("resource_id", e.ResourceId);
            json.WriteString("provider", e.Provider);
            json.WriteString("region", e.Region);
            json.WriteString("service", e.Service);
            json.WriteString("account", e.Account);
            json.WriteStartObject("metrics");
            foreach (var m in e.Metrics)
            {
                json.WriteNumber(m.Name, m.Value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Process StartMock(out string bootstrap)
    {
        if (Environment.GetEnvironmentVariable("KAFKA_BENCH_BOOTSTRAP") is { Length: > 0 } external)
        {
            bootstrap = external;
            return Process.GetCurrentProcess();
        }

        var log = Path.Combine(Directory.CreateTempSubdirectory("dwcp-bench-mock").FullName, "mock.log");
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        psi.ArgumentList.Add("bash");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"sleep 900 | kcat -b 127.0.0.1:1 -X test.mock.num.brokers=1 -P -t hold > '{log}' 2>&1");
        var host = Process.Start(psi)!;
        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(log) && PortPattern().Match(File.ReadAllText(log)) is { Success: true } m)
            {
                bootstrap = "127.0.0.1:" + m.Groups[1].Value;
                return host;
            }

            Thread.Sleep(50);
        }

        host.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The kcat-hosted Kafka mock did not report its port; install kcat (apt-get install -y kcat) or set KAFKA_BENCH_BOOTSTRAP.");
    }

    [GeneratedRegex(@"replaced with 127\.0\.0\.1:(\d+)")]
    private static partial Regex PortPattern();
}
