namespace Dwcp.Configuration.Tests;

public sealed class ValidateTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Store_clickhouse_without_a_url_is_an_error_at_the_store_line_naming_the_key_to_set()
    {
        var error = _dir.FileFails("analytics:\n  data_dir: /d\n  store: clickhouse\n");

        Assert.Equal(
            "dwcp.yaml line 3: analytics.store is clickhouse, which needs analytics.clickhouse.url, but it is not set. "
            + "Set analytics.clickhouse.url to the ClickHouse HTTP endpoint (in dwcp.yaml as 'url: http://localhost:8123' under 'clickhouse:', "
            + "or as DWCP_CLICKHOUSE_URL=http://localhost:8123, or with --clickhouse.url), or use store: duckdb.",
            error.Message);
        Assert.Equal(3, error.Line);
        Assert.Equal("dwcp.yaml", error.File);
        Assert.Equal("clickhouse.url", error.KeyPath);
    }

    [Fact]
    public void Store_clickhouse_from_the_environment_without_a_url_names_the_variable()
    {
        var error = _dir.LoadFails(env: new() { ["DWCP_STORE"] = "clickhouse" });

        Assert.StartsWith("environment variable DWCP_STORE: analytics.store is clickhouse, which needs analytics.clickhouse.url", error.Message, StringComparison.Ordinal);
        Assert.Null(error.Line);
    }

    [Fact]
    public void Store_clickhouse_with_a_url_is_valid()
    {
        _dir.Write("analytics:\n  store: clickhouse\n  clickhouse:\n    url: http://ch:8123\n");

        var loaded = _dir.Load();

        Assert.Equal(AnalyticsStore.ClickHouse, loaded.Config.Store);
        Assert.Equal(new Uri("http://ch:8123"), loaded.Config.ClickHouse.Url);
    }

    [Fact]
    public void ClickHouse_tuning_keys_and_url_never_switch_the_store_by_themselves()
    {
        _dir.Write("""
            analytics:
              clickhouse:
                url: http://ch:8123
                max_threads: 32
                max_memory_usage: 64GiB
                distributed_product_mode: allow
            """);

        var loaded = _dir.Load();

        Assert.Equal(AnalyticsStore.DuckDb, loaded.Config.Store);
        Assert.Equal("default", loaded.Sources["store"]);
        Assert.Equal(32, loaded.Config.ClickHouse.MaxThreads);
    }

    [Fact]
    public void Validate_checks_a_configuration_built_in_code()
    {
        var badRange = new DwcpConfig { Api = new ApiConfig { MaxResults = 0 } };
        var error = Assert.Throws<ConfigException>(badRange.Validate);
        Assert.Equal("analytics.api.max_results: must be at least 1 but is 0. For example: '10000'.", error.Message);
        Assert.Equal("api.max_results", error.KeyPath);
        Assert.Null(error.File);

        var noWindows = new DwcpConfig { Streaming = new StreamingConfig { WindowSizes = [] } };
        Assert.Contains("must list at least one value", Assert.Throws<ConfigException>(noWindows.Validate).Message, StringComparison.Ordinal);

        var badScope = new DwcpConfig { Scope = "owner=me" };
        Assert.Contains("'owner=me' is not a valid scope", Assert.Throws<ConfigException>(badScope.Validate).Message, StringComparison.Ordinal);

        var badUrl = new DwcpConfig { Api = new ApiConfig { Urls = ["ftp://x"] } };
        Assert.Contains("entry 1 must be an absolute http:// or https:// URL", Assert.Throws<ConfigException>(badUrl.Validate).Message, StringComparison.Ordinal);

        var noUrl = new DwcpConfig { Store = AnalyticsStore.ClickHouse };
        var storeError = Assert.Throws<ConfigException>(noUrl.Validate);
        Assert.StartsWith("analytics.store is clickhouse, which needs analytics.clickhouse.url", storeError.Message, StringComparison.Ordinal);
        Assert.Equal("clickhouse.url", storeError.KeyPath);

        new DwcpConfig { Store = AnalyticsStore.ClickHouse, ClickHouse = new ClickHouseConfig { Url = new Uri("https://ch:8443") } }.Validate();
    }

    [Fact]
    public void Config_records_compare_by_value_including_their_lists()
    {
        var a = new DwcpConfig { Streaming = new StreamingConfig { WindowSizes = [TimeSpan.FromMinutes(2)] } };
        var b = new DwcpConfig { Streaming = new StreamingConfig { WindowSizes = [TimeSpan.FromMinutes(2)] } };
        var c = new DwcpConfig { Streaming = new StreamingConfig { WindowSizes = [TimeSpan.FromMinutes(3)] } };

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, c);
        Assert.Equal(new ApiConfig { Urls = ["http://a:1"] }, new ApiConfig { Urls = ["http://a:1"] });
        Assert.NotEqual(new ApiConfig { Urls = ["http://a:1"] }, new ApiConfig { Urls = ["http://a:2"] });
    }

    [Fact]
    public void Lists_given_to_a_config_are_copied_so_later_changes_do_not_leak_in()
    {
        var windows = new List<TimeSpan> { TimeSpan.FromMinutes(1) };
        var streaming = new StreamingConfig { WindowSizes = windows };

        windows.Add(TimeSpan.FromMinutes(2));

        Assert.Single(streaming.WindowSizes);
        Assert.IsNotType<TimeSpan[]>(streaming.WindowSizes);
    }
}
