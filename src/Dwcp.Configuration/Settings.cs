using System.Globalization;
using Dwcp.Core.Costs;

namespace Dwcp.Configuration;

/// <summary>Every key of the <c>analytics:</c> block, in the order of the documentation.</summary>
internal static class Settings
{
    /// <summary>All leaf keys.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        Setting.Single(
            "store",
            ValueKinds.Enum("a known store", ("duckdb", AnalyticsStore.DuckDb), ("clickhouse", AnalyticsStore.ClickHouse)),
            "duckdb",
            c => c.Store,
            (c, v) => c with { Store = (AnalyticsStore)v! }),
        Setting.Single(
            "data_dir", ValueKinds.Text, "./.dwcp",
            c => c.DataDir,
            (c, v) => c with { DataDir = (string)v! },
            NotBlank),
        Setting.Single(
            "scope", ValueKinds.Text, "account=A|B;tag:Department=Eng",
            c => c.Scope,
            (c, v) => c with { Scope = (string)v! },
            ValidScope),

        Setting.Single(
            "streaming.buffer_size", ValueKinds.Integer, "10000",
            c => c.Streaming.BufferSize,
            (c, v) => c with { Streaming = c.Streaming with { BufferSize = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "streaming.batch_timeout", ValueKinds.Duration, "100ms",
            c => c.Streaming.BatchTimeout,
            (c, v) => c with { Streaming = c.Streaming with { BatchTimeout = (TimeSpan)v! } },
            PositiveDuration),
        Setting.Single(
            "streaming.parallelism", ValueKinds.Integer, "16",
            c => c.Streaming.Parallelism,
            (c, v) => c with { Streaming = c.Streaming with { Parallelism = (int)v! } },
            AtLeast(1)),
        Setting.List<TimeSpan>(
            "streaming.window_sizes", ValueKinds.Duration, "1m, 5m, 15m",
            c => c.Streaming.WindowSizes,
            (c, v) => c with { Streaming = c.Streaming with { WindowSizes = (TimeSpan[])v! } },
            PositiveDuration),
        Setting.Single(
            "streaming.max_latency_ms", ValueKinds.Integer, "2000",
            c => c.Streaming.MaxLatencyMs,
            (c, v) => c with { Streaming = c.Streaming with { MaxLatencyMs = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "streaming.allowed_lateness", ValueKinds.Duration, "30s",
            c => c.Streaming.AllowedLateness,
            (c, v) => c with { Streaming = c.Streaming with { AllowedLateness = (TimeSpan)v! } },
            NonNegativeDuration),
        Setting.Single(
            "streaming.admission_queue_delay_ms", ValueKinds.Integer, "50",
            c => c.Streaming.AdmissionQueueDelayMs,
            (c, v) => c with { Streaming = c.Streaming with { AdmissionQueueDelayMs = (int)v! } },
            Milliseconds("0 turns admission pacing off")),
        Setting.Single(
            "streaming.admission_max_wait_ms", ValueKinds.Integer, "1000",
            c => c.Streaming.AdmissionMaxWaitMs,
            (c, v) => c with { Streaming = c.Streaming with { AdmissionMaxWaitMs = (int)v! } },
            Milliseconds("0 accepts at once")),
        Setting.List<string>(
            "streaming.sliding_windows", ValueKinds.Text, "10m/1m, 1h/5m",
            c => c.Streaming.SlidingWindows,
            (c, v) => c with { Streaming = c.Streaming with { SlidingWindows = (string[]?)v ?? [] } },
            v => StreamingSettings.SlidingWindowProblem((string)v),
            allowsEmpty: true),
        Setting.List<string>(
            "streaming.group_by", ValueKinds.Text, "provider, region, service, account",
            c => c.Streaming.GroupBy,
            (c, v) => c with { Streaming = c.Streaming with { GroupBy = (string[])v! } },
            v => StreamingSettings.GroupByProblem((string)v)),
        Setting.Single(
            "streaming.duplicate_retention", ValueKinds.Duration, "2m",
            c => c.Streaming.DuplicateRetention,
            (c, v) => c with { Streaming = c.Streaming with { DuplicateRetention = (TimeSpan)v! } },
            PositiveDuration),
        Setting.Single(
            "streaming.dedup_memory_budget", ValueKinds.Size, "64MiB",
            c => c.Streaming.DedupMemoryBudget,
            (c, v) => c with { Streaming = c.Streaming with { DedupMemoryBudget = (long)v! } },
            AtLeastBytes(1_000_000)),
        Setting.Single(
            "streaming.unknown_event_types",
            ValueKinds.Enum("accept or reject", ("accept", UnknownEventTypes.Accept), ("reject", UnknownEventTypes.Reject)),
            "accept",
            c => c.Streaming.UnknownEventTypes,
            (c, v) => c with { Streaming = c.Streaming with { UnknownEventTypes = (UnknownEventTypes)v! } }),
        Setting.List<string>(
            "streaming.allowed_event_types", ValueKinds.Text, "usage, cost, metric",
            c => c.Streaming.AllowedEventTypes,
            (c, v) => c with { Streaming = c.Streaming with { AllowedEventTypes = (string[])v! } },
            NotBlank),
        Setting.Single(
            "streaming.max_line_bytes", ValueKinds.Size, "1MiB",
            c => c.Streaming.MaxLineBytes,
            (c, v) => c with { Streaming = c.Streaming with { MaxLineBytes = (long)v! } },
            v => (long)v is >= 1_000 and <= 64_000_000 ? null : $"must be 1KB to 64MB but is {((long)v).ToString(CultureInfo.InvariantCulture)} bytes"),
        Setting.Single(
            "streaming.max_future_skew", ValueKinds.Duration, "5m",
            c => c.Streaming.MaxFutureSkew,
            (c, v) => c with { Streaming = c.Streaming with { MaxFutureSkew = (TimeSpan)v! } },
            NonNegativeDuration),
        Setting.List<string>(
            "streaming.aggregations", ValueKinds.Text, "'{\"name\":\"cost_per_unit\",\"type\":\"weighted_average\",\"metric\":\"unit_price\",\"weight_metric\":\"usage\"}'",
            c => c.Streaming.Aggregations,
            (c, v) => c with { Streaming = c.Streaming with { Aggregations = (string[]?)v ?? [] } },
            v => StreamingSettings.AggregationProblem((string)v),
            allowsEmpty: true,
            jsonEntries: true),
        Setting.List<string>(
            "streaming.kafka_brokers", ValueKinds.Text, "kafka-1:9092, kafka-2:9092",
            c => c.Streaming.KafkaBrokers,
            (c, v) => c with { Streaming = c.Streaming with { KafkaBrokers = (string[]?)v ?? [] } },
            v => ((string)v).Contains(':', StringComparison.Ordinal) ? null : $"must be host:port but is '{v}'",
            allowsEmpty: true),
        Setting.Single(
            "streaming.kafka_topic", ValueKinds.Text, "dwcp-events",
            c => c.Streaming.KafkaTopic,
            (c, v) => c with { Streaming = c.Streaming with { KafkaTopic = (string)v! } },
            NotBlank),
        Setting.Single(
            "streaming.kafka_group_id", ValueKinds.Text, "dwcp-analytics",
            c => c.Streaming.KafkaGroupId,
            (c, v) => c with { Streaming = c.Streaming with { KafkaGroupId = (string)v! } },
            NotBlank),
        Setting.List<string>(
            "streaming.kafka_properties", ValueKinds.Text, "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512",
            c => c.Streaming.KafkaProperties,
            (c, v) => c with { Streaming = c.Streaming with { KafkaProperties = (string[]?)v ?? [] } },
            v => ((string)v).IndexOf('=', StringComparison.Ordinal) > 0 ? null : $"must be key=value (a librdkafka setting) but is '{v}'",
            allowsEmpty: true),
        Setting.Single(
            "streaming.kafka_dead_letter_file", ValueKinds.Text, "/var/lib/dwcp/kafka-dead-letters.ndjson",
            c => c.Streaming.KafkaDeadLetterFile,
            (c, v) => c with { Streaming = c.Streaming with { KafkaDeadLetterFile = (string?)v } },
            NotBlank,
            allowsNone: true),

        Setting.Single(
            "clickhouse.url", ValueKinds.HttpUrl, "http://localhost:8123",
            c => c.ClickHouse.Url,
            (c, v) => c with { ClickHouse = c.ClickHouse with { Url = (Uri?)v } },
            v => ValueKinds.IsHttp((Uri)v) ? null : $"must be an absolute http:// or https:// URL but is '{((Uri)v).OriginalString}'",
            allowsNone: true),
        Setting.Single(
            "clickhouse.max_threads", ValueKinds.Integer, "8",
            c => c.ClickHouse.MaxThreads,
            (c, v) => c with { ClickHouse = c.ClickHouse with { MaxThreads = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "clickhouse.max_memory_usage", ValueKinds.Size, "10GB",
            c => c.ClickHouse.MaxMemoryUsage,
            (c, v) => c with { ClickHouse = c.ClickHouse with { MaxMemoryUsage = (long)v! } },
            v => (long)v >= 0 ? null : $"must not be negative (0 means no limit) but is {((long)v).ToString(CultureInfo.InvariantCulture)}"),
        Setting.Single(
            "clickhouse.distributed_product_mode",
            ValueKinds.Enum(
                "a distributed product mode",
                ("deny", DistributedProductMode.Deny),
                ("local", DistributedProductMode.Local),
                ("global", DistributedProductMode.Global),
                ("allow", DistributedProductMode.Allow)),
            "global",
            c => c.ClickHouse.DistributedProductMode,
            (c, v) => c with { ClickHouse = c.ClickHouse with { DistributedProductMode = (DistributedProductMode)v! } }),

        Setting.Single(
            "ml_models.batch_size", ValueKinds.Integer, "1024",
            c => c.MlModels.BatchSize,
            (c, v) => c with { MlModels = c.MlModels with { BatchSize = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "ml_models.num_workers", ValueKinds.Integer, "4",
            c => c.MlModels.NumWorkers,
            (c, v) => c with { MlModels = c.MlModels with { NumWorkers = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "ml_models.gpu_enabled", ValueKinds.Boolean, "true",
            c => c.MlModels.GpuEnabled,
            (c, v) => c with { MlModels = c.MlModels with { GpuEnabled = (bool)v! } }),

        Setting.Single(
            "api.query_timeout", ValueKinds.Duration, "30s",
            c => c.Api.QueryTimeout,
            (c, v) => c with { Api = c.Api with { QueryTimeout = (TimeSpan)v! } },
            PositiveDuration),
        Setting.Single(
            "api.max_results", ValueKinds.Integer, "10000",
            c => c.Api.MaxResults,
            (c, v) => c with { Api = c.Api with { MaxResults = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "api.cache_enabled", ValueKinds.Boolean, "true",
            c => c.Api.CacheEnabled,
            (c, v) => c with { Api = c.Api with { CacheEnabled = (bool)v! } }),
        Setting.List<string>(
            "api.urls", ValueKinds.ListenUrl, "http://127.0.0.1:8080",
            c => c.Api.Urls,
            (c, v) => c with { Api = c.Api with { Urls = (string[])v! } },
            v => ValueKinds.IsListenUrl((string)v) ? null : $"must be an absolute http:// or https:// URL but is '{v}'"),
        Setting.Single(
            "tags.case_insensitive", ValueKinds.Boolean, "false",
            c => c.Tags.CaseInsensitive,
            (c, v) => c with { Tags = c.Tags with { CaseInsensitive = (bool)v! } }),
        Setting.List<string>(
            "tags.aliases", ValueKinds.Text, "dept=Department, env=Environment",
            c => c.Tags.Aliases,
            (c, v) => c with { Tags = c.Tags with { Aliases = (string[]?)v ?? [] } },
            v => Parses(() => TagsConfig.ParseAlias((string)v)),
            allowsEmpty: true),
        Setting.List<string>(
            "tags.required", ValueKinds.Text, "Department, Environment",
            c => c.Tags.Required,
            (c, v) => c with { Tags = c.Tags with { Required = (string[]?)v ?? [] } },
            NotBlank,
            allowsEmpty: true),
        Setting.List<string>(
            "tags.inherit", ValueKinds.Text, "123456789012:CostCenter=CC-7",
            c => c.Tags.Inherit,
            (c, v) => c with { Tags = c.Tags with { Inherit = (string[]?)v ?? [] } },
            v => Parses(() => TagsConfig.ParseInherit((string)v)),
            allowsEmpty: true),
        Setting.Single(
            "anomalies.webhook_url", ValueKinds.HttpUrl, "https://hooks.example.com/dwcp",
            c => c.Anomalies.WebhookUrl,
            (c, v) => c with { Anomalies = c.Anomalies with { WebhookUrl = (Uri?)v } },
            v => ValueKinds.IsHttp((Uri)v) ? null : $"must be an absolute http:// or https:// URL but is '{((Uri)v).OriginalString}'",
            allowsNone: true),
        Setting.Single(
            "anomalies.webhook_retries", ValueKinds.Integer, "3",
            c => c.Anomalies.WebhookRetries,
            (c, v) => c with { Anomalies = c.Anomalies with { WebhookRetries = (int)v! } },
            AtLeast(0)),
        Setting.Single(
            "anomalies.check_interval", ValueKinds.Duration, "6h",
            c => c.Anomalies.CheckInterval,
            (c, v) => c with { Anomalies = c.Anomalies with { CheckInterval = (TimeSpan)v! } },
            NonNegativeDuration),
        Setting.Single(
            "anomalies.fp_rate", ValueKinds.Number, "0.05",
            c => c.Anomalies.FpRate,
            (c, v) => c with { Anomalies = c.Anomalies with { FpRate = (double)v! } },
            v => (double)v is > 0 and < 1 ? null : $"must be between 0 and 1 (exclusive), e.g. 0.05, but is {((double)v).ToString(CultureInfo.InvariantCulture)}"),
        Setting.Single(
            "anomalies.min_impact", ValueKinds.Number, "25",
            c => (double)c.Anomalies.MinImpact,
            (c, v) => c with { Anomalies = c.Anomalies with { MinImpact = (decimal)(double)v! } },
            v => (double)v is >= 0 and <= 1e12 ? null : $"must be an amount between 0 and 1000000000000 (0 = no absolute floor), e.g. 10, but is {((double)v).ToString(CultureInfo.InvariantCulture)}"),
        Setting.Single(
            "anomalies.min_share", ValueKinds.Number, "0.05",
            c => c.Anomalies.MinShare,
            (c, v) => c with { Anomalies = c.Anomalies with { MinShare = (double)v! } },
            v => (double)v is >= 0 and <= 1 ? null : $"must be a share between 0 and 1 (inclusive; 0 = no relative floor), e.g. 0.1, but is {((double)v).ToString(CultureInfo.InvariantCulture)}"),
        Setting.Single(
            "anomalies.max_stream_series", ValueKinds.Integer, "10000",
            c => c.Anomalies.MaxStreamSeries,
            (c, v) => c with { Anomalies = c.Anomalies with { MaxStreamSeries = (int)v! } },
            AtLeast(1)),
        Setting.Single(
            "anomalies.stream_multivariate", ValueKinds.Boolean, "true",
            c => c.Anomalies.StreamMultivariate,
            (c, v) => c with { Anomalies = c.Anomalies with { StreamMultivariate = (bool)v! } }),
        Setting.Single(
            "anomalies.max_multivariate_metrics", ValueKinds.Integer, "16",
            c => c.Anomalies.MaxMultivariateMetrics,
            (c, v) => c with { Anomalies = c.Anomalies with { MaxMultivariateMetrics = (int)v! } },
            v => (int)v is >= 2 and <= 32 ? null : $"must be a whole number from 2 to 32 (metrics of one window scored together), e.g. 16, but is {((int)v).ToString(CultureInfo.InvariantCulture)}"),

        Setting.Single(
            "duckdb.memory_limit", ValueKinds.Size, "1GB",
            c => c.DuckDb.MemoryLimit,
            (c, v) => c with { DuckDb = c.DuckDb with { MemoryLimit = (long)v! } },
            AtLeastBytes(64_000_000)),
        Setting.Single(
            "duckdb.load_memory_limit", ValueKinds.Size, "128MB",
            c => c.DuckDb.LoadMemoryLimit,
            (c, v) => c with { DuckDb = c.DuckDb with { LoadMemoryLimit = (long)v! } },
            AtLeastBytes(96_000_000)),
        Setting.Single(
            "duckdb.string_compression",
            ValueKinds.Enum("fast or compact", ("fast", DuckDbStringCompression.Fast), ("compact", DuckDbStringCompression.Compact)),
            "fast",
            c => c.DuckDb.StringCompression,
            (c, v) => c with { DuckDb = c.DuckDb with { StringCompression = (DuckDbStringCompression)v! } }),
    ];

    /// <summary>The sections under <c>analytics</c>, in order: streaming, clickhouse, ml_models, api.</summary>
    public static IReadOnlyList<string> Sections { get; } =
        All.Where(s => s.Section.Length > 0).Select(s => s.Section).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The keys directly under <c>analytics</c>: its leaf keys, then its sections.</summary>
    public static IReadOnlyList<string> RootKeys { get; } =
        [.. All.Where(s => s.Section.Length == 0).Select(s => s.Name), .. Sections];

    /// <summary>The setting with this key path (without <c>analytics.</c>), or null.</summary>
    public static Setting? Find(string key) => All.FirstOrDefault(s => string.Equals(s.Key, key, StringComparison.Ordinal));

    /// <summary>The setting read from this environment variable (any case), or null.</summary>
    public static Setting? FindByEnvVar(string name) =>
        All.FirstOrDefault(s => string.Equals(s.EnvVar, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The keys of a section (<c>api</c>), or of <c>analytics</c> itself for the empty section.</summary>
    public static IReadOnlyList<string> KeysOf(string section) =>
        section.Length == 0 ? RootKeys : All.Where(s => s.Section == section).Select(s => s.Name).ToArray();

    private static Func<object, string?> AtLeast(int min) =>
        v => (int)v >= min ? null : $"must be at least {min.ToString(CultureInfo.InvariantCulture)} but is {((int)v).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A pacing time in milliseconds: 0 (whose meaning <paramref name="zero"/> says) to one minute.</summary>
    private static Func<object, string?> Milliseconds(string zero) =>
        v => (int)v is >= 0 and <= 60_000 ? null
            : $"must be 0 to 60000 milliseconds ({zero}) but is {((int)v).ToString(CultureInfo.InvariantCulture)}";

    private static Func<object, string?> AtLeastBytes(long min) =>
        v => (long)v >= min ? null : $"must be at least {(min / 1_000_000).ToString(CultureInfo.InvariantCulture)}MB but is {((long)v).ToString(CultureInfo.InvariantCulture)} bytes";

    private static string? PositiveDuration(object v) =>
        (TimeSpan)v > TimeSpan.Zero ? null : $"must be more than 0 but is {ValueKinds.FormatDuration((TimeSpan)v)}";

    private static string? NonNegativeDuration(object v) =>
        (TimeSpan)v >= TimeSpan.Zero ? null : $"must not be negative but is {ValueKinds.FormatDuration((TimeSpan)v)}";

    private static string? Parses(Action parse)
    {
        try
        {
            parse();
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    private static string? NotBlank(object v) => string.IsNullOrWhiteSpace((string)v) ? "must not be empty" : null;

    private static string? ValidScope(object v)
    {
        try
        {
            _ = CostScope.Parse((string)v);
            return null;
        }
        catch (FormatException e)
        {
            return $"'{v}' is not a valid scope: {e.Message.TrimEnd('.')}";
        }
    }
}
