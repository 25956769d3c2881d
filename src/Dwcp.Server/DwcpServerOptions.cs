using Dwcp.Configuration;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Cost.Anomalies;

namespace Dwcp.Server;

/// <summary>How to run the server. The CLI fills it from dwcp.yaml, the environment and flags.</summary>
public sealed record DwcpServerOptions
{
    /// <summary>The data folder (holds dwcp.duckdb and server.json).</summary>
    public string DataDir { get; init; } = "./.dwcp";

    /// <summary>Listen URLs, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The local user's scope.</summary>
    public CostScope Scope { get; init; } = CostScope.Everything;

    /// <summary>The ClickHouse store to use instead of the embedded DuckDB file, or null for DuckDB (<c>analytics.store</c>).</summary>
    public Dwcp.Storage.ClickHouse.ClickHouseStoreOptions? ClickHouse { get; init; }

    /// <summary>Tuning of the embedded DuckDB store (<c>analytics.duckdb</c>).</summary>
    public Dwcp.Storage.DuckDb.DuckDbStoreOptions DuckDb { get; init; } = Dwcp.Storage.DuckDb.DuckDbStoreOptions.Default;

    /// <summary>The real-time engine's settings (<c>analytics.streaming</c>); its write-ahead log goes to <c>stream/</c> in the data folder.</summary>
    public Dwcp.Streaming.StreamingConfig Streaming { get; init; } = new();

    /// <summary>Custom aggregations of the configuration (<c>analytics.streaming.aggregations</c>), each as its JSON
    /// description (<see cref="Dwcp.Streaming.AggregationJson"/>); registered before the engine starts.</summary>
    public IReadOnlyList<string> CustomAggregations { get; init; } = [];

    /// <summary>The Kafka source (<c>analytics.streaming.kafka_*</c>), or null when no brokers are configured.</summary>
    public Dwcp.Streaming.Kafka.KafkaSourceOptions? Kafka { get; init; }

    /// <summary>Query limits.</summary>
    public CostQueryOptions Query { get; init; } = new();

    /// <summary>Live anomaly alerts (<c>analytics.anomalies</c>): checks, stream detectors, webhook.</summary>
    public AnomalyAlertOptions Anomalies { get; init; } = new();

    /// <summary>Write <c>server.json</c> into the data folder so other commands find this server.</summary>
    public bool WriteServerFile { get; init; } = true;

    /// <summary>Folder of the built dashboard; default: <c>wwwroot</c> next to the binaries.</summary>
    public string? WebRoot { get; init; }

    /// <summary>The configuration sources, shown by /health (key → where its value came from).</summary>
    public IReadOnlyDictionary<string, string> ConfigSources { get; init; } = new Dictionary<string, string>();

    /// <summary>The options a loaded configuration (dwcp.yaml, environment, flags) describes.</summary>
    public static DwcpServerOptions FromConfig(LoadedConfig loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var c = loaded.Config;
        return new DwcpServerOptions
        {
            DataDir = Path.GetFullPath(c.DataDir),
            Urls = string.Join(';', c.Api.Urls),
            Scope = c.ParseScope(),
            Query = new CostQueryOptions { QueryTimeout = c.Api.QueryTimeout, MaxResults = c.Api.MaxResults, TagPolicy = c.Tags.ToPolicy() },
            ConfigSources = loaded.Sources,
            Anomalies = new AnomalyAlertOptions
            {
                WebhookUrl = c.Anomalies.WebhookUrl,
                WebhookRetries = c.Anomalies.WebhookRetries,
                CheckInterval = c.Anomalies.CheckInterval,
                FpRate = c.Anomalies.FpRate,
                Materiality = new AnomalyMateriality(c.Anomalies.MinImpact, c.Anomalies.MinShare),
                MaxStreamSeries = c.Anomalies.MaxStreamSeries,
                StreamMultivariate = c.Anomalies.StreamMultivariate,
                MaxMultivariateMetrics = c.Anomalies.MaxMultivariateMetrics,
            },
            DuckDb = new Dwcp.Storage.DuckDb.DuckDbStoreOptions
            {
                // Both count in powers of 1000 (1GB = 1,000,000KB), so whole KB keep the value the user gave.
                MemoryLimit = $"{c.DuckDb.MemoryLimit / 1000}KB",
                LoadMemoryLimit = $"{c.DuckDb.LoadMemoryLimit / 1000}KB",
                StringCompression = c.DuckDb.StringCompression == DuckDbStringCompression.Compact
                    ? Dwcp.Storage.DuckDb.StringCompression.Compact
                    : Dwcp.Storage.DuckDb.StringCompression.Fast,
            },
            Kafka = KafkaSourceHost.OptionsFrom(c.Streaming, Path.GetFullPath(c.DataDir)),
            Streaming = new Dwcp.Streaming.StreamingConfig
            {
                WindowSizes = c.Streaming.WindowSizes,
                BufferSize = c.Streaming.BufferSize,
                MaxLatencyMs = c.Streaming.MaxLatencyMs,
                AllowedLateness = c.Streaming.AllowedLateness,
                AdmissionQueueDelay = TimeSpan.FromMilliseconds(c.Streaming.AdmissionQueueDelayMs),
                AdmissionMaxWait = TimeSpan.FromMilliseconds(c.Streaming.AdmissionMaxWaitMs),
                ParallelismFactor = Math.Min(c.Streaming.Parallelism, Environment.ProcessorCount),
                SlidingWindows = [.. c.Streaming.SlidingWindows.Select(SlidingWindowOf)],
                GroupBy = c.Streaming.GroupBy,
                DuplicateRetention = c.Streaming.DuplicateRetention,
                DedupMemoryBudgetBytes = c.Streaming.DedupMemoryBudget,
                Parser = new Dwcp.Streaming.ParserOptions
                {
                    MaxLineBytes = (int)c.Streaming.MaxLineBytes,
                    MaxFutureSkew = c.Streaming.MaxFutureSkew,
                    UnknownEventTypes = c.Streaming.UnknownEventTypes == UnknownEventTypes.Reject
                        ? Dwcp.Streaming.UnknownEventTypePolicy.Reject
                        : Dwcp.Streaming.UnknownEventTypePolicy.Accept,
                    AllowedEventTypes = c.Streaming.AllowedEventTypes,
                },
            },
            CustomAggregations = c.Streaming.Aggregations,
            ClickHouse = c.Store == AnalyticsStore.ClickHouse && c.ClickHouse.Url is { } url
                ? new Dwcp.Storage.ClickHouse.ClickHouseStoreOptions
                {
                    Urls = [url],
                    QueryTimeout = c.Api.QueryTimeout,
                    Settings = new Dictionary<string, string>
                    {
                        // The guide's tuning keys apply as query settings; they never choose the backend.
                        ["max_threads"] = c.ClickHouse.MaxThreads.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["max_memory_usage"] = c.ClickHouse.MaxMemoryUsage.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["distributed_product_mode"] = c.ClickHouse.DistributedProductMode.ToString().ToLowerInvariant(),
                    },
                }
                : null,
        };
    }

    private static Dwcp.Streaming.SlidingWindow SlidingWindowOf(string text) =>
        Dwcp.Configuration.StreamingSettings.TryParseSlidingWindow(text, out var size, out var slide)
            ? new Dwcp.Streaming.SlidingWindow(size, slide)
            : throw new ArgumentException($"analytics.streaming.sliding_windows: '{text}' is not SIZE/SLIDE.");

    /// <summary>Opens the configured store: ClickHouse when <see cref="ClickHouse"/> is set, else the DuckDB file in <see cref="DataDir"/>.</summary>
    public Dwcp.Storage.ICostStore OpenStore(TimeProvider? time = null) =>
        ClickHouse is { } ch
            ? Dwcp.Storage.ClickHouse.ClickHouseCostStore.Open(ch, time)
            : Dwcp.Storage.DuckDb.DuckDbCostStore.Open(DataDir, time, DuckDb);
}
