namespace Dwcp.Configuration.Tests;

public sealed class DefaultsAndFileTests : IDisposable
{
    private const string GuideExample = """
        analytics:
          streaming:
            buffer_size: 10000
            batch_timeout: 100ms
            parallelism: 16
          clickhouse:
            max_threads: 8
            max_memory_usage: 10GB
            distributed_product_mode: global
          ml_models:
            batch_size: 1024
            num_workers: 4
            gpu_enabled: true
          api:
            query_timeout: 30s
            max_results: 10000
            cache_enabled: true
        """;

    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void With_no_file_no_environment_and_no_overrides_every_key_has_its_default()
    {
        var loaded = _dir.Load();

        var c = loaded.Config;
        Assert.Null(loaded.ConfigFile);
        Assert.Equal(AnalyticsStore.DuckDb, c.Store);
        Assert.Equal("./.dwcp", c.DataDir);
        Assert.Equal("*", c.Scope);
        Assert.True(c.ParseScope().IsUnrestricted);
        Assert.Equal(10_000, c.Streaming.BufferSize);
        Assert.Equal(TimeSpan.FromMilliseconds(100), c.Streaming.BatchTimeout);
        Assert.Equal(16, c.Streaming.Parallelism);
        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)], c.Streaming.WindowSizes);
        Assert.Equal(2000, c.Streaming.MaxLatencyMs);
        Assert.Equal(TimeSpan.FromSeconds(30), c.Streaming.AllowedLateness);
        Assert.Null(c.ClickHouse.Url);
        Assert.Equal(8, c.ClickHouse.MaxThreads);
        Assert.Equal(10_000_000_000L, c.ClickHouse.MaxMemoryUsage);
        Assert.Equal(DistributedProductMode.Global, c.ClickHouse.DistributedProductMode);
        Assert.Equal(1024, c.MlModels.BatchSize);
        Assert.Equal(4, c.MlModels.NumWorkers);
        Assert.True(c.MlModels.GpuEnabled);
        Assert.Equal(TimeSpan.FromSeconds(30), c.Api.QueryTimeout);
        Assert.Equal(10_000, c.Api.MaxResults);
        Assert.True(c.Api.CacheEnabled);
        Assert.Equal(["http://127.0.0.1:8080"], c.Api.Urls);
        Assert.Equal(DwcpConfig.Default, c);
    }

    [Fact]
    public void Sources_list_every_key_path_and_say_default_when_nothing_is_set()
    {
        var loaded = _dir.Load();

        Assert.Equal(DwcpConfigLoader.KeyPaths, loaded.Sources.Keys);
        Assert.Equal(52, loaded.Sources.Count);
        Assert.All(loaded.Sources.Values, source => Assert.Equal("default", source));
        Assert.Contains("api.query_timeout", loaded.Sources.Keys);
        Assert.Contains("store", loaded.Sources.Keys);
    }

    [Fact]
    public void The_default_configuration_passes_validation()
    {
        DwcpConfig.Default.Validate();
        new DwcpConfig().Validate();
    }

    [Fact]
    public void The_product_guide_example_loads_with_typed_values_and_file_lines_as_sources()
    {
        _dir.Write(GuideExample);

        var loaded = _dir.Load();

        Assert.Equal(Path.Combine(_dir.Root, "dwcp.yaml"), loaded.ConfigFile);
        Assert.Equal(DwcpConfig.Default, loaded.Config); // the guide's values are the defaults
        Assert.Equal("dwcp.yaml:3", loaded.Sources["streaming.buffer_size"]);
        Assert.Equal("dwcp.yaml:4", loaded.Sources["streaming.batch_timeout"]);
        Assert.Equal("dwcp.yaml:8", loaded.Sources["clickhouse.max_memory_usage"]);
        Assert.Equal("dwcp.yaml:15", loaded.Sources["api.query_timeout"]);
        Assert.Equal("dwcp.yaml:17", loaded.Sources["api.cache_enabled"]);
        Assert.Equal("default", loaded.Sources["store"]);
        Assert.Equal("default", loaded.Sources["api.urls"]);
        Assert.Equal("default", loaded.Sources["streaming.window_sizes"]);
    }

    [Fact]
    public void Every_key_can_be_set_in_the_file()
    {
        _dir.Write("""
            analytics:
              store: clickhouse
              data_dir: /var/lib/dwcp
              scope: account=A|B;tag:Department=Eng
              streaming:
                buffer_size: 5000
                batch_timeout: 250ms
                parallelism: 4
                window_sizes: [30s, 1h]
                max_latency_ms: 500
                allowed_lateness: 0s
                admission_queue_delay_ms: 25
                admission_max_wait_ms: 400
                sliding_windows: [10m/1m]
                group_by: [resource_id, tag:team]
                duplicate_retention: 5m
                dedup_memory_budget: 16MiB
                unknown_event_types: reject
                allowed_event_types: [usage, billing]
                max_line_bytes: 64KB
                max_future_skew: 1m
                aggregations:
                  - '{"name":"cost_per_unit","type":"weighted_average","metric":"unit_price","weight_metric":"usage"}'
                  - '{"name":"hot","type":"threshold_count","metric":"cpu","op":">=","threshold":90}'
                kafka_brokers: [broker:9092]
                kafka_topic: t
                kafka_group_id: g
                kafka_properties: [security.protocol=SASL_SSL]
                kafka_dead_letter_file: dead.ndjson
              clickhouse:
                url: https://ch.example.com:8443
                max_threads: 2
                max_memory_usage: 1.5GiB
                distributed_product_mode: local
              ml_models:
                batch_size: 64
                num_workers: 1
                gpu_enabled: false
              api:
                query_timeout: 1m
                max_results: 50
                cache_enabled: no
                urls:
                  - http://0.0.0.0:9000
                  - https://*:9443
              tags:
                case_insensitive: yes
                aliases: [dept=Department]
                required: [Department]
                inherit: ["acct-1:Team=Data"]
              anomalies:
                webhook_url: https://hooks.example.com/dwcp
                webhook_retries: 5
                check_interval: 30m
                fp_rate: 0.01
                min_impact: 2.5
                min_share: 0
                max_stream_series: 500
                stream_multivariate: false
                max_multivariate_metrics: 6
              duckdb:
                memory_limit: 2GiB
                load_memory_limit: 200MB
                string_compression: compact
            """);

        var loaded = _dir.Load();
        var c = loaded.Config;

        Assert.Equal(AnalyticsStore.ClickHouse, c.Store);
        Assert.Equal("/var/lib/dwcp", c.DataDir);
        Assert.Equal("account=A|B;tag:Department=Eng", c.Scope);
        Assert.Equal(["A", "B"], c.ParseScope().BillingAccounts!.Order());
        Assert.Equal(5000, c.Streaming.BufferSize);
        Assert.Equal(TimeSpan.FromMilliseconds(250), c.Streaming.BatchTimeout);
        Assert.Equal(4, c.Streaming.Parallelism);
        Assert.Equal([TimeSpan.FromSeconds(30), TimeSpan.FromHours(1)], c.Streaming.WindowSizes);
        Assert.Equal(500, c.Streaming.MaxLatencyMs);
        Assert.Equal(TimeSpan.Zero, c.Streaming.AllowedLateness);
        Assert.Equal((25, 400), (c.Streaming.AdmissionQueueDelayMs, c.Streaming.AdmissionMaxWaitMs));
        Assert.Equal(["10m/1m"], c.Streaming.SlidingWindows);
        Assert.Equal(["resource_id", "tag:team"], c.Streaming.GroupBy);
        Assert.Equal((TimeSpan.FromMinutes(5), 16L * 1024 * 1024), (c.Streaming.DuplicateRetention, c.Streaming.DedupMemoryBudget));
        Assert.Equal((UnknownEventTypes.Reject, 64_000L, TimeSpan.FromMinutes(1)), (c.Streaming.UnknownEventTypes, c.Streaming.MaxLineBytes, c.Streaming.MaxFutureSkew));
        Assert.Equal(["usage", "billing"], c.Streaming.AllowedEventTypes);
        Assert.Equal(2, c.Streaming.Aggregations.Count);
        Assert.Contains("\"threshold\":90", c.Streaming.Aggregations[1], StringComparison.Ordinal);
        Assert.Equal(["broker:9092"], c.Streaming.KafkaBrokers);
        Assert.Equal(("t", "g", "dead.ndjson"), (c.Streaming.KafkaTopic, c.Streaming.KafkaGroupId, c.Streaming.KafkaDeadLetterFile));
        Assert.Equal(["security.protocol=SASL_SSL"], c.Streaming.KafkaProperties);
        Assert.Equal(new Uri("https://ch.example.com:8443"), c.ClickHouse.Url);
        Assert.Equal(2, c.ClickHouse.MaxThreads);
        Assert.Equal(1_610_612_736L, c.ClickHouse.MaxMemoryUsage);
        Assert.Equal(DistributedProductMode.Local, c.ClickHouse.DistributedProductMode);
        Assert.Equal(64, c.MlModels.BatchSize);
        Assert.Equal(1, c.MlModels.NumWorkers);
        Assert.False(c.MlModels.GpuEnabled);
        Assert.Equal(TimeSpan.FromMinutes(1), c.Api.QueryTimeout);
        Assert.Equal(50, c.Api.MaxResults);
        Assert.False(c.Api.CacheEnabled);
        Assert.Equal(["http://0.0.0.0:9000", "https://*:9443"], c.Api.Urls);
        Assert.True(c.Tags.CaseInsensitive);
        Assert.Equal(["dept=Department"], c.Tags.Aliases);
        Assert.Equal(["acct-1:Team=Data"], c.Tags.Inherit);
        Assert.Equal((new Uri("https://hooks.example.com/dwcp"), 5), (c.Anomalies.WebhookUrl, c.Anomalies.WebhookRetries));
        Assert.Equal((TimeSpan.FromMinutes(30), 0.01, 500), (c.Anomalies.CheckInterval, c.Anomalies.FpRate, c.Anomalies.MaxStreamSeries));
        Assert.Equal((2.5m, 0.0), (c.Anomalies.MinImpact, c.Anomalies.MinShare));
        Assert.Equal((false, 6), (c.Anomalies.StreamMultivariate, c.Anomalies.MaxMultivariateMetrics));
        Assert.Equal((2L << 30, 200_000_000L, DuckDbStringCompression.Compact), (c.DuckDb.MemoryLimit, c.DuckDb.LoadMemoryLimit, c.DuckDb.StringCompression));
        Assert.DoesNotContain("default", loaded.Sources.Values);
        Assert.Equal("dwcp.yaml:2", loaded.Sources["store"]);
        Assert.Equal("dwcp.yaml:43", loaded.Sources["api.urls"]);
    }

    [Fact]
    public void An_empty_file_a_comment_only_file_and_empty_sections_keep_the_defaults()
    {
        _dir.Write("");
        Assert.Equal(DwcpConfig.Default, _dir.Load().Config);

        _dir.Write("# nothing configured yet\n");
        Assert.Equal(DwcpConfig.Default, _dir.Load().Config);

        _dir.Write("analytics:\n");
        Assert.Equal(DwcpConfig.Default, _dir.Load().Config);

        _dir.Write("analytics:\n  api:\n  streaming: ~\n");
        var loaded = _dir.Load();
        Assert.Equal(DwcpConfig.Default, loaded.Config);
        Assert.All(loaded.Sources.Values, s => Assert.Equal("default", s));
    }

    [Fact]
    public void Lists_may_be_written_as_a_flow_sequence_a_block_sequence_or_comma_separated_text()
    {
        TimeSpan[] expected = [TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2)];

        _dir.Write("analytics:\n  streaming:\n    window_sizes: [10s, 2m]\n");
        Assert.Equal(expected, _dir.Load().Config.Streaming.WindowSizes);

        _dir.Write("analytics:\n  streaming:\n    window_sizes:\n      - 10s\n      - 2m\n");
        Assert.Equal(expected, _dir.Load().Config.Streaming.WindowSizes);

        _dir.Write("analytics:\n  streaming:\n    window_sizes: 10s, 2m\n");
        Assert.Equal(expected, _dir.Load().Config.Streaming.WindowSizes);
    }

    [Fact]
    public void Quoted_values_are_read_like_plain_ones()
    {
        _dir.Write("analytics:\n  api:\n    query_timeout: \"45s\"\n    max_results: '20'\n  scope: \"tag:Team=Data\"\n");

        var c = _dir.Load().Config;

        Assert.Equal(TimeSpan.FromSeconds(45), c.Api.QueryTimeout);
        Assert.Equal(20, c.Api.MaxResults);
        Assert.Equal(["Data"], c.ParseScope().TagValues["Team"]);
    }

    [Fact]
    public void An_unset_clickhouse_url_may_be_written_as_null()
    {
        _dir.Write("analytics:\n  clickhouse:\n    url: ~\n");

        var loaded = _dir.Load();

        Assert.Null(loaded.Config.ClickHouse.Url);
        Assert.Equal("dwcp.yaml:3", loaded.Sources["clickhouse.url"]);
    }

    [Fact]
    public void A_file_with_windows_line_endings_and_a_byte_order_mark_reads_the_same_with_the_same_lines()
    {
        File.WriteAllText(
            Path.Combine(_dir.Root, "dwcp.yaml"),
            "analytics:\r\n  api:\r\n    max_results: 12\r\n",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var loaded = _dir.Load();

        Assert.Equal(12, loaded.Config.Api.MaxResults);
        Assert.Equal("dwcp.yaml:3", loaded.Sources["api.max_results"]);
    }

    [Fact]
    public void Loading_the_same_file_twice_gives_equal_configurations()
    {
        _dir.Write("analytics:\n  streaming:\n    window_sizes: [1m]\n  api:\n    urls: [http://localhost:1]\n");

        Assert.Equal(_dir.Load().Config, _dir.Load().Config);
        Assert.Equal(_dir.Load().Config.GetHashCode(), _dir.Load().Config.GetHashCode());
        Assert.NotEqual(DwcpConfig.Default, _dir.Load().Config);
    }
}
