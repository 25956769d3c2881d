using System.Diagnostics;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Dwcp.Tests;

namespace Dwcp.Streaming.Kafka.Tests;

/// <summary>
/// The Kafka broker of these tests. No Kafka broker package exists on this machine, so unless
/// <c>KAFKA_TEST_BOOTSTRAP</c> names a real cluster, this starts librdkafka's mock cluster (which speaks the real Kafka
/// protocol) hosted by <c>kcat</c> in a separate process group (so killing the platform never kills the broker), reads
/// its bootstrap address from kcat's log and stops it by PID on dispose. Needs <c>kcat</c> (apt-get install -y kcat).
/// </summary>
public sealed partial class KafkaMockBroker : IDisposable
{
    private readonly Process? _host;

    /// <summary>Starts the mock (or uses <c>KAFKA_TEST_BOOTSTRAP</c>).</summary>
    public KafkaMockBroker()
    {
        if (Environment.GetEnvironmentVariable("KAFKA_TEST_BOOTSTRAP") is { Length: > 0 } external)
        {
            Bootstrap = external;
            return;
        }

        var dir = RepoPaths.NewTempDir("kafka-mock");
        var log = Path.Combine(dir, "mock.log");
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        psi.ArgumentList.Add("bash");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"sleep 900 | kcat -b 127.0.0.1:1 -X test.mock.num.brokers=1 -P -t hold > '{log}' 2>&1");
        try
        {
            _host = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("Cannot start the Kafka mock: setsid/bash not found. Install util-linux and kcat, or set KAFKA_TEST_BOOTSTRAP to a broker.", ex);
        }

        for (var i = 0; i < 200; i++)
        {
            if (File.Exists(log) && PortPattern().Match(File.ReadAllText(log)) is { Success: true } m)
            {
                Bootstrap = "127.0.0.1:" + m.Groups[1].Value;
                return;
            }

            if (_host.HasExited)
            {
                break;
            }

            Thread.Sleep(50);
        }

        var text = File.Exists(log) ? File.ReadAllText(log) : "(no log)";
        Dispose();
        throw new InvalidOperationException($"The kcat-hosted Kafka mock did not report its port within 10 s. Is kcat installed (apt-get install -y kcat)? Log: {text}");
    }

    /// <summary>The bootstrap address, <c>host:port</c>.</summary>
    public string Bootstrap { get; } = "";

    /// <summary>A new topic name (the mock auto-creates topics with 4 partitions on first use).</summary>
    /// <param name="prefix">Readable prefix.</param>
    /// <returns>The name.</returns>
    public static string NewTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>A producer with acks=all.</summary>
    /// <returns>The producer.</returns>
    public IProducer<Null, byte[]> Producer() =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig { BootstrapServers = Bootstrap, Acks = Acks.All, LingerMs = 2 }).Build();

    /// <summary>The committed offsets of a group on a topic's partitions, next to their high watermarks.</summary>
    /// <param name="topic">Topic.</param>
    /// <param name="group">Consumer group.</param>
    /// <param name="partitions">Partition count.</param>
    /// <returns>(partition, committed, high watermark) per partition.</returns>
    public List<(int Partition, long Committed, long High)> Offsets(string topic, string group, int partitions = 4)
    {
        using var c = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = Bootstrap, GroupId = group, EnableAutoCommit = false }).Build();
        var tps = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
        var committed = c.Committed(tps, TimeSpan.FromSeconds(10));
        return [.. committed.Select(tpo => (tpo.Partition.Value, tpo.Offset.Value, c.QueryWatermarkOffsets(tpo.TopicPartition, TimeSpan.FromSeconds(10)).High.Value))];
    }

    /// <summary>Stops the mock by the PID of the process tree this fixture started.</summary>
    public void Dispose()
    {
        if (_host is { HasExited: false })
        {
            _host.Kill(entireProcessTree: true);
            _host.WaitForExit(5000);
        }

        _host?.Dispose();
    }

    [GeneratedRegex(@"replaced with 127\.0\.0\.1:(\d+)")]
    private static partial Regex PortPattern();
}

/// <summary>One mock broker for all tests of this assembly's Kafka collection.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaMockBroker>
{
    /// <summary>The collection name.</summary>
    public const string Name = "kafka";
}
