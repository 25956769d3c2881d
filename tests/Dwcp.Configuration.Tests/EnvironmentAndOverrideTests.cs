namespace Dwcp.Configuration.Tests;

public sealed class EnvironmentAndOverrideTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("api.query_timeout", "DWCP_API_QUERY_TIMEOUT")]
    [InlineData("data_dir", "DWCP_DATA_DIR")]
    [InlineData("store", "DWCP_STORE")]
    [InlineData("streaming.buffer_size", "DWCP_STREAMING_BUFFER_SIZE")]
    [InlineData("ml_models.gpu_enabled", "DWCP_ML_MODELS_GPU_ENABLED")]
    [InlineData("clickhouse.distributed_product_mode", "DWCP_CLICKHOUSE_DISTRIBUTED_PRODUCT_MODE")]
    public void The_environment_variable_is_the_key_path_in_upper_snake_case_after_DWCP(string key, string variable) =>
        Assert.Equal(variable, DwcpConfigLoader.EnvironmentVariableOf(key));

    [Fact]
    public void Every_key_has_its_own_environment_variable()
    {
        var names = DwcpConfigLoader.KeyPaths.Select(DwcpConfigLoader.EnvironmentVariableOf).ToList();

        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.DoesNotContain(DwcpConfigLoader.ConfigFileVariable, names);
    }

    [Fact]
    public void Every_key_can_be_set_from_the_environment()
    {
        var env = new Dictionary<string, string?>
        {
            ["DWCP_STORE"] = "clickhouse",
            ["DWCP_DATA_DIR"] = "/data",
            ["DWCP_SCOPE"] = "account=X",
            ["DWCP_STREAMING_BUFFER_SIZE"] = "1",
            ["DWCP_STREAMING_BATCH_TIMEOUT"] = "1s",
            ["DWCP_STREAMING_PARALLELISM"] = "2",
            ["DWCP_STREAMING_WINDOW_SIZES"] = "1h,1d",
            ["DWCP_STREAMING_MAX_LATENCY_MS"] = "3",
            ["DWCP_STREAMING_ALLOWED_LATENESS"] = "2m",
            ["DWCP_STREAMING_ADMISSION_QUEUE_DELAY_MS"] = "11",
            ["DWCP_STREAMING_ADMISSION_MAX_WAIT_MS"] = "12",
            ["DWCP_STREAMING_SLIDING_WINDOWS"] = "1h/10m;30m/5m",
            ["DWCP_STREAMING_GROUP_BY"] = "service,tag:env",
            ["DWCP_STREAMING_DUPLICATE_RETENTION"] = "90s",
            ["DWCP_STREAMING_DEDUP_MEMORY_BUDGET"] = "2MB",
            ["DWCP_STREAMING_UNKNOWN_EVENT_TYPES"] = "reject",
            ["DWCP_STREAMING_ALLOWED_EVENT_TYPES"] = "usage",
            ["DWCP_STREAMING_MAX_LINE_BYTES"] = "2KiB",
            ["DWCP_STREAMING_MAX_FUTURE_SKEW"] = "0s",
            ["DWCP_STREAMING_AGGREGATIONS"] = "[{\"name\":\"r\",\"type\":\"rate\"}, {\"name\":\"p\",\"type\":\"percentile\",\"metric\":\"x\",\"quantile\":0.9}]",
            ["DWCP_STREAMING_KAFKA_BROKERS"] = "k1:9092,k2:9093",
            ["DWCP_STREAMING_KAFKA_TOPIC"] = "events",
            ["DWCP_STREAMING_KAFKA_GROUP_ID"] = "g1",
            ["DWCP_STREAMING_KAFKA_PROPERTIES"] = "security.protocol=SSL;ssl.ca.location=/etc/ca.pem",
            ["DWCP_STREAMING_KAFKA_DEAD_LETTER_FILE"] = "/data/dead.ndjson",
            ["DWCP_CLICKHOUSE_URL"] = "http://ch:8123",
            ["DWCP_CLICKHOUSE_MAX_THREADS"] = "4",
            ["DWCP_CLICKHOUSE_MAX_MEMORY_USAGE"] = "512MB",
            ["DWCP_CLICKHOUSE_DISTRIBUTED_PRODUCT_MODE"] = "allow",
            ["DWCP_ML_MODELS_BATCH_SIZE"] = "5",
            ["DWCP_ML_MODELS_NUM_WORKERS"] = "6",
            ["DWCP_ML_MODELS_GPU_ENABLED"] = "false",
            ["DWCP_API_QUERY_TIMEOUT"] = "7s",
            ["DWCP_API_MAX_RESULTS"] = "8",
            ["DWCP_API_CACHE_ENABLED"] = "0",
            ["DWCP_API_URLS"] = "http://localhost:1;http://localhost:2",
            ["DWCP_TAGS_CASE_INSENSITIVE"] = "false",
            ["DWCP_TAGS_ALIASES"] = "dept=Department,env=Environment",
            ["DWCP_TAGS_REQUIRED"] = "Department;Owner",
            ["DWCP_TAGS_INHERIT"] = "111:Team=Data",
            ["DWCP_ANOMALIES_WEBHOOK_URL"] = "http://hooks:9000/a",
            ["DWCP_ANOMALIES_WEBHOOK_RETRIES"] = "0",
            ["DWCP_ANOMALIES_CHECK_INTERVAL"] = "0s",
            ["DWCP_ANOMALIES_FP_RATE"] = "0.002",
            ["DWCP_ANOMALIES_MIN_IMPACT"] = "0",
            ["DWCP_ANOMALIES_MIN_SHARE"] = "1",
            ["DWCP_ANOMALIES_MAX_STREAM_SERIES"] = "9",
            ["DWCP_ANOMALIES_STREAM_MULTIVARIATE"] = "false",
            ["DWCP_ANOMALIES_MAX_MULTIVARIATE_METRICS"] = "3",
            ["DWCP_DUCKDB_MEMORY_LIMIT"] = "512MB",
            ["DWCP_DUCKDB_LOAD_MEMORY_LIMIT"] = "100MB",
            ["DWCP_DUCKDB_STRING_COMPRESSION"] = "compact",
        };

        var loaded = _dir.Load(env: env);
        var c = loaded.Config;
        Assert.False(c.Tags.CaseInsensitive);
        Assert.Equal((false, 3), (c.Anomalies.StreamMultivariate, c.Anomalies.MaxMultivariateMetrics));
        Assert.Equal(["dept=Department", "env=Environment"], c.Tags.Aliases);
        Assert.Equal(["Department", "Owner"], c.Tags.Required);
        Assert.Equal("Department", c.Tags.ToPolicy().Canonical("DEPT"));
        Assert.Equal([new Dwcp.Core.Costs.InheritedTag("111", "Team", "Data")], c.Tags.ToPolicy().Inherited);

        Assert.Equal(AnalyticsStore.ClickHouse, c.Store);
        Assert.Equal("/data", c.DataDir);
        Assert.Equal("account=X", c.Scope);
        Assert.Equal(1, c.Streaming.BufferSize);
        Assert.Equal(TimeSpan.FromSeconds(1), c.Streaming.BatchTimeout);
        Assert.Equal(2, c.Streaming.Parallelism);
        Assert.Equal([TimeSpan.FromHours(1), TimeSpan.FromDays(1)], c.Streaming.WindowSizes);
        Assert.Equal(3, c.Streaming.MaxLatencyMs);
        Assert.Equal(TimeSpan.FromMinutes(2), c.Streaming.AllowedLateness);
        Assert.Equal((11, 12), (c.Streaming.AdmissionQueueDelayMs, c.Streaming.AdmissionMaxWaitMs));
        Assert.Equal(["1h/10m", "30m/5m"], c.Streaming.SlidingWindows);
        Assert.Equal(["service", "tag:env"], c.Streaming.GroupBy);
        Assert.Equal((TimeSpan.FromSeconds(90), 2_000_000L), (c.Streaming.DuplicateRetention, c.Streaming.DedupMemoryBudget));
        Assert.Equal((UnknownEventTypes.Reject, 2048L, TimeSpan.Zero), (c.Streaming.UnknownEventTypes, c.Streaming.MaxLineBytes, c.Streaming.MaxFutureSkew));
        Assert.Equal(["usage"], c.Streaming.AllowedEventTypes);
        Assert.Equal(["{\"name\":\"r\",\"type\":\"rate\"}", "{\"name\":\"p\",\"type\":\"percentile\",\"metric\":\"x\",\"quantile\":0.9}"], c.Streaming.Aggregations);
        Assert.Equal(["k1:9092", "k2:9093"], c.Streaming.KafkaBrokers);
        Assert.Equal("events", c.Streaming.KafkaTopic);
        Assert.Equal("g1", c.Streaming.KafkaGroupId);
        Assert.Equal(["security.protocol=SSL", "ssl.ca.location=/etc/ca.pem"], c.Streaming.KafkaProperties);
        Assert.Equal("/data/dead.ndjson", c.Streaming.KafkaDeadLetterFile);
        Assert.Equal(new Uri("http://ch:8123"), c.ClickHouse.Url);
        Assert.Equal(4, c.ClickHouse.MaxThreads);
        Assert.Equal(512_000_000L, c.ClickHouse.MaxMemoryUsage);
        Assert.Equal(DistributedProductMode.Allow, c.ClickHouse.DistributedProductMode);
        Assert.Equal(5, c.MlModels.BatchSize);
        Assert.Equal(6, c.MlModels.NumWorkers);
        Assert.False(c.MlModels.GpuEnabled);
        Assert.Equal(TimeSpan.FromSeconds(7), c.Api.QueryTimeout);
        Assert.Equal(8, c.Api.MaxResults);
        Assert.False(c.Api.CacheEnabled);
        Assert.Equal(["http://localhost:1", "http://localhost:2"], c.Api.Urls);
        Assert.Equal((new Uri("http://hooks:9000/a"), 0), (c.Anomalies.WebhookUrl, c.Anomalies.WebhookRetries));
        Assert.Equal((TimeSpan.Zero, 0.002, 9), (c.Anomalies.CheckInterval, c.Anomalies.FpRate, c.Anomalies.MaxStreamSeries));
        Assert.Equal((0m, 1.0), (c.Anomalies.MinImpact, c.Anomalies.MinShare));
        Assert.Equal((512_000_000L, 100_000_000L, DuckDbStringCompression.Compact), (c.DuckDb.MemoryLimit, c.DuckDb.LoadMemoryLimit, c.DuckDb.StringCompression));
        Assert.All(loaded.Sources, kv => Assert.Equal("env " + DwcpConfigLoader.EnvironmentVariableOf(kv.Key), kv.Value));
    }

    [Fact]
    public void Variables_without_the_DWCP_prefix_are_ignored()
    {
        var loaded = _dir.Load(env: new() { ["PATH"] = "/bin", ["API_QUERY_TIMEOUT"] = "nonsense", ["DWCPX_STORE"] = "x" });

        Assert.Equal(DwcpConfig.Default, loaded.Config);
    }

    [Fact]
    public void Variable_names_are_matched_without_regard_to_case()
    {
        var loaded = _dir.Load(env: new() { ["dwcp_api_max_results"] = "77" });

        Assert.Equal(77, loaded.Config.Api.MaxResults);
        Assert.Equal("env DWCP_API_MAX_RESULTS", loaded.Sources["api.max_results"]);
    }

    [Fact]
    public void Null_and_empty_variables_count_as_unset()
    {
        var loaded = _dir.Load(env: new() { ["DWCP_API_QUERY_TIMEOUT"] = "", ["DWCP_STORE"] = null, ["DWCP_DATA_DIR"] = "  " });

        Assert.Equal(DwcpConfig.Default, loaded.Config);
        Assert.Equal("default", loaded.Sources["api.query_timeout"]);
    }

    [Fact]
    public void An_unknown_DWCP_variable_is_an_error_naming_it_with_the_nearest_known_name()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_API_QUERY_TIMOUT"] = "10s" });

        Assert.Equal(
            "Environment variable DWCP_API_QUERY_TIMOUT is not a DWCP setting (every variable starting with DWCP_ is read as one). "
            + "Did you mean DWCP_API_QUERY_TIMEOUT? Rename it or unset it.",
            error.Message);
        Assert.Null(error.File);
        Assert.Null(error.KeyPath);
    }

    [Fact]
    public void An_unknown_DWCP_variable_with_no_near_name_lists_the_known_variables()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_SOMETHING_ELSE_ENTIRELY"] = "1" });

        Assert.Contains("DWCP_SOMETHING_ELSE_ENTIRELY is not a DWCP setting", error.Message, StringComparison.Ordinal);
        Assert.Contains("Known variables: DWCP_CONFIG, DWCP_STORE, DWCP_DATA_DIR,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DWCP_CONFIG_is_not_an_unknown_variable()
    {
        var path = _dir.Write("analytics:\n", "x.yaml");

        var loaded = _dir.Load(env: new() { ["DWCP_CONFIG"] = path });

        Assert.Equal(path, loaded.ConfigFile);
    }

    [Fact]
    public void A_bad_environment_value_names_the_variable_and_the_expected_format()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_API_QUERY_TIMEOUT"] = "fast" });

        Assert.Equal(
            "environment variable DWCP_API_QUERY_TIMEOUT: 'fast' is not a duration. "
            + "Expected a number followed by a unit ms, s, m, h or d (units combine, as in 1h30m). For example: DWCP_API_QUERY_TIMEOUT=30s.",
            error.Message);
        Assert.Equal("api.query_timeout", error.KeyPath);
        Assert.Null(error.Line);
    }

    [Fact]
    public void An_out_of_range_environment_value_names_the_variable()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_STREAMING_BUFFER_SIZE"] = "0" });

        Assert.Equal(
            "environment variable DWCP_STREAMING_BUFFER_SIZE: must be at least 1 but is 0. For example: DWCP_STREAMING_BUFFER_SIZE=10000.",
            error.Message);
    }

    [Theory]
    [InlineData("api.query_timeout")]
    [InlineData("analytics.api.query_timeout")]
    [InlineData("api.query-timeout")]
    public void Overrides_use_the_dotted_key_path(string key)
    {
        var loaded = _dir.Load(overrides: new() { [key] = "3s" });

        Assert.Equal(TimeSpan.FromSeconds(3), loaded.Config.Api.QueryTimeout);
        Assert.Equal("--api.query_timeout", loaded.Sources["api.query_timeout"]);
    }

    [Fact]
    public void An_unknown_override_is_an_error_with_the_nearest_key()
    {
        var error = _dir.LoadFails(overrides: new() { ["api.max_result"] = "3" });

        Assert.StartsWith("--api.max_result: unknown setting 'api.max_result'. Did you mean 'api.max_results'? Known settings: store, data_dir, scope,", error.Message, StringComparison.Ordinal);
        Assert.Equal("api.max_result", error.KeyPath);
    }

    [Fact]
    public void A_bad_override_value_names_the_flag()
    {
        var error = _dir.LoadFails(overrides: new() { ["ml_models.gpu_enabled"] = "maybe" });

        Assert.Equal(
            "--ml_models.gpu_enabled: 'maybe' is not true or false. Expected true or false (yes/no, on/off and 1/0 also work). For example: 'true'.",
            error.Message);
    }

    [Fact]
    public void An_empty_override_unsets_the_clickhouse_url_set_in_the_file()
    {
        _dir.Write("analytics:\n  clickhouse:\n    url: http://ch:8123\n");

        var loaded = _dir.Load(overrides: new() { ["clickhouse.url"] = "" });

        Assert.Null(loaded.Config.ClickHouse.Url);
        Assert.Equal("--clickhouse.url", loaded.Sources["clickhouse.url"]);
    }

    [Fact]
    public void ReadEnvironment_returns_the_DWCP_variables_of_the_process_and_no_others()
    {
        var probe = "DWCP_READ_ENVIRONMENT_PROBE_" + Guid.NewGuid().ToString("N").ToUpperInvariant();
        Environment.SetEnvironmentVariable(probe, "42");
        try
        {
            var env = DwcpConfigLoader.ReadEnvironment();

            Assert.Equal("42", env[probe]);
            Assert.All(env.Keys, name => Assert.StartsWith("DWCP_", name, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Environment.SetEnvironmentVariable(probe, null);
        }
    }
}
