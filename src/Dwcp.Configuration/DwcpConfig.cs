using System.Collections.ObjectModel;
using Dwcp.Core.Costs;

namespace Dwcp.Configuration;

/// <summary>Which analytics store holds the cost data.</summary>
public enum AnalyticsStore
{
    /// <summary>An embedded DuckDB database under <see cref="DwcpConfig.DataDir"/> (<c>duckdb</c>, the default).</summary>
    DuckDb,

    /// <summary>A ClickHouse server reached at <see cref="ClickHouseConfig.Url"/> (<c>clickhouse</c>).</summary>
    ClickHouse,
}

/// <summary>
/// ClickHouse's <c>distributed_product_mode</c> setting: how a subquery over a distributed table is run.
/// </summary>
public enum DistributedProductMode
{
    /// <summary><c>deny</c>: such subqueries are refused.</summary>
    Deny,

    /// <summary><c>local</c>: the subquery reads the local table on each shard.</summary>
    Local,

    /// <summary><c>global</c>: the subquery runs once and its result is sent to every shard (the default).</summary>
    Global,

    /// <summary><c>allow</c>: such subqueries run as written.</summary>
    Allow,
}

/// <summary>
/// The whole DWCP analytics configuration: the <c>analytics:</c> block of <c>dwcp.yaml</c> after defaults,
/// the file, environment variables and command-line overrides have been applied
/// (see <see cref="DwcpConfigLoader"/>). A fresh instance holds the defaults.
/// </summary>
public sealed record DwcpConfig
{
    /// <summary>The configuration with every key at its default.</summary>
    public static DwcpConfig Default { get; } = new();

    /// <summary><c>analytics.store</c>: which store holds the cost data. Default <see cref="AnalyticsStore.DuckDb"/>.</summary>
    public AnalyticsStore Store { get; init; } = AnalyticsStore.DuckDb;

    /// <summary><c>analytics.data_dir</c>: folder for local data (the DuckDB file, caches). Default <c>./.dwcp</c>.</summary>
    public string DataDir { get; init; } = "./.dwcp";

    /// <summary>
    /// <c>analytics.scope</c>: the raw scope text in <see cref="CostScope.Parse"/> syntax, e.g.
    /// <c>account=A|B;tag:Department=Eng</c>. Default <c>*</c> (everything).
    /// </summary>
    public string Scope { get; init; } = "*";

    /// <summary><c>analytics.streaming</c>: the streaming ingestion pipeline.</summary>
    public StreamingConfig Streaming { get; init; } = new();

    /// <summary><c>analytics.streaming.unknown_event_types</c>.</summary>
public enum UnknownEventTypes
{
    /// <summary>Accept every event type.</summary>
    Accept,

    /// <summary>Reject, with a per-line error, an event whose type is not in <c>allowed_event_types</c>.</summary>
    Reject,
}

/// <summary><c>analytics.clickhouse</c>: the ClickHouse connection and query tuning.</summary>
    public ClickHouseConfig ClickHouse { get; init; } = new();

    /// <summary><c>analytics.ml_models</c>: the forecasting and anomaly models.</summary>
    public MlModelsConfig MlModels { get; init; } = new();

    /// <summary><c>analytics.api</c>: the HTTP API.</summary>
    public ApiConfig Api { get; init; } = new();

    /// <summary><c>analytics.tags</c>: tag-key normalisation, inheritance and required keys.</summary>
    public TagsConfig Tags { get; init; } = new();

    /// <summary><c>analytics.anomalies</c>: where cost anomalies are sent.</summary>
    public AnomaliesConfig Anomalies { get; init; } = new();

    /// <summary><c>analytics.duckdb</c>: tuning of the embedded DuckDB store.</summary>
    public DuckDbConfig DuckDb { get; init; } = new();

    /// <summary><see cref="Scope"/> parsed into a <see cref="CostScope"/>.</summary>
    /// <exception cref="FormatException">The scope text is not valid.</exception>
    public CostScope ParseScope() => CostScope.Parse(Scope);

    /// <summary>
    /// Checks every value (ranges, formats) and the rules between keys: <c>store: clickhouse</c> needs
    /// <c>clickhouse.url</c>. The ClickHouse tuning keys never switch the store by themselves.
    /// </summary>
    /// <exception cref="ConfigException">A value or a combination of values is not allowed; the message says which key to change.</exception>
    public void Validate() => ConfigValidator.Validate(this, origins: null);
}

/// <summary><c>analytics.streaming</c>: the streaming ingestion pipeline.</summary>
public sealed record StreamingConfig
{
    private readonly ReadOnlyCollection<TimeSpan> _windowSizes =
        Array.AsReadOnly([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)]);

    /// <summary><c>buffer_size</c>: events held in memory before back-pressure. Default 10000; at least 1.</summary>
    public int BufferSize { get; init; } = 10_000;

    /// <summary><c>batch_timeout</c>: longest wait before a partial batch is flushed. Default 100ms; more than 0.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary><c>parallelism</c>: concurrent workers. Default 16; at least 1.</summary>
    public int Parallelism { get; init; } = 16;

    /// <summary><c>window_sizes</c>: the tumbling aggregation windows. Default 1m, 5m, 15m; at least one, each more than 0.</summary>
    public IReadOnlyList<TimeSpan> WindowSizes
    {
        get => _windowSizes;
        init => _windowSizes = Array.AsReadOnly((value ?? throw new ArgumentNullException(nameof(value))).ToArray());
    }

    /// <summary><c>max_latency_ms</c>: target end-to-end latency in milliseconds. Default 2000; at least 1.</summary>
    public int MaxLatencyMs { get; init; } = 2000;

    /// <summary><c>allowed_lateness</c>: how late an event may arrive and still count in its window. Default 30s; not negative.</summary>
    public TimeSpan AllowedLateness { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>admission_queue_delay_ms</c>: admission pacing target in milliseconds. While the oldest accepted batch not yet
    /// applied to the windows is older than this, a new batch waits for the workers (up to <see cref="AdmissionMaxWaitMs"/>)
    /// before it is accepted. Default 50; 0 turns pacing off; at most 60000.
    /// </summary>
    public int AdmissionQueueDelayMs { get; init; } = 50;

    /// <summary><c>admission_max_wait_ms</c>: longest a batch waits for pacing before it is accepted anyway, in milliseconds. Default 1000; 0 to 60000.</summary>
    public int AdmissionMaxWaitMs { get; init; } = 1000;

    /// <summary><c>sliding_windows</c>: sliding windows as <c>SIZE/SLIDE</c> (e.g. <c>10m/1m</c>: a 10-minute window every
    /// minute); the slide must divide the size. Default none.</summary>
    public IReadOnlyList<string> SlidingWindows { get; init; } = [];

    /// <summary><c>group_by</c>: the dimensions a series is keyed by: <c>resource_id</c>, <c>provider</c>, <c>region</c>,
    /// <c>service</c>, <c>account</c>, <c>tag:KEY</c>. Default provider, region, service, account.</summary>
    public IReadOnlyList<string> GroupBy { get; init; } = ["provider", "region", "service", "account"];

    /// <summary><c>duplicate_retention</c>: how long (event time) an <c>event_id</c> is remembered for duplicate detection. Default 2m; more than 0.</summary>
    public TimeSpan DuplicateRetention { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>dedup_memory_budget</c>: bytes the duplicate filter may use (about 32 bytes per remembered id). Default 64MiB; at least 1MB.</summary>
    public long DedupMemoryBudget { get; init; } = 64L * 1024 * 1024;

    /// <summary><c>unknown_event_types</c>: what happens to an event whose type is not in <see cref="AllowedEventTypes"/>. Default accept.</summary>
    public UnknownEventTypes UnknownEventTypes { get; init; } = UnknownEventTypes.Accept;

    /// <summary><c>allowed_event_types</c>: the known event types (used when <see cref="UnknownEventTypes"/> is reject). Default usage, cost, metric.</summary>
    public IReadOnlyList<string> AllowedEventTypes { get; init; } = ["usage", "cost", "metric"];

    /// <summary><c>max_line_bytes</c>: the longest NDJSON line (one event) accepted. Default 1MiB; 1KB to 64MB.</summary>
    public long MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary><c>max_future_skew</c>: how far past the server's clock an event time may be. Default 5m; not negative.</summary>
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary><c>aggregations</c>: custom aggregations, each its JSON description
    /// (<c>{"name":"…","type":"weighted_average",…}</c>, see docs/streaming.md). Default none.</summary>
    public IReadOnlyList<string> Aggregations { get; init; } = [];

    /// <summary><c>kafka_brokers</c>: bootstrap brokers (<c>host:port</c>) of the Kafka source. Default none: no Kafka source runs.</summary>
    public IReadOnlyList<string> KafkaBrokers { get; init; } = [];

    /// <summary><c>kafka_topic</c>: the topic of NDJSON events. Default <c>dwcp-events</c>.</summary>
    public string KafkaTopic { get; init; } = "dwcp-events";

    /// <summary><c>kafka_group_id</c>: the consumer group. Default <c>dwcp-analytics</c>.</summary>
    public string KafkaGroupId { get; init; } = "dwcp-analytics";

    /// <summary><c>kafka_properties</c>: further librdkafka settings as <c>key=value</c> (security, TLS, SASL). Default none.</summary>
    public IReadOnlyList<string> KafkaProperties { get; init; } = [];

    /// <summary><c>kafka_dead_letter_file</c>: NDJSON file for bad Kafka messages. Default none: <c>stream/kafka-dead-letters.ndjson</c> in the data folder.</summary>
    public string? KafkaDeadLetterFile { get; init; }

    /// <summary>Value equality, comparing <see cref="WindowSizes"/> element by element.</summary>
    public bool Equals(StreamingConfig? other) =>
        other is not null
        && BufferSize == other.BufferSize
        && BatchTimeout == other.BatchTimeout
        && Parallelism == other.Parallelism
        && WindowSizes.SequenceEqual(other.WindowSizes)
        && MaxLatencyMs == other.MaxLatencyMs
        && AllowedLateness == other.AllowedLateness
        && AdmissionQueueDelayMs == other.AdmissionQueueDelayMs
        && AdmissionMaxWaitMs == other.AdmissionMaxWaitMs
        && SlidingWindows.SequenceEqual(other.SlidingWindows)
        && GroupBy.SequenceEqual(other.GroupBy)
        && DuplicateRetention == other.DuplicateRetention
        && DedupMemoryBudget == other.DedupMemoryBudget
        && UnknownEventTypes == other.UnknownEventTypes
        && AllowedEventTypes.SequenceEqual(other.AllowedEventTypes)
        && MaxLineBytes == other.MaxLineBytes
        && MaxFutureSkew == other.MaxFutureSkew
        && Aggregations.SequenceEqual(other.Aggregations)
        && KafkaBrokers.SequenceEqual(other.KafkaBrokers)
        && KafkaTopic == other.KafkaTopic
        && KafkaGroupId == other.KafkaGroupId
        && KafkaProperties.SequenceEqual(other.KafkaProperties)
        && KafkaDeadLetterFile == other.KafkaDeadLetterFile;

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(BufferSize);
        hash.Add(BatchTimeout);
        hash.Add(Parallelism);
        foreach (var window in WindowSizes)
        {
            hash.Add(window);
        }

        hash.Add(MaxLatencyMs);
        hash.Add(AllowedLateness);
        hash.Add(AdmissionQueueDelayMs);
        hash.Add(AdmissionMaxWaitMs);
        hash.Add(DuplicateRetention);
        hash.Add(DedupMemoryBudget);
        hash.Add(UnknownEventTypes);
        hash.Add(MaxLineBytes);
        hash.Add(MaxFutureSkew);
        hash.Add(KafkaTopic);
        hash.Add(KafkaGroupId);
        return hash.ToHashCode();
    }
}

/// <summary><c>analytics.streaming.unknown_event_types</c>.</summary>
public enum UnknownEventTypes
{
    /// <summary>Accept every event type.</summary>
    Accept,

    /// <summary>Reject, with a per-line error, an event whose type is not in <c>allowed_event_types</c>.</summary>
    Reject,
}

/// <summary><c>analytics.clickhouse</c>: the ClickHouse connection and query tuning. Used only when <see cref="DwcpConfig.Store"/> is ClickHouse.</summary>
public sealed record ClickHouseConfig
{
    /// <summary><c>url</c>: the ClickHouse HTTP endpoint, e.g. <c>http://localhost:8123</c>. Default none; required by <c>store: clickhouse</c>.</summary>
    public Uri? Url { get; init; }

    /// <summary><c>max_threads</c>: ClickHouse's <c>max_threads</c> for DWCP queries. Default 8; at least 1.</summary>
    public int MaxThreads { get; init; } = 8;

    /// <summary><c>max_memory_usage</c>: ClickHouse's <c>max_memory_usage</c> in bytes. Default 10GB (10^10 bytes); 0 means no limit.</summary>
    public long MaxMemoryUsage { get; init; } = 10_000_000_000;

    /// <summary><c>distributed_product_mode</c>: ClickHouse's setting of that name. Default <see cref="DistributedProductMode.Global"/>.</summary>
    public DistributedProductMode DistributedProductMode { get; init; } = DistributedProductMode.Global;
}

/// <summary><c>analytics.ml_models</c>: the forecasting and anomaly models.</summary>
public sealed record MlModelsConfig
{
    /// <summary><c>batch_size</c>: rows scored per model call. Default 1024; at least 1.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary><c>num_workers</c>: concurrent scoring workers. Default 4; at least 1.</summary>
    public int NumWorkers { get; init; } = 4;

    /// <summary><c>gpu_enabled</c>: whether models may use a GPU. Default true.</summary>
    public bool GpuEnabled { get; init; } = true;
}

/// <summary><c>analytics.tags</c>: how tag keys are normalised (see <see cref="TagPolicy"/>).</summary>
public sealed record TagsConfig
{
    /// <summary>Keys that differ only in case are one key (default false: opt in, then re-import to restate older data).</summary>
    public bool CaseInsensitive { get; init; }

    /// <summary>Entries <c>alias=Canonical</c>, e.g. <c>dept=Department</c>.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Keys every cost should carry (the coverage report's default).</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>Entries <c>ACCOUNT_ID:Key=Value</c>: rows of that billing account or sub-account lacking Key inherit Value.</summary>
    public IReadOnlyList<string> Inherit { get; init; } = [];

    /// <summary>The policy these settings describe.</summary>
    public TagPolicy ToPolicy() => new(
        Aliases.Select(ParseAlias).ToDictionary(a => a.Alias, a => a.Target, StringComparer.OrdinalIgnoreCase),
        CaseInsensitive,
        Required,
        Inherit.Select(ParseInherit).ToArray());

    /// <inheritdoc />
    public bool Equals(TagsConfig? other) =>
        other is not null && CaseInsensitive == other.CaseInsensitive && Aliases.SequenceEqual(other.Aliases) &&
        Required.SequenceEqual(other.Required) && Inherit.SequenceEqual(other.Inherit);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CaseInsensitive, Aliases.Count, Required.Count, Inherit.Count);

    /// <summary>Parses <c>alias=Canonical</c>.</summary>
    public static (string Alias, string Target) ParseAlias(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && eq < entry.Length - 1
            ? (entry[..eq].Trim(), entry[(eq + 1)..].Trim())
            : throw new FormatException($"'{entry}' is not alias=Canonical (e.g. dept=Department)");
    }

    /// <summary>Parses <c>ACCOUNT_ID:Key=Value</c>.</summary>
    public static InheritedTag ParseInherit(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        var eq = entry.IndexOf('=', colon + 1);
        return colon > 0 && eq > colon + 1 && eq < entry.Length - 1
            ? new InheritedTag(entry[..colon].Trim(), entry[(colon + 1)..eq].Trim(), entry[(eq + 1)..].Trim())
            : throw new FormatException($"'{entry}' is not ACCOUNT_ID:Key=Value (e.g. 123456789012:CostCenter=CC-7)");
    }
}

/// <summary><c>analytics.api</c>: the HTTP API.</summary>
public sealed record ApiConfig
{
    private readonly ReadOnlyCollection<string> _urls = Array.AsReadOnly(["http://127.0.0.1:8080"]);

    /// <summary><c>query_timeout</c>: longest time one query may run. Default 30s; more than 0.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary><c>max_results</c>: most rows one answer may hold. Default 10000; at least 1.</summary>
    public int MaxResults { get; init; } = 10_000;

    /// <summary><c>cache_enabled</c>: whether answers are cached. Default true.</summary>
    public bool CacheEnabled { get; init; } = true;

    /// <summary>
    /// <c>urls</c>: the addresses the API listens on, in ASP.NET Core form (<c>http://host:port</c>; the host may be
    /// <c>*</c> or <c>+</c> for every interface). Default <c>http://127.0.0.1:8080</c>; at least one.
    /// </summary>
    public IReadOnlyList<string> Urls
    {
        get => _urls;
        init => _urls = Array.AsReadOnly((value ?? throw new ArgumentNullException(nameof(value))).ToArray());
    }

    /// <summary>Value equality, comparing <see cref="Urls"/> element by element.</summary>
    public bool Equals(ApiConfig? other) =>
        other is not null
        && QueryTimeout == other.QueryTimeout
        && MaxResults == other.MaxResults
        && CacheEnabled == other.CacheEnabled
        && Urls.SequenceEqual(other.Urls, StringComparer.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(QueryTimeout);
        hash.Add(MaxResults);
        hash.Add(CacheEnabled);
        foreach (var url in Urls)
        {
            hash.Add(url, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }
}

/// <summary><c>analytics.anomalies</c>: delivery of cost anomalies.</summary>
public sealed record AnomaliesConfig
{
    /// <summary><c>webhook_url</c>: where new anomalies are POSTed as JSON. Default none: no webhook.</summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary><c>webhook_retries</c>: retries after a failed POST, with exponential backoff. Default 3; not negative.</summary>
    public int WebhookRetries { get; init; } = 3;

    /// <summary><c>check_interval</c>: how often the server runs cost-anomaly detection besides after each import. Default 6h; 0 = only after imports.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromHours(6);

    /// <summary><c>fp_rate</c>: target false-positive rate α of live detection (cost checks and stream windows). Default 0.05; between 0 and 1.</summary>
    public double FpRate { get; init; } = 0.05;

    /// <summary><c>min_impact</c>: the materiality floor's smallest dollar impact |actual − expected| of a reported cost anomaly, in the series' currency. Default 10; 0 or more (0 = no absolute floor).</summary>
    public decimal MinImpact { get; init; } = 10m;

    /// <summary><c>min_share</c>: the materiality floor's smallest impact as a share of the series' typical daily spend (median of the 28 days before). Default 0.10; between 0 and 1 (0 = no relative floor).</summary>
    public double MinShare { get; init; } = 0.10;

    /// <summary><c>max_stream_series</c>: most stream series (metric × series × window size) with a live detector; the least recently updated is evicted. Default 10000.</summary>
    public int MaxStreamSeries { get; init; } = 10_000;

    /// <summary><c>stream_multivariate</c>: also score each closed window's metrics together (one multivariate detector per series and window size) and publish broken relationships. Default true.</summary>
    public bool StreamMultivariate { get; init; } = true;

    /// <summary><c>max_multivariate_metrics</c>: most metrics of a window scored together (the first ones by name). Default 16; 2 to 32.</summary>
    public int MaxMultivariateMetrics { get; init; } = 16;
}

/// <summary>How the DuckDB store compresses strings (<c>analytics.duckdb.string_compression</c>).</summary>
public enum DuckDbStringCompression
{
    /// <summary><c>fast</c>: dictionary and run-length only; loads use about a third less CPU, files are larger.</summary>
    Fast,

    /// <summary><c>compact</c>: DuckDB's default including FSST; the smallest files, the slowest loads.</summary>
    Compact,
}

/// <summary><c>analytics.duckdb</c>: tuning of the embedded DuckDB store.</summary>
public sealed record DuckDbConfig
{
    /// <summary><c>memory_limit</c>: DuckDB's buffer pool while no load runs, in bytes. Default 1GB.</summary>
    public long MemoryLimit { get; init; } = 1_000_000_000;

    /// <summary><c>load_memory_limit</c>: the buffer pool while a load runs, in bytes. Default 128MB.</summary>
    public long LoadMemoryLimit { get; init; } = 128_000_000;

    /// <summary><c>string_compression</c>: <c>fast</c> (default) or <c>compact</c>.</summary>
    public DuckDbStringCompression StringCompression { get; init; } = DuckDbStringCompression.Fast;
}
