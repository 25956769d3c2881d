using System.Text;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>Schema migrations (with golden DDL), topology and version checks, and values ClickHouse cannot hold.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseSchemaTests(ClickHouseFixture fixture)
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    /// <summary>The DDL of every migration as text, for the golden files.</summary>
    internal static string Render(ClickHouseTopology topology)
    {
        var sb = new StringBuilder();
        foreach (var (version, description, statements) in ClickHouseSchema.Migrations(topology))
        {
            sb.Append("-- migration ").Append(version).Append(": ").Append(description).Append('\n');
            foreach (var s in statements)
            {
                sb.Append("\n-- on ").Append(s.Target).Append(", stage ").Append(s.Stage).Append('\n').Append(s.Sql.ReplaceLineEndings("\n")).Append(";\n");
            }
        }

        return sb.ToString();
    }

    [Theory]
    [InlineData(false, "schema-v4-single.sql")]
    [InlineData(true, "schema-v4-sharded.sql")]
    public void The_migrations_match_the_golden_DDL(bool sharded, string golden)
    {
        // A schema change must be deliberate: update the golden file (and add a migration) in the same change.
        var expected = File.ReadAllText(RepoPaths.Of("tests", "Dwcp.Storage.ClickHouse.Tests", "golden", golden)).ReplaceLineEndings("\n");
        Assert.Equal(expected, Render(new ClickHouseTopology("dwcp", sharded, "dwcp")));
    }

    [Fact]
    public async Task The_schema_version_is_recorded_once_and_reopening_changes_nothing()
    {
        var options = fixture.Servers.SingleOptions(fixture.Servers.NewDatabase());
        for (var i = 0; i < 3; i++)
        {
            await using var store = await ClickHouseCostStore.OpenAsync(options);
            Assert.Equal(4, (await store.GetInfoAsync()).SchemaVersion);
            var versions = await store.Coordinator.QueryAsync("SELECT version, count() FROM schema_version GROUP BY version ORDER BY version", default);
            Assert.Equal(["1:1", "2:1", "3:1", "4:1"], versions.Select(v => $"{v[0]}:{v[1]}"));
            var tables = await store.Coordinator.QueryAsync("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE '%hourly%' ORDER BY name", default);
            Assert.Equal(["cost_summary_hourly", "cost_summary_hourly_mv"], tables.Select(t => t[0]));
        }
    }

    [Fact]
    public async Task Migrations_2_to_4_fill_the_summary_tag_and_hourly_rollups_from_rows_stored_before_them_and_only_once()
    {
        var options = fixture.Servers.SingleOptions(fixture.Servers.NewDatabase());
        var spec = new CostAggregation
        {
            From = Jan1, To = Jan1.AddDays(40), GroupBy = [new Core.Costs.CostGrouping(Core.Costs.CostDimension.Service)], Grain = Core.Costs.CostGrain.Day,
        };
        List<string> raw;
        await using (var store = await ClickHouseCostStore.OpenAsync(options))
        {
            await using (var s = await store.BeginLoadAsync(new LoadRequest("before the summary")))
            {
                for (var i = 0; i < 60; i++)
                {
                    var tags = i % 3 == 0 ? null : new Dictionary<string, string> { ["team"] = i % 3 == 1 ? "a" : "b" };
                    var r = TestRows.Make(i % 2 == 0 ? "A1" : "A2", Jan1.AddDays(i % 35), i % 3 == 0 ? "S3" : "S1", 1.5m + i, tags: tags);
                    r.SubAccountId = "sub" + (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    s.Append(r);
                }

                await s.CommitAsync();
            }

            store.Routing = RollupRouting.RawOnly;
            raw = (await store.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList();
            Assert.True(raw.Count > 30, $"{raw.Count} lines");

            store.Routing = RollupRouting.Auto;

            // Make it a version-1 database: no summary or tag table or view, and no record of any migration.
            foreach (var table in new[] { "cost_summary_daily_mv", "cost_summary_daily", "cost_tag_daily_mv", "cost_tag_daily", "cost_summary_hourly_mv", "cost_summary_hourly", "schema_version" })
            {
                await store.Coordinator.ExecuteAsync("DROP TABLE " + table, default);
            }
        }

        var byTag = spec with { GroupBy = [Core.Costs.CostGrouping.ForTag("team")] };
        for (var open = 0; open < 2; open++)
        {
            await using var store = await ClickHouseCostStore.OpenAsync(options);
            Assert.Equal(4, (await store.GetInfoAsync()).SchemaVersion);
            Assert.Equal(AggregationSource.Summary, store.SourceFor(spec));
            var hourly = await store.Coordinator.QueryAsync("SELECT countMerge(row_count) FROM cost_summary_hourly", default);
            Assert.Equal("60", hourly.Single()[0]);
            Assert.Equal(raw, (await store.AggregateAsync(spec)).Select(CostDataSet.Describe));
            var rows = await store.Coordinator.QueryAsync("SELECT countMerge(row_count) FROM cost_summary_daily", default);
            Assert.Equal("60", rows.Single()[0]);

            // Migration 3 filled the tag rollup once: 40 of the 60 rows carry the tag; team b's 20 rows cost 1.5 + 3i.
            Assert.Equal(AggregationSource.Tag, store.SourceFor(byTag));
            var tags = (await store.AggregateAsync(byTag)).Select(CostDataSet.Describe).ToList();
            store.Routing = RollupRouting.RawOnly;
            Assert.Equal((await store.AggregateAsync(byTag)).Select(CostDataSet.Describe), tags);
            store.Routing = RollupRouting.Auto;
            var tagged = await store.Coordinator.QueryAsync("SELECT countMerge(row_count) FROM cost_tag_daily", default);
            Assert.Equal("40", tagged.Single()[0]);
            var teamB = Enumerable.Range(0, 60).Where(i => i % 3 == 2).Sum(i => 1.5m + i);
            var totals = await store.TotalsAsync(Jan1, Jan1.AddDays(40), [new Core.Costs.CostFilter(Core.Costs.CostGrouping.ForTag("team"), ["b"])]);
            Assert.Equal(teamB, totals.Single().BilledCost);
        }
    }

    [Fact]
    public async Task A_schema_newer_than_the_build_is_refused()
    {
        var options = fixture.Servers.SingleOptions(fixture.Servers.NewDatabase());
        await using (var store = await ClickHouseCostStore.OpenAsync(options))
        {
            await store.Coordinator.ExecuteAsync("INSERT INTO schema_version VALUES (99, 'future', now())", default);
        }

        var ex = await Assert.ThrowsAsync<StoreException>(() => ClickHouseCostStore.OpenAsync(options));
        Assert.Contains("schema version 99, newer than this build understands (4)", ex.Message);
    }

    [Fact]
    public async Task A_database_created_on_one_server_cannot_be_opened_as_a_sharded_one()
    {
        var database = fixture.Servers.NewDatabase();
        await (await ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(database) with { Urls = [fixture.Servers.ShardUrls[0]], Shards = 1 })).DisposeAsync();
        var ex = await Assert.ThrowsAsync<StoreException>(() => ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(database)));
        Assert.Contains($"Database {database}", ex.Message);
        Assert.Contains("was created for a single server", ex.Message);
    }

    [Fact]
    public async Task A_cluster_the_servers_do_not_define_is_reported()
    {
        var ex = await Assert.ThrowsAsync<StoreException>(() => ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(fixture.Servers.NewDatabase()) with { Cluster = "no_such_cluster" }));
        Assert.Contains("cluster 'no_such_cluster' with 0 shard(s)", ex.Message);
        Assert.Contains("remote_servers", ex.Message);
    }

    [Fact]
    public async Task Dates_and_amounts_ClickHouse_cannot_hold_are_refused_with_the_rows_location()
    {
        await using var store = await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(fixture.Servers.NewDatabase()));
        await using var s = await store.BeginLoadAsync(new LoadRequest("bad"));
        var old = TestRows.Make("A", new DateOnly(1969, 12, 31), "s", 1m);
        old.SourceFile = "bill.csv";
        old.SourceLine = 7;
        var ex = Assert.Throws<StoreException>(() => s.Append(old));
        Assert.Contains("row bill.csv:7: ChargePeriodStart = 1969-12-31 00:00:00 is outside what ClickHouse DateTime holds", ex.Message);

        var huge = TestRows.Make("A", Jan1, "s", 1e24m);
        huge.SourceFile = "bill.csv";
        huge.SourceLine = 8;
        ex = Assert.Throws<StoreException>(() => s.Append(huge));
        Assert.Contains("row bill.csv:8: BilledCost = 1000000000000000000000000 does not fit ClickHouse's Decimal(38, 15)", ex.Message);
    }

    [Fact]
    public async Task A_load_of_many_chunks_holds_every_row_once_and_sub_second_times_survive()
    {
        await using var store = await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(fixture.Servers.NewDatabase()) with { InsertChunkRows = 30 });
        var rows = Enumerable.Range(0, 100).Select(i =>
        {
            var r = TestRows.Make($"acct{i % 3}", Jan1.AddDays(i % 31), $"svc{i}", i * 1.01m);
            r.ChargePeriodEnd = r.ChargePeriodStart!.Value.AddTicks(i * 12_345_670);
            return r;
        }).ToList();
        await using (var s = await store.BeginLoadAsync(new LoadRequest("chunks")))
        {
            rows.ForEach(s.Append);
            Assert.Equal(100, (await s.CommitAsync()).RowCount);
        }

        var back = await store.ReadRowsAsync(Jan1, Jan1.AddDays(30), []).ToListAsync();
        Assert.Equal(rows.Select(r => r.ServiceName), back.Select(r => r.ServiceName));
        Assert.Equal(rows.Select(r => r.ChargePeriodEnd), back.Select(r => r.ChargePeriodEnd));
        Assert.Equal(rows.Sum(r => r.BilledCost!.Value), back.Sum(r => r.BilledCost!.Value));
        Assert.Equal(new Dictionary<long, long> { [1] = 100 }, await store.StoredRowsByLoadAsync(default));
    }

    [Fact]
    public void Every_FOCUS_column_is_stored_with_its_micros_column_after_date_times()
    {
        var columns = ClickHouseSchema.RowColumns;
        Assert.Equal(3 + FocusColumns.Count + FocusColumns.All.Count(c => c.DataType == FocusDataType.DateTime) + 5, columns.Count);
        Assert.All(FocusColumns.All.Where(c => c.DataType == FocusDataType.DateTime),
            c => Assert.Equal(c.Name + "_us", columns[columns.ToList().IndexOf(c.Name) + 1]));
    }
}
