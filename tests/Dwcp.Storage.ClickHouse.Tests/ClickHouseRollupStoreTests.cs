using System.Globalization;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>What the ClickHouse rollup store adds to the contract: its table, versions, recovery and input range.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseRollupStoreTests(ClickHouseFixture fixture) : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _database = fixture.Servers.NewDatabase();
    private readonly ManualTime _time = new(new DateTimeOffset(2026, 5, 1, 13, 0, 0, TimeSpan.Zero));
    private ClickHouseCostStore _costs = null!;

    public async Task InitializeAsync() => _costs = await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(_database), _time);

    public async Task DisposeAsync()
    {
        await _costs.DisposeAsync();
        await fixture.Servers.DropDatabaseAsync(_database);
    }

    private static WindowRollup Row(string metric, double seed, DateTimeOffset? start = null) =>
        RollupStoreContract.Row(start ?? T0, TimeSpan.FromMinutes(1), metric, seed: seed);

    private async Task<string> ScalarAsync(string sql) => (await _costs.Coordinator.QueryAsync(sql, CancellationToken.None)).Single()[0]!;

    [Fact]
    public async Task The_cost_store_open_creates_a_monthly_ReplacingMergeTree_keyed_for_the_dashboard()
    {
        var engine = await ScalarAsync($"SELECT engine_full FROM system.tables WHERE database = '{_database}' AND name = 'stream_rollups'");

        Assert.StartsWith("ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start) ORDER BY (metric, window_size_us, event_type, window_start", engine, StringComparison.Ordinal);
        Assert.Equal("1", await ScalarAsync($"SELECT count() FROM system.tables WHERE database = '{_database}' AND name = 'stream_rollup_batches'"));
    }

    [Fact]
    public async Task A_rewrite_is_read_once_before_merges_and_merges_keep_only_the_latest_row()
    {
        await using var store = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var a = Row("cpu", 1);
        await store.AppendAsync([a, Row("mem", 2)]);
        await store.AppendAsync([a with { Sum = 5 }]);
        await store.AppendAsync([a with { Sum = 7 }]);

        Assert.Equal("4", await ScalarAsync("SELECT count() FROM stream_rollups")); // stored: three versions of cpu, one of mem
        Assert.Equal([7.0, 20.0], (await store.QueryAsync(new RollupQuery())).Select(r => r.Sum));

        await _costs.Coordinator.ExecuteAsync("OPTIMIZE TABLE stream_rollups FINAL", CancellationToken.None);
        Assert.Equal("2", await ScalarAsync("SELECT count() FROM stream_rollups"));
        Assert.Equal([7.0, 20.0], (await store.QueryAsync(new RollupQuery())).Select(r => r.Sum));
    }

    [Fact]
    public async Task A_rewrite_after_a_restart_wins_even_when_the_clock_went_back()
    {
        var a = Row("cpu", 1);
        await using (var first = await ClickHouseRollupStore.OpenAsync(_costs, _time))
        {
            await first.AppendAsync([a]);
        }

        _time.Advance(TimeSpan.FromHours(-2));
        await using var second = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        await second.AppendAsync([a with { Sum = -3 }]);

        Assert.Equal(-3, Assert.Single(await second.QueryAsync(new RollupQuery())).Sum);
    }

    [Fact]
    public async Task Rows_of_an_append_that_died_before_its_commit_stay_invisible_after_a_restart()
    {
        var kept = Row("cpu", 1);
        await using (var store = await ClickHouseRollupStore.OpenAsync(_costs, _time))
        {
            await store.AppendAsync([kept]);
        }

        // A process died after its INSERT and before recording the batch: rows with a newer version, no batch row.
        var orphanVersion = ulong.Parse(await ScalarAsync("SELECT max(version) FROM stream_rollups"), CultureInfo.InvariantCulture) + 1000;
        await _costs.Coordinator.ExecuteAsync(
            "INSERT INTO stream_rollups (window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
            "service, account, tags, metric, event_count, value_count, sum_bits, last_at, last_at_us, written_at, version) " +
            "SELECT window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
            $"service, account, tags, metric, event_count + 1, value_count, sum_bits + 1, last_at, last_at_us, written_at, toUInt64({orphanVersion}) FROM stream_rollups", CancellationToken.None);

        await using var reopened = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var extra = Row("mem", 2);
        await reopened.AppendAsync([extra]);

        Assert.Equal(RollupStoreContract.Ordered([kept, extra]), await reopened.QueryAsync(new RollupQuery()));
        Assert.Equal($"aborted\t{orphanVersion}", string.Join('\t', (await _costs.Coordinator.QueryAsync(
            "SELECT status, version FROM stream_rollup_batches WHERE status = 'aborted'", CancellationToken.None)).Single()));
    }

    [Fact]
    public async Task A_time_ClickHouse_cannot_hold_is_refused_with_the_row_and_field_and_nothing_is_written()
    {
        await using var store = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var early = Row("cpu", 1, new DateTimeOffset(1969, 12, 31, 23, 59, 0, TimeSpan.Zero));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Row("mem", 1), early]));

        Assert.Contains("Rollup row 1 (metric 'cpu'): WindowStart 1969-12-31T23:59:00.0000000+00:00 is outside", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1970-01-01 to 2106-02-07", ex.Message, StringComparison.Ordinal);
        var nullMetric = await Assert.ThrowsAsync<ArgumentException>(() => store.AppendAsync([Row(null!, 1)]));
        Assert.Contains("Rollup row 0", nullMetric.Message, StringComparison.Ordinal);
        Assert.Contains("Metric is null", nullMetric.Message, StringComparison.Ordinal);
        Assert.Equal("0", await ScalarAsync("SELECT count() FROM stream_rollups"));
    }

    [Fact]
    public async Task Special_floats_and_extreme_values_round_trip()
    {
        await using var store = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var r = Row("cpu", 1) with
        {
            Sum = double.MaxValue, Min = double.NegativeInfinity, Max = double.PositiveInfinity, Average = double.NaN, Last = double.Epsilon,
            P50 = -0.1, EventCount = long.MaxValue, Count = long.MinValue,
        };

        await store.AppendAsync([r]);

        RollupStoreContract.AssertSameRows([r], await store.QueryAsync(new RollupQuery()));
    }
}
