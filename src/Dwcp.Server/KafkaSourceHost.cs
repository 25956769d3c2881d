using Dwcp.Streaming.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dwcp.Server;

/// <summary>
/// Runs the <see cref="KafkaEventSource"/> while the server runs, when <c>analytics.streaming.kafka_brokers</c> is set.
/// Registered after <see cref="RealtimeEngineHost"/>, so it starts after the engine's log recovery and stops before the
/// engine's final checkpoint. A failed source (e.g. bad credentials) is logged and retried every 5 s.
/// </summary>
internal sealed class KafkaSourceHost(RealtimeEngineHost engineHost, DwcpServerOptions options, TimeProvider time, ILogger<KafkaSourceHost> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private int _disposed;

    /// <summary>The running source (null before start or between retries).</summary>
    public KafkaEventSource? Source { get; private set; }

    /// <summary>The options a data folder and the configuration's Kafka keys give (dead letters default to the stream folder).</summary>
    public static KafkaSourceOptions? OptionsFrom(Dwcp.Configuration.StreamingConfig config, string dataDir) =>
        config.KafkaBrokers.Count == 0
            ? null
            : new KafkaSourceOptions
            {
                Brokers = config.KafkaBrokers,
                Topic = config.KafkaTopic,
                GroupId = config.KafkaGroupId,
                Properties = KafkaSourceOptions.ParseProperties(config.KafkaProperties),
                DeadLetterPath = config.KafkaDeadLetterFile ?? Path.Combine(dataDir, "stream", "kafka-dead-letters.ndjson"),
                MaxBatchWait = config.BatchTimeout, // analytics.streaming.batch_timeout: longest wait before a partial batch is handed on
            };

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Kafka is { } kafka)
        {
            kafka.Validate(); // bad configuration fails the start, with the key to fix
            _loop = RunAsync(kafka, _stopping.Token);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may stop twice (StopApplication, then Dispose): the second stop finds the token disposed and has
        // nothing left to do.
        if (Volatile.Read(ref _disposed) == 0)
        {
            await _stopping.CancelAsync();
        }

        await _loop.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }

    private async Task RunAsync(KafkaSourceOptions kafka, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                Source = new KafkaEventSource(engineHost.Engine, kafka, timeProvider: time, log: m => logger.LogWarning("{Message}", m));
                logger.LogInformation("Kafka source reading {Topic} as group {Group} from {Brokers}", kafka.Topic, kafka.GroupId, string.Join(',', kafka.Brokers));
                await Source.RunAsync(stopping);
            }
#pragma warning disable CA1031 // the server keeps serving HTTP; the source is retried and the failure logged
            catch (Exception ex) when (!stopping.IsCancellationRequested)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Kafka source failed; retrying in 5 s");
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
