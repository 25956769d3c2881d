namespace Dwcp.Configuration.Tests;

public sealed class ValueFormatTests : IDisposable
{
    private readonly ConfigDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("100ms", 100)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2m30s", 150_000)]
    [InlineData("30S", 30_000)]
    [InlineData(" 45s ", 45_000)]
    public void Durations_read_a_number_and_a_unit(string text, long milliseconds)
    {
        _dir.Write($"analytics:\n  api:\n    query_timeout: \"{text}\"\n");

        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), _dir.Load().Config.Api.QueryTimeout);
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("30")]
    [InlineData("30 s")]
    [InlineData("s")]
    [InlineData("1w")]
    [InlineData("PT30S")]
    [InlineData("00:00:30")]
    public void Text_that_is_not_a_number_and_a_unit_is_not_a_duration(string text)
    {
        var error = _dir.LoadFails(overrides: new() { ["api.query_timeout"] = text });

        Assert.Contains($"'{text.Trim()}' is not a duration", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10GB", 10_000_000_000L)]
    [InlineData("512MB", 512_000_000L)]
    [InlineData("1KB", 1_000L)]
    [InlineData("2TB", 2_000_000_000_000L)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("10GiB", 10_737_418_240L)]
    [InlineData("512MiB", 536_870_912L)]
    [InlineData("1KiB", 1_024L)]
    [InlineData("10G", 10_000_000_000L)]
    [InlineData("4Gi", 4_294_967_296L)]
    [InlineData("10gb", 10_000_000_000L)]
    [InlineData("10 GB", 10_000_000_000L)]
    [InlineData("1048576", 1_048_576L)]
    [InlineData("100B", 100L)]
    [InlineData("0", 0L)]
    public void Sizes_read_decimal_and_binary_units(string text, long bytes)
    {
        _dir.Write($"analytics:\n  clickhouse:\n    max_memory_usage: {text}\n");

        Assert.Equal(bytes, _dir.Load().Config.ClickHouse.MaxMemoryUsage);
    }

    [Fact]
    public void A_fraction_of_a_byte_is_refused()
    {
        var error = _dir.LoadFails(overrides: new() { ["clickhouse.max_memory_usage"] = "1.5" });

        Assert.Contains("'1.5' is not a whole number of bytes", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    [InlineData("yes", true)]
    [InlineData("no", false)]
    [InlineData("on", true)]
    [InlineData("off", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    public void Booleans_read_true_and_false_and_their_usual_spellings(string text, bool expected)
    {
        var loaded = _dir.Load(env: new() { ["DWCP_API_CACHE_ENABLED"] = text });

        Assert.Equal(expected, loaded.Config.Api.CacheEnabled);
    }

    [Theory]
    [InlineData("duckdb", AnalyticsStore.DuckDb)]
    [InlineData("clickhouse", AnalyticsStore.ClickHouse)]
    [InlineData("DuckDB", AnalyticsStore.DuckDb)]
    [InlineData("ClickHouse", AnalyticsStore.ClickHouse)]
    public void Stores_are_read_without_regard_to_case(string text, AnalyticsStore expected)
    {
        var loaded = _dir.Load(overrides: new() { ["store"] = text, ["clickhouse.url"] = "http://ch:8123" });

        Assert.Equal(expected, loaded.Config.Store);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("https://localhost:5001")]
    [InlineData("http://*:8080")]
    [InlineData("http://+:80")]
    [InlineData("http://[::1]:8080")]
    public void Api_urls_accept_kestrel_listen_addresses(string url)
    {
        var loaded = _dir.Load(overrides: new() { ["api.urls"] = url });

        Assert.Equal([url], loaded.Config.Api.Urls);
    }

    [Theory]
    [InlineData("localhost:8080")]
    [InlineData("ftp://host")]
    [InlineData("/relative")]
    public void Api_urls_refuse_what_is_not_an_http_address(string url)
    {
        var error = _dir.LoadFails(overrides: new() { ["api.urls"] = url });

        Assert.Contains($"'{url}' is not an http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comma_and_semicolon_both_separate_list_entries_in_text()
    {
        var loaded = _dir.Load(env: new() { ["DWCP_STREAMING_WINDOW_SIZES"] = "1m; 5m ,15m,, " });

        Assert.Equal([TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15)], loaded.Config.Streaming.WindowSizes);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("")]
    [InlineData("account=A|B;tag:Department=Eng")]
    [InlineData("tag:Env=prod|staging")]
    public void Scopes_accepted_by_the_cost_scope_parser_are_kept_as_written(string scope)
    {
        var loaded = _dir.Load(overrides: new() { ["scope"] = scope });

        Assert.Equal(scope, loaded.Config.Scope);
        Assert.Equal(Dwcp.Core.Costs.CostScope.Parse(scope), loaded.Config.ParseScope(), new ScopeComparer());
    }

    private sealed class ScopeComparer : IEqualityComparer<Dwcp.Core.Costs.CostScope>
    {
        public bool Equals(Dwcp.Core.Costs.CostScope? x, Dwcp.Core.Costs.CostScope? y) =>
            string.Equals(x?.ToString(), y?.ToString(), StringComparison.Ordinal);

        public int GetHashCode(Dwcp.Core.Costs.CostScope obj) => obj.ToString().GetHashCode(StringComparison.Ordinal);
    }
}
