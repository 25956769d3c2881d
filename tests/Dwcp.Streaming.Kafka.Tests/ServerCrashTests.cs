using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Confluent.Kafka;
using Dwcp.Tests;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>
/// Durability end to end: the real server runs as a child process, is killed with SIGKILL mid-stream (no shutdown, no
/// checkpoint), restarted on the same data folder, and every acknowledged event must be counted exactly once in the
/// rollups it writes. HTTP relies on the write-ahead log; Kafka on committing offsets only after that log is on disk.
/// The Kafka broker is librdkafka's mock cluster in its own process (<see cref="KafkaMockBroker"/>), which survives the kill.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class ServerCrashTests(KafkaMockBroker broker)
{
    private static readonly Dictionary<string, string> BaseEnv = new()
    {
        ["DWCP_STREAMING_WINDOW_SIZES"] = "1m",
        ["DWCP_STREAMING_ALLOWED_LATENESS"] = "3m",
        ["DWCP_STREAMING_PARALLELISM"] = "2",
    };

    [Fact]
    public async Task Acknowledged_http_events_survive_a_sigkill_and_count_exactly_once()
    {
        var data = RepoPaths.NewTempDir("crash-http");
        var t0 = TestEvents.MinutesAgo(15);
        var events = TestEvents.Make(4000, t0, TimeSpan.FromSeconds(90), seed: 21);
        var batches = events.Chunk(50).ToArray();
        var acked = new bool[batches.Length];
        var ackedCount = 0;

        var server = await ServerProcess.StartAsync(data, BaseEnv);
        var poster = Task.Run(async () =>
        {
            for (var i = 0; i < batches.Length; i++)
            {
                try
                {
                    var status = await PostAsync(server.Http, TestEvents.Ndjson(batches[i]));
                    acked[i] = status == HttpStatusCode.Accepted;
                    Interlocked.Increment(ref ackedCount);
                }
                catch (HttpRequestException)
                {
                    return; // the server is gone; this batch was not acknowledged
                }
            }
        });
        await KafkaEventSourceTests.WaitUntil(() => Volatile.Read(ref ackedCount) >= 30, () => $"acknowledged {ackedCount}");
        server.Kill();
        await poster;
        await server.DisposeAsync();
        var ackedEvents = batches.Where((_, i) => acked[i]).Sum(b => b.Length);
        Assert.True(ackedEvents < events.Count, "the kill came after the last batch; nothing was mid-stream");

        await using var restarted = await ServerProcess.StartAsync(data, BaseEnv);
        var recovered = await restarted.MetricAsync("dwcp_events_accepted_total");
        // Every acknowledged batch is back; at most the one batch in flight at the kill was logged without its 202.
        Assert.InRange(recovered, ackedEvents, ackedEvents + batches.Max(b => b.Length));

        // The client retries what was not acknowledged, and some acknowledged batches too: each event still counts once.
        for (var i = 0; i < batches.Length; i++)
        {
            if (!acked[i] || i % 7 == 0)
            {
                Assert.Equal(HttpStatusCode.Accepted, await PostAsync(restarted.Http, TestEvents.Ndjson(batches[i])));
            }
        }

        Assert.Equal(events.Count, await restarted.MetricAsync("dwcp_events_accepted_total"));
        await AssertRollupsAsync(restarted, events, t0);
    }

    [Fact]
    public async Task Kafka_events_survive_a_sigkill_of_the_consuming_server_and_count_exactly_once()
    {
        var data = RepoPaths.NewTempDir("crash-kafka");
        var topic = KafkaMockBroker.NewTopic("crash");
        var env = new Dictionary<string, string>(BaseEnv)
        {
            ["DWCP_STREAMING_KAFKA_BROKERS"] = broker.Bootstrap,
            ["DWCP_STREAMING_KAFKA_TOPIC"] = topic,
            ["DWCP_STREAMING_KAFKA_GROUP_ID"] = "g-" + topic,
            // The killed member stays in the group until its session times out; keep that short so the restart rejoins soon.
            ["DWCP_STREAMING_KAFKA_PROPERTIES"] = "session.timeout.ms=6000,heartbeat.interval.ms=500",
        };
        var t0 = TestEvents.MinutesAgo(15);
        var events = TestEvents.Make(6000, t0, TimeSpan.FromSeconds(90), seed: 22);
        var messages = new List<TestEvent[]>();
        var random = new Random(4);
        for (var i = 0; i < events.Count;)
        {
            var take = Math.Min(random.Next(1, 4), events.Count - i);
            messages.Add([.. events.Skip(i).Take(take)]);
            i += take;
        }

        using var producer = broker.Producer();
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = TestEvents.Ndjson(messages[0]) }); // creates the topic
        var produced = 1;
        var producing = Task.Run(async () =>
        {
            for (; produced < messages.Count; produced++)
            {
                producer.Produce(topic, new Message<Null, byte[]> { Value = TestEvents.Ndjson(messages[produced]) });
                if (produced % 50 == 0)
                {
                    producer.Flush(TimeSpan.FromSeconds(10));
                    await Task.Delay(10); // a steady stream, so the kill lands in the middle of it
                }
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        });

        var server = await ServerProcess.StartAsync(data, env);
        await KafkaEventSourceTests.WaitUntil(() => server.MetricAsync("dwcp_events_accepted_total").Result >= 1000, () => server.Output);
        var beforeKill = await server.MetricAsync("dwcp_events_accepted_total");
        server.Kill();
        Assert.True(beforeKill < events.Count, $"the server had consumed everything ({beforeKill}) before the kill");
        await server.DisposeAsync();
        await producing;

        await using var restarted = await ServerProcess.StartAsync(data, env);
        await KafkaEventSourceTests.WaitUntil(() => restarted.MetricAsync("dwcp_events_accepted_total").Result >= events.Count, () => restarted.Output);
        Assert.Equal(events.Count, await restarted.MetricAsync("dwcp_events_accepted_total"));
        await KafkaEventSourceTests.WaitUntil(() => broker.Offsets(topic, "g-" + topic).All(p => p.Committed == p.High), () => "offsets not committed");
        await AssertRollupsAsync(restarted, events, t0);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient http, byte[] body)
    {
        while (true)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var response = await http.PostAsync(new Uri("/api/v1/events", UriKind.Relative), content);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response.StatusCode;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Closes the windows with a later event and compares the stored rollups with LINQ over the events.</summary>
    private static async Task AssertRollupsAsync(ServerProcess server, List<TestEvent> events, DateTimeOffset t0)
    {
        var closer = new TestEvent("closer", t0.AddMinutes(6), "aws", "eu-west-1", 1, 1).Line().Replace("\"usage\"", "\"closer\"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(server.Http, System.Text.Encoding.UTF8.GetBytes(closer + "\n")));
        var expected = TestEvents.Windows(events, TimeSpan.FromMinutes(1), e => e.Cost);
        var uri = new Uri("/api/v1/stream/rollups?event_type=usage&metric=cost&window_size=00:01:00", UriKind.Relative);
        JsonElement rows = default;
        await KafkaEventSourceTests.WaitUntil(() =>
        {
            rows = JsonDocument.Parse(server.Http.GetStringAsync(uri).Result).RootElement.GetProperty("rows");
            return rows.GetArrayLength() >= expected.Count;
        }, () => $"{rows.GetArrayLength()} of {expected.Count} rollup rows");

        var actual = rows.EnumerateArray().Select(r => (
            r.GetProperty("window_start").GetDateTimeOffset(), r.GetProperty("provider").GetString(), r.GetProperty("region").GetString(),
            r.GetProperty("event_count").GetInt64(), r.GetProperty("sum").GetDouble(), r.GetProperty("min").GetDouble(), r.GetProperty("max").GetDouble()));
        Assert.Equal(expected.Select(e => (e.Start, (string?)e.Provider, (string?)e.Region, e.Count, e.Sum, e.Min, e.Max)), actual);
        Assert.Equal(events.Count, expected.Sum(e => e.Count));
    }
}
