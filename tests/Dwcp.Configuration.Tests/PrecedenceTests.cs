namespace Dwcp.Configuration.Tests;

public sealed class PrecedenceTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public PrecedenceTests() => _dir.Write("""
        analytics:
          data_dir: /from/file
          streaming:
            buffer_size: 111
          api:
            query_timeout: 5s
            max_results: 222
        """);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_file_overrides_the_defaults()
    {
        var loaded = _dir.Load();

        Assert.Equal(TimeSpan.FromSeconds(5), loaded.Config.Api.QueryTimeout);
        Assert.Equal("dwcp.yaml:6", loaded.Sources["api.query_timeout"]);
        Assert.Equal("default", loaded.Sources["api.cache_enabled"]);
    }

    [Fact]
    public void The_environment_overrides_the_file()
    {
        var loaded = _dir.Load(env: new()
        {
            ["DWCP_API_QUERY_TIMEOUT"] = "10s",
            ["DWCP_DATA_DIR"] = "/x",
            ["DWCP_STREAMING_BUFFER_SIZE"] = "5000",
        });

        Assert.Equal(TimeSpan.FromSeconds(10), loaded.Config.Api.QueryTimeout);
        Assert.Equal("/x", loaded.Config.DataDir);
        Assert.Equal(5000, loaded.Config.Streaming.BufferSize);
        Assert.Equal(222, loaded.Config.Api.MaxResults);
        Assert.Equal("env DWCP_API_QUERY_TIMEOUT", loaded.Sources["api.query_timeout"]);
        Assert.Equal("env DWCP_DATA_DIR", loaded.Sources["data_dir"]);
        Assert.Equal("env DWCP_STREAMING_BUFFER_SIZE", loaded.Sources["streaming.buffer_size"]);
        Assert.Equal("dwcp.yaml:7", loaded.Sources["api.max_results"]);
    }

    [Fact]
    public void Overrides_win_over_the_environment_and_the_file()
    {
        var loaded = _dir.Load(
            env: new() { ["DWCP_API_QUERY_TIMEOUT"] = "10s", ["DWCP_API_MAX_RESULTS"] = "333" },
            overrides: new() { ["api.query_timeout"] = "20s" });

        Assert.Equal(TimeSpan.FromSeconds(20), loaded.Config.Api.QueryTimeout);
        Assert.Equal(333, loaded.Config.Api.MaxResults);
        Assert.Equal(111, loaded.Config.Streaming.BufferSize);
        Assert.Equal("--api.query_timeout", loaded.Sources["api.query_timeout"]);
        Assert.Equal("env DWCP_API_MAX_RESULTS", loaded.Sources["api.max_results"]);
        Assert.Equal("dwcp.yaml:4", loaded.Sources["streaming.buffer_size"]);
        Assert.Equal("default", loaded.Sources["store"]);
    }

    [Fact]
    public void Overrides_apply_with_no_file_at_all()
    {
        using var empty = new ConfigDir();

        var loaded = empty.Load(overrides: new() { ["store"] = "duckdb", ["streaming.window_sizes"] = "1m,1h" });

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromHours(1)], loaded.Config.Streaming.WindowSizes);
        Assert.Equal("--store", loaded.Sources["store"]);
        Assert.Equal("--streaming.window_sizes", loaded.Sources["streaming.window_sizes"]);
    }

    [Fact]
    public void An_environment_variable_can_supply_the_url_that_store_clickhouse_in_the_file_needs()
    {
        _dir.Write("analytics:\n  store: clickhouse\n");

        var loaded = _dir.Load(env: new() { ["DWCP_CLICKHOUSE_URL"] = "http://ch:8123" });

        Assert.Equal(AnalyticsStore.ClickHouse, loaded.Config.Store);
        Assert.Equal(new Uri("http://ch:8123"), loaded.Config.ClickHouse.Url);
    }

    [Fact]
    public void A_bad_value_in_the_file_is_an_error_even_when_the_environment_overrides_it()
    {
        _dir.Write("analytics:\n  api:\n    query_timeout: fast\n");

        var error = _dir.LoadFails(env: new() { ["DWCP_API_QUERY_TIMEOUT"] = "10s" });

        Assert.Equal(3, error.Line);
    }
}
