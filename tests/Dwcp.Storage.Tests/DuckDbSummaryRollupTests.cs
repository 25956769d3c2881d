using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Storage.Tests;

/// <summary>
/// DuckDB's two rollup levels: <c>cost_summary_daily</c> (visible versions, no sub-account) for dashboard queries and
/// the per-load <c>cost_daily</c> for the rest; both must equal the raw rows, across restatements and migrations.
/// </summary>
public sealed class DuckDbSummaryRollupTests : IDisposable
{
    private static readonly DateOnly Day = new(2024, 4, 3);
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-summary");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FocusRow Row(string account, string subAccount, int day, string service, decimal billed)
    {
        var r = TestRows.Make(account, Day.AddDays(day), service, billed, consumed: billed * 2, unit: "Hours");
        r.SubAccountId = subAccount;
        return r;
    }

    private static Task LoadAsync(ICostStore store, params FocusRow[] rows) => DuckDbTestFiles.LoadAsync(store, rows);

    private object? Scalar(string sql) => DuckDbTestFiles.Scalar(_dir, sql);

    private static async Task<List<string>> SameOnBothPathsAsync(ICostStore store, CostAggregation spec)
    {
        var raw = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(ApproximateQueryContract.Describe).ToList();
        Assert.NotEmpty(raw);
        Assert.Equal(raw, (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(ApproximateQueryContract.Describe));
        return raw;
    }

    [Fact]
    public async Task The_summary_folds_sub_accounts_and_sub_account_queries_still_equal_the_rows()
    {
        await using (var store = DuckDbCostStore.Open(_dir))
        {
            // Three sub-accounts of one account, same service and day: one summary row, three per-load rollup rows.
            await LoadAsync(store, Row("A1", "sa1", 0, "S", 1.25m), Row("A1", "sa2", 0, "S", 2.5m), Row("A1", "sa3", 0, "S", 4m), Row("A1", "sa1", 1, "T", 8m));
            var range = new CostAggregation { From = Day, To = Day.AddDays(5) };

            var byService = await SameOnBothPathsAsync(store, range with { GroupBy = [new CostGrouping(CostDimension.Service)] });
            Assert.Equal(["|T|USD|8|8|8|16|Hours|1|False", "|S|USD|7.75|7.75|7.75|15.5|Hours|3|False"], byService);
            var bySub = await SameOnBothPathsAsync(store, range with { GroupBy = [new CostGrouping(CostDimension.SubAccount)], Grain = CostGrain.Day });
            Assert.Equal(["2024-04-03|sa3|USD|4|4|4|8|Hours|1|False", "2024-04-03|sa2|USD|2.5|2.5|2.5|5|Hours|1|False",
                "2024-04-03|sa1|USD|1.25|1.25|1.25|2.5|Hours|1|False", "2024-04-04|sa1|USD|8|8|8|16|Hours|1|False"], bySub);
            var filtered = await SameOnBothPathsAsync(store, range with { Filters = [new CostFilter(new CostGrouping(CostDimension.SubAccount), ["sa2", "sa3"])] });
            Assert.Equal(["||USD|6.5|6.5|6.5|13|Hours|2|False"], filtered);
        }

        Assert.Equal(2L, Convert.ToInt64(Scalar("SELECT count(*) FROM cost_summary_daily"), CultureInfo.InvariantCulture));
        Assert.Equal(4L, Convert.ToInt64(Scalar("SELECT count(*) FROM cost_daily"), CultureInfo.InvariantCulture));
        Assert.Equal(true, Scalar(DuckDbDailyRollup.Fresh));
    }

    [Fact]
    public async Task A_summary_built_before_a_restatement_is_stale_after_it_and_never_read()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        var spec = new CostAggregation { From = Day, To = Day.AddDays(5), GroupBy = [new CostGrouping(CostDimension.BillingAccount)] };
        await LoadAsync(store, Row("A1", "sa1", 0, "S", 10m), Row("A2", "sa9", 0, "S", 3m));
        Assert.Equal(["|A1|USD|10|10|10|20|Hours|1|False", "|A2|USD|3|3|3|6|Hours|1|False"], await SameOnBothPathsAsync(store, spec));
        Assert.Equal(true, Scalar(DuckDbDailyRollup.Fresh));

        // Restating A1 changes the visible versions: the summary built before no longer matches them.
        await LoadAsync(store, Row("A1", "sa1", 0, "S", 1m), Row("A1", "sa1", 1, "S", 0.5m));
        Assert.Equal(false, Scalar(DuckDbDailyRollup.Fresh));
        Assert.Equal(["|A2|USD|3|3|3|6|Hours|1|False", "|A1|USD|1.5|1.5|1.5|3|Hours|2|False"], await SameOnBothPathsAsync(store, spec));
        Assert.Equal(true, Scalar(DuckDbDailyRollup.Fresh));
        var total = Assert.Single(await store.TotalsAsync(spec.From, spec.To, []));
        Assert.Equal(4.5m, total.BilledCost);
        Assert.Equal(3, total.RowCount);
    }

    [Fact]
    public async Task A_stale_summary_is_rebuilt_from_the_visible_versions_even_if_its_contents_were_damaged()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        var spec = new CostAggregation { From = Day, To = Day.AddDays(5), GroupBy = [new CostGrouping(CostDimension.Service)] };
        await LoadAsync(store, Row("A1", "sa1", 0, "S", 10m), Row("A1", "sa1", 2, "T", 2m));
        var expected = await SameOnBothPathsAsync(store, spec);

        // Poison the summary and mark it as built from other versions: the next read must not trust it.
        Scalar("UPDATE cost_summary_daily SET billed = billed + 1000; UPDATE cost_summary_state SET fingerprint = 'other'");
        Assert.Equal(false, Scalar(DuckDbDailyRollup.Fresh));
        Assert.Equal(expected, (await store.AggregateAsync(spec)).Select(ApproximateQueryContract.Describe));
        Assert.Equal(12m, Convert.ToDecimal(Scalar("SELECT sum(billed) FROM cost_summary_daily"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_version_2_store_with_lazily_created_rollup_tables_migrates_to_the_current_version()
    {
        var spec = new CostAggregation { From = Day, To = Day.AddDays(5), GroupBy = [new CostGrouping(CostDimension.Region)] };
        List<string> before;
        await using (var store = DuckDbCostStore.Open(_dir))
        {
            await LoadAsync(store, Row("A1", "sa1", 0, "S", 10m), Row("A2", "sa2", 1, "S", 5m));
            before = await SameOnBothPathsAsync(store, spec);
        }

        // What a version-2 file looks like: cost_daily and cost_daily_loads exist (built at read time), no summary tables.
        Scalar("DROP TABLE cost_summary_daily; DROP TABLE cost_summary_state; DROP TABLE cost_tag_daily; DROP TABLE cost_tag_daily_loads; " +
               "DROP TABLE cost_tag_summary_daily; DROP TABLE cost_tag_summary_state; DELETE FROM schema_version WHERE version >= 3");
        await using (var store = DuckDbCostStore.Open(_dir))
        {
            Assert.Equal(5, (await store.GetInfoAsync()).SchemaVersion);
            Assert.Equal(before, await SameOnBothPathsAsync(store, spec));
        }

        Assert.Equal(1L, Convert.ToInt64(Scalar("SELECT count(*) FROM cost_daily_loads"), CultureInfo.InvariantCulture));
        Assert.Equal(true, Scalar(DuckDbDailyRollup.Fresh));
    }
}
