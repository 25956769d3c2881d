using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Dwcp.Tests;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>
/// <see cref="KafkaEventSource"/> against a broker speaking the Kafka protocol. The broker is librdkafka's mock cluster
/// hosted by kcat in a separate process (<see cref="KafkaMockBroker"/>), because no Kafka broker package exists on this
/// machine; set KAFKA_TEST_BOOTSTRAP to run the same tests against a real cluster.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaEventSourceTests(KafkaMockBroker broker)
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Consumes_good_events_dead_letters_bad_messages_and_commits_every_offset()
    {
        var dir = RepoPaths.NewTempDir("kafka-source");
        var topic = KafkaMockBroker.NewTopic("events");
        var events = TestEvents.Make(400, T0, TimeSpan.FromMinutes(3), seed: 11);
        var mixedGood = new TestEvent("mixed-good", T0.AddSeconds(5), "aws", "eu-west-1", 500, 50);
        var bad = new (string Name, byte[] Value, string? Field, int Line)[]
        {
            ("malformed", "{not json"u8.ToArray(), null, 1),
            ("no id", "{\"timestamp\":\"2024-01-01T00:00:10Z\",\"metrics\":{\"cost\":1}}"u8.ToArray(), "event_id", 1),
            ("nan", "{\"event_id\":\"nan\",\"timestamp\":\"2024-01-01T00:00:10Z\",\"metrics\":{\"cost\":\"NaN\"}}"u8.ToArray(), "metrics.cost", 1),
            ("future", "{\"event_id\":\"future\",\"timestamp\":\"2100-01-01T00:00:00Z\",\"metrics\":{\"cost\":1}}"u8.ToArray(), "timestamp", 1),
            ("empty", [], "message", 0),
            ("mixed", Encoding.UTF8.GetBytes(mixedGood.Line() + "\n{\"event_id\":\"no-time\"}\n"), "timestamp", 2),
            ("too long", Encoding.UTF8.GetBytes("{\"event_id\":\"long\",\"pad\":\"" + new string('x', 10_000) + "\"}"), null, 1),
        };

        var where = new Dictionary<string, (int Partition, long Offset)>();
        using (var producer = broker.Producer())
        {
            var random = new Random(3);
            for (var i = 0; i < events.Count;)
            {
                var take = Math.Min(random.Next(1, 4), events.Count - i); // one to three NDJSON lines per message
                await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = TestEvents.Ndjson(events.Skip(i).Take(take)) });
                i += take;
                if (i % 100 < 3 && where.Count < bad.Length)
                {
                    var b = bad[where.Count];
                    var d = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = b.Value });
                    where[b.Name] = (d.Partition.Value, d.Offset.Value);
                }
            }

            foreach (var b in bad.Where(b => !where.ContainsKey(b.Name)))
            {
                var d = await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = b.Value });
                where[b.Name] = (d.Partition.Value, d.Offset.Value);
            }
        }

        var deadFile = Path.Combine(dir, "dead.ndjson");
        var options = new KafkaSourceOptions { Brokers = [broker.Bootstrap], Topic = topic, GroupId = "g-" + topic, DeadLetterPath = deadFile, MaxBatchEvents = 64 };
        var good = events.Append(mixedGood).ToList();
        await using (var engine = RollupSinkTests.NewEngine(dir, maxLineBytes: 4096))
        {
            await engine.StartAsync();
            var source = new KafkaEventSource(engine, options);
            using var stop = new CancellationTokenSource();
            var run = source.RunAsync(stop.Token);
            await WaitUntil(() => source.Stats.Accepted == good.Count && source.Stats.DeadLetters == bad.Length, () => $"{source.Stats}");
            await stop.CancelAsync();
            await run;

            await engine.DrainAsync();
            var open = engine.QueryOpenWindows(new WindowQuery { Metrics = ["cost"], EventType = "usage" });
            var expected = TestEvents.Windows(good, TimeSpan.FromMinutes(1), e => e.Cost);
            Assert.Equal(expected.Count, open.Count);
            foreach (var (e, r) in expected.Zip(open))
            {
                Assert.Equal((e.Start, e.Provider, e.Region, e.Count, e.Sum, e.Min, e.Max), (r.Start, r.Series.Provider, r.Series.Region, r.EventCount, r.Metric("cost")!.Sum, r.Metric("cost")!.Min, r.Metric("cost")!.Max));
            }

            var letters = source.RecentDeadLetters;
            Assert.Equal(bad.Length, letters.Count);
            foreach (var b in bad)
            {
                var letter = Assert.Single(letters, l => (l.Partition, l.Offset) == where[b.Name]);
                Assert.Equal(topic, letter.Topic);
                Assert.Equal(b.Line, letter.Line);
                if (b.Field is not null)
                {
                    Assert.Equal(b.Field, letter.Field);
                }

                Assert.False(string.IsNullOrWhiteSpace(letter.Reason));
            }

            Assert.True(letters.Single(l => l.Offset == where["too long"].Offset && l.Partition == where["too long"].Partition).Payload.Length <= 64 * 1024);
            var fileLetters = File.ReadAllLines(deadFile).Select(l => JsonDocument.Parse(l).RootElement)
                .Select(j => (j.GetProperty("partition").GetInt32(), j.GetProperty("offset").GetInt64(), j.GetProperty("line").GetInt32(), j.GetProperty("reason").GetString()))
                .OrderBy(x => x).ToList();
            Assert.Equal(letters.Select(l => (l.Partition, l.Offset, l.Line, (string?)l.Reason)).OrderBy(x => x), fileLetters);
        }

        Assert.All(broker.Offsets(topic, options.GroupId), p => Assert.Equal(p.High, p.Committed));
    }

    [Fact]
    public async Task A_batch_read_again_after_a_crash_before_its_commit_counts_once()
    {
        var dir = RepoPaths.NewTempDir("kafka-replay");
        var topic = KafkaMockBroker.NewTopic("replay");
        var group = "g-" + topic;
        var events = TestEvents.Make(300, T0, TimeSpan.FromMinutes(2), seed: 5);
        await ProduceAsync(topic, events, perMessage: 2);
        var options = new KafkaSourceOptions { Brokers = [broker.Bootstrap], Topic = topic, GroupId = group };

        await using (var first = RollupSinkTests.NewEngine(dir))
        {
            await first.StartAsync();
            await RunUntilAsync(first, options, s => s.Accepted == events.Count);
        }

        // The events are durable in the engine's log and checkpoint. A group with no commits reads the topic from the
        // start, exactly what a crash before every commit would make the first group do.
        Assert.All(broker.Offsets(topic, group), p => Assert.Equal(p.High, p.Committed));
        options = options with { GroupId = group + "-uncommitted" };
        var more = TestEvents.Make(50, T0.AddSeconds(30), TimeSpan.FromSeconds(30), seed: 6, idPrefix: "more");
        await ProduceAsync(topic, more, perMessage: 1);

        await using var second = RollupSinkTests.NewEngine(dir);
        await second.StartAsync();
        var stats = await RunUntilAsync(second, options, s => s.Accepted + s.Duplicates == events.Count + more.Count);
        Assert.Equal(events.Count, stats.Duplicates);
        Assert.Equal(more.Count, stats.Accepted);

        await second.DrainAsync();
        var all = events.Concat(more).ToList();
        var expected = TestEvents.Windows(all, TimeSpan.FromMinutes(1), e => e.Cpu);
        var open = second.QueryOpenWindows(new WindowQuery { Metrics = ["cpu"] });
        Assert.Equal(expected.Select(e => (e.Start, e.Provider, e.Region, e.Count, e.Sum)),
            open.Select(r => (r.Start, r.Series.Provider, r.Series.Region, r.EventCount, r.Metric("cpu")!.Sum)));
    }

    [Fact]
    public async Task A_full_engine_buffer_pauses_the_partitions_and_loses_nothing()
    {
        var dir = RepoPaths.NewTempDir("kafka-backpressure");
        var topic = KafkaMockBroker.NewTopic("pressure");
        // In event-time order with no lateness, every minute boundary closes windows; the sink holds them until released,
        // so the workers stop, the 200-event buffer fills and the source must wait.
        var events = TestEvents.Make(3000, T0, TimeSpan.FromMinutes(10), seed: 9).OrderBy(e => e.Time).ToList();
        await ProduceAsync(topic, events, perMessage: 5, partition: 0); // one partition keeps event-time order
        var sink = new GatedSink();
        var options = new KafkaSourceOptions { Brokers = [broker.Bootstrap], Topic = topic, GroupId = "g-" + topic, MaxBatchEvents = 50 };
        await using var engine = RollupSinkTests.NewEngine(dir, sink, bufferSize: 200, sinkQueue: 1, lateness: TimeSpan.Zero);
        await engine.StartAsync();
        var source = new KafkaEventSource(engine, options);
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(stop.Token);
        await WaitUntil(() => source.Stats.BackpressurePauses > 0, () => $"{source.Stats}, buffered {engine.GetMetrics().BufferedEvents}");
        var acceptedWhileBlocked = source.Stats.Accepted;
        Assert.True(acceptedWhileBlocked < events.Count, $"{acceptedWhileBlocked}");
        sink.Open();
        await WaitUntil(() => source.Stats.Accepted == events.Count, () => $"{source.Stats}");
        await stop.CancelAsync();
        await run;
        await engine.DrainAsync();

        var counted = engine.QueryClosedWindows().Concat(engine.QueryOpenWindows()).Sum(w => w.EventCount);
        Assert.Equal(events.Count, counted);
        Assert.Equal(0, engine.GetMetrics().Late);
        Assert.Equal(events.Count, engine.GetMetrics().Accepted);
    }

    private async Task ProduceAsync(string topic, List<TestEvent> events, int perMessage, int? partition = null)
    {
        using var producer = broker.Producer();
        foreach (var chunk in events.Chunk(perMessage))
        {
            var message = new Message<Null, byte[]> { Value = TestEvents.Ndjson(chunk) };
            if (partition is { } p)
            {
                producer.Produce(new TopicPartition(topic, p), message);
            }
            else
            {
                producer.Produce(topic, message);
            }
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        await Task.CompletedTask;
    }

    private async Task<KafkaSourceStats> RunUntilAsync(RealtimeEngine engine, KafkaSourceOptions options, Func<KafkaSourceStats, bool> done)
    {
        var source = new KafkaEventSource(engine, options);
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(stop.Token);
        await WaitUntil(() => done(source.Stats), () => $"{source.Stats}");
        await stop.CancelAsync();
        await run;
        return source.Stats;
    }

    internal static async Task WaitUntil(Func<bool> condition, Func<string> state, int seconds = 60)
    {
        for (var i = 0; i < seconds * 20; i++)
        {
            if (condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"Condition not reached within {seconds} s; state: {state()}");
    }

    private sealed class GatedSink : IWindowSink
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async ValueTask WriteAsync(IReadOnlyList<WindowResult> results, CancellationToken cancellationToken) => await _open.Task.WaitAsync(cancellationToken);
    }
}
