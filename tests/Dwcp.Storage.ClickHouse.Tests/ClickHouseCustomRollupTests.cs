using System.Globalization;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>What the ClickHouse store adds for custom-aggregation rows: the table on an older database, recovery, merges.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseCustomRollupTests(ClickHouseFixture fixture) : IAsyncLifetime
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

    private static CustomRollup Custom(string name, double value) => RollupStoreContract.Custom(T0, TimeSpan.FromMinutes(1), name, value);

    private async Task<string> ScalarAsync(string sql) => (await _costs.Coordinator.QueryAsync(sql, CancellationToken.None)).Single()[0]!;

    [Fact]
    public async Task A_database_from_before_custom_rollups_gets_the_table_at_its_next_open_and_keeps_its_metric_rows()
    {
        var metric = RollupStoreContract.Row(T0, TimeSpan.FromMinutes(1), "cpu");
        await using (var store = await ClickHouseRollupStore.OpenAsync(_costs, _time))
        {
            await store.AppendAsync([metric]);
        }

        await _costs.Coordinator.ExecuteAsync("DROP TABLE stream_custom_rollups", CancellationToken.None);
        await _costs.DisposeAsync();
        _costs = await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(_database), _time);

        var engine = await ScalarAsync($"SELECT engine_full FROM system.tables WHERE database = '{_database}' AND name = 'stream_custom_rollups'");
        Assert.StartsWith("ReplacingMergeTree(version) PARTITION BY toYYYYMM(window_start) ORDER BY (name, window_size_us, event_type, window_start", engine, StringComparison.Ordinal);
        await using var reopened = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var custom = Custom("agg", 4.5);
        await reopened.AppendAsync([], [custom]);
        Assert.Equal([metric], await reopened.QueryAsync(new RollupQuery()));
        Assert.Equal([custom], await reopened.QueryCustomAsync(new CustomRollupQuery()));
    }

    [Fact]
    public async Task Custom_rows_of_an_append_that_died_before_its_commit_stay_invisible_after_a_restart()
    {
        var kept = Custom("agg", 1);
        await using (var store = await ClickHouseRollupStore.OpenAsync(_costs, _time))
        {
            await store.AppendAsync([], [kept]);
        }

        // A process died after its custom INSERT and before recording the batch: only the custom table holds the version.
        var orphanVersion = ulong.Parse(await ScalarAsync("SELECT max(version) FROM stream_custom_rollups"), CultureInfo.InvariantCulture) + 1000;
        await _costs.Coordinator.ExecuteAsync(
            "INSERT INTO stream_custom_rollups (window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
            "service, account, tags, name, type, value_bits, partial, event_count, written_at, version) " +
            "SELECT window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
            $"service, account, tags, name, type, value_bits + 1, partial, event_count + 1, written_at, toUInt64({orphanVersion}) FROM stream_custom_rollups", CancellationToken.None);

        await using var reopened = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var extra = Custom("other", 2);
        await reopened.AppendAsync([], [extra]);

        Assert.Equal(RollupStoreContract.Ordered([kept, extra]), await reopened.QueryCustomAsync(new CustomRollupQuery()));
        Assert.Equal($"aborted\t{orphanVersion}", string.Join('\t', (await _costs.Coordinator.QueryAsync(
            "SELECT status, version FROM stream_rollup_batches WHERE status = 'aborted'", CancellationToken.None)).Single()));
    }

    [Fact]
    public async Task A_rewrite_is_read_once_before_merges_and_merges_keep_only_the_latest_row()
    {
        await using var store = await ClickHouseRollupStore.OpenAsync(_costs, _time);
        var a = Custom("agg", 1);
        await store.AppendAsync([], [a]);
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.AppendAsync([], [a with { Value = double.NaN, Partial = true }]);

        Assert.Equal("2", await ScalarAsync("SELECT count() FROM stream_custom_rollups"));
        Assert.Equal([a with { Value = double.NaN, Partial = true }], await store.QueryCustomAsync(new CustomRollupQuery()));

        await _costs.Coordinator.ExecuteAsync("OPTIMIZE TABLE stream_custom_rollups FINAL", CancellationToken.None);
        Assert.Equal("1", await ScalarAsync("SELECT count() FROM stream_custom_rollups"));
        Assert.Equal("1", await ScalarAsync("SELECT partial FROM stream_custom_rollups"));
        Assert.Equal([a with { Value = double.NaN, Partial = true }], await store.QueryCustomAsync(new CustomRollupQuery()));
    }
}
