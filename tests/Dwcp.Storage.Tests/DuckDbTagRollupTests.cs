using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Storage.Tests;

/// <summary>
/// DuckDB's tag rollups (<c>cost_tag_daily</c>, <c>cost_tag_summary_daily</c>): a query on one tag key reads them, the
/// untagged group is the daily rollup minus the tagged rows, and every answer equals the raw rows and hand-computed sums.
/// </summary>
public sealed class DuckDbTagRollupTests : IDisposable
{
    private static readonly DateOnly Day = new(2024, 4, 3);
    private static readonly CostGrouping Dept = CostGrouping.ForTag("Department");
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-tags");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static FocusRow Row(string account, int day, string service, decimal billed, Dictionary<string, string>? tags, string? unit = "Hours", string currency = "USD")
    {
        var r = TestRows.Make(account, Day.AddDays(day), service, billed, consumed: unit is null ? null : billed * 2, unit: unit, tags: tags, currency: currency);
        r.SubAccountId = "sa-" + service;
        return r;
    }

    private static Task LoadAsync(ICostStore store, params FocusRow[] rows) => DuckDbTestFiles.LoadAsync(store, rows);

    private object? Scalar(string sql) => DuckDbTestFiles.Scalar(_dir, sql);

    private static async Task<List<string>> SameOnBothPathsAsync(ICostStore store, CostAggregation spec)
    {
        var raw = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(ApproximateQueryContract.Describe).ToList();
        Assert.Equal(raw, (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(ApproximateQueryContract.Describe));
        Assert.Equal(raw, (await store.AggregateAsync(spec)).Select(ApproximateQueryContract.Describe));
        Assert.Equal(await store.CountLinesAsync(spec with { Source = CostSource.Raw }), await store.CountLinesAsync(spec with { Source = CostSource.Rollup }));
        return raw;
    }

    [Fact]
    public void Only_queries_on_one_tag_key_with_summary_dimensions_can_use_the_tag_rollup()
    {
        var range = new CostAggregation { From = Day, To = Day };
        Assert.Equal("Department", (range with { GroupBy = [Dept, new(CostDimension.Service)] }).TagRollupKey);
        Assert.Equal("Department", (range with { GroupBy = [new(CostDimension.Region)], Filters = [new(Dept, ["Eng"])] }).TagRollupKey);
        Assert.Equal("Department", (range with { GroupBy = [Dept], Filters = [new(Dept, ["Eng", null])] }).TagRollupKey);
        Assert.Null((range with { GroupBy = [Dept], Filters = [new(CostGrouping.ForTag("Env"), ["prod"])] }).TagRollupKey);
        Assert.Null((range with { GroupBy = [Dept, new(CostDimension.SubAccount)] }).TagRollupKey);
        Assert.Null((range with { GroupBy = [Dept, new(CostDimension.Resource)] }).TagRollupKey);
        Assert.Null((range with { GroupBy = [Dept], Percentiles = true }).TagRollupKey);
        Assert.Null((range with { GroupBy = [Dept], Sample = 0.5 }).TagRollupKey);
        Assert.Null((range with { GroupBy = [new(CostDimension.Service)] }).TagRollupKey);
        Assert.True((range with { GroupBy = [Dept] }).RollupCanAnswer);
        Assert.False((range with { GroupBy = [Dept] }).SummaryCanAnswer);
        Assert.False((range with { GroupBy = [Dept, CostGrouping.ForTag("Env")] }).RollupCanAnswer);
    }

    [Fact]
    public async Task Tag_groups_equal_hand_computed_sums_with_the_untagged_rows_as_their_own_group()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        await LoadAsync(store,
            Row("A1", 0, "S", 10m, new() { ["Department"] = "Eng", ["Env"] = "prod" }),
            Row("A1", 0, "S", 2.5m, new() { ["Department"] = "Ops" }, unit: "GB"),
            Row("A1", 0, "S", 1.25m, new() { ["Env"] = "dev" }),
            Row("A1", 1, "T", 4m, null, unit: "GB"),
            Row("A2", 1, "T", 0.125m, new() { ["Department"] = "Eng" }),
            Row("A2", 1, "T", 7m, null, currency: "EUR"));
        var range = new CostAggregation { From = Day, To = Day.AddDays(3), GroupBy = [Dept] };

        // Eng: 10 + 0.125 (Hours); Ops: 2.5 (GB); untagged USD: 1.25 Hours + 4 GB (two units: no quantity); EUR: 7.
        var lines = await SameOnBothPathsAsync(store, range);
        Assert.Equal(
        [
            "|∅|EUR|7|7|7|14|Hours|1|False",
            "|Eng|USD|10.125|10.125|10.125|20.25|Hours|2|False",
            "|∅|USD|5.25|5.25|5.25|-||2|False",
            "|Ops|USD|2.5|2.5|2.5|5|GB|1|False",
        ], lines);

        // Only the untagged rows, by service and day: the untagged group keeps its unit where it has one.
        var untagged = await SameOnBothPathsAsync(store, range with { GroupBy = [new(CostDimension.Service)], Filters = [new(Dept, [null])], Grain = CostGrain.Day });
        Assert.Equal(["2024-04-03|S|USD|1.25|1.25|1.25|2.5|Hours|1|False", "2024-04-04|T|EUR|7|7|7|14|Hours|1|False", "2024-04-04|T|USD|4|4|4|8|GB|1|False"], untagged);

        var total = Assert.Single(await store.TotalsAsync(Day, Day.AddDays(3), [new CostFilter(Dept, ["Eng", "Ops"])]));
        Assert.Equal(12.625m, total.BilledCost);
        Assert.Equal(3, total.RowCount);
        Assert.Equal(true, Scalar(DuckDbTagRollup.Fresh));
        Assert.Equal(5L, Convert.ToInt64(Scalar("SELECT count(*) FROM cost_tag_daily"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_version_3_store_migrates_and_builds_the_tag_rollup_of_loads_committed_before()
    {
        var spec = new CostAggregation { From = Day, To = Day.AddDays(3), GroupBy = [Dept] };
        List<string> before;
        await using (var store = DuckDbCostStore.Open(_dir))
        {
            await LoadAsync(store, Row("A1", 0, "S", 10m, new() { ["Department"] = "Eng" }), Row("A1", 1, "S", 1m, null));
            before = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(ApproximateQueryContract.Describe).ToList();
        }

        Scalar("DROP TABLE cost_tag_daily; DROP TABLE cost_tag_daily_loads; DROP TABLE cost_tag_summary_daily; DROP TABLE cost_tag_summary_state; " +
               "DELETE FROM schema_version WHERE version >= 4");
        await using (var store = DuckDbCostStore.Open(_dir))
        {
            Assert.Equal(5, (await store.GetInfoAsync()).SchemaVersion);
            Assert.Equal(before, await SameOnBothPathsAsync(store, spec));
        }

        Assert.Equal(1L, Convert.ToInt64(Scalar("SELECT count(*) FROM cost_tag_daily_loads"), CultureInfo.InvariantCulture));
        Assert.Equal(["|Eng|USD|10|10|10|20|Hours|1|False", "|∅|USD|1|1|1|2|Hours|1|False"], before);
    }

    [Fact]
    public async Task A_key_repeated_within_a_row_counts_once_at_its_first_value_as_in_the_raw_rows()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        var row = Row("A1", 0, "S", 3m, null);
        row.NormalizedTags = [new("Department", "Eng"), new("Department", "Ops"), new("Env", "prod")];
        await LoadAsync(store, row, Row("A1", 0, "S", 1m, new() { ["Department"] = "Ops" }));
        var lines = await SameOnBothPathsAsync(store, new CostAggregation { From = Day, To = Day, GroupBy = [Dept] });
        Assert.Equal(["|Eng|USD|3|3|3|6|Hours|1|False", "|Ops|USD|1|1|1|2|Hours|1|False"], lines);
    }

    [Fact]
    public async Task Restatements_switch_the_tag_rollup_with_the_rows_and_a_stale_tag_summary_is_never_read()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        var spec = new CostAggregation { From = Day, To = Day.AddDays(40), GroupBy = [Dept, new(CostDimension.BillingAccount)] };
        await LoadAsync(store, Row("A1", 0, "S", 10m, new() { ["Department"] = "Eng" }), Row("A2", 0, "S", 3m, new() { ["Department"] = "Ops" }), Row("A2", 0, "S", 1m, null));
        Assert.Equal(["|Eng,A1|USD|10|10|10|20|Hours|1|False", "|Ops,A2|USD|3|3|3|6|Hours|1|False", "|∅,A2|USD|1|1|1|2|Hours|1|False"], await SameOnBothPathsAsync(store, spec));

        // Restating A1's April retags its cost; A2 and its untagged row are untouched. Poison the tag summary too: once the
        // versions change it must be neither read nor kept.
        Scalar("UPDATE cost_tag_summary_daily SET billed = billed + 1000");
        await LoadAsync(store, Row("A1", 0, "S", 6m, new() { ["Department"] = "Ops" }), Row("A1", 1, "S", 2m, null));
        Assert.Equal(false, Scalar(DuckDbTagRollup.Fresh));
        Assert.Equal(
            ["|Ops,A1|USD|6|6|6|12|Hours|1|False", "|Ops,A2|USD|3|3|3|6|Hours|1|False", "|∅,A1|USD|2|2|2|4|Hours|1|False", "|∅,A2|USD|1|1|1|2|Hours|1|False"],
            await SameOnBothPathsAsync(store, spec));
        Assert.Equal(true, Scalar(DuckDbTagRollup.Fresh));
        Assert.Equal(9m, Convert.ToDecimal(Scalar("SELECT sum(billed) FROM cost_tag_summary_daily"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Seeded_rows_give_the_same_answers_from_the_tag_rollup_as_from_the_rows_for_every_query_shape()
    {
        await using var store = DuckDbCostStore.Open(_dir);
        var rng = new Random(7);
        string[] units = ["Hours", "GB", ""];
        FocusRow Random(int i)
        {
            var tags = new Dictionary<string, string>();
            if (rng.Next(3) > 0)
            {
                tags["Department"] = "d" + rng.Next(3);
            }

            if (rng.Next(2) == 0)
            {
                tags["Env"] = rng.Next(2) == 0 ? "prod" : "dev";
            }

            var unit = units[rng.Next(units.Length)];
            var r = Row("A" + rng.Next(3), rng.Next(45), "svc" + rng.Next(4), Math.Round((decimal)rng.NextDouble() * 100m, 9) - (rng.Next(10) == 0 ? 50m : 0m),
                tags.Count > 0 ? tags : null, unit.Length == 0 ? null : unit, rng.Next(5) == 0 ? "EUR" : "USD");
            r.RegionId = rng.Next(4) == 0 ? null : "r" + rng.Next(2);
            return r;
        }

        await LoadAsync(store, Enumerable.Range(0, 600).Select(Random).ToArray());
        await LoadAsync(store, Enumerable.Range(0, 100).Select(i => Random(i)).Where(r => r.BillingAccountId == "A1").ToArray());

        var env = CostGrouping.ForTag("Env");
        var service = new CostGrouping(CostDimension.Service);
        var specs = new List<CostAggregation>();
        // Hourly answers come from the rows (the tag rollup is daily).
        Assert.Null(new CostAggregation { From = Day, To = Day, GroupBy = [Dept], Grain = CostGrain.Hour }.TagRollupKey);
        foreach (var grain in Enum.GetValues<CostGrain>().Where(g => g != CostGrain.Hour))
        {
            specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [Dept], Grain = grain });
            specs.Add(new() { From = Day.AddDays(3), To = Day.AddDays(30), GroupBy = [env, service], Grain = grain, RankBy = CostMeasure.Effective });
        }

        specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [Dept], Filters = [new(Dept, ["d1", null])] });
        specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [new(CostDimension.Region)], Filters = [new(env, ["prod"]), new(service, ["svc1", "svc2"])] });
        specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [Dept, new(CostDimension.Currency)], KeepKeys = [["d0", "USD"], [null, "EUR"]] });
        specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [Dept], Grain = CostGrain.Day, Limit = 7, Offset = 5, RankBy = CostMeasure.List });
        specs.Add(new() { From = Day, To = Day.AddDays(44), Filters = [new(env, [null])] });
        specs.Add(new() { From = Day, To = Day.AddDays(44), GroupBy = [Dept], Filters = [new(Dept, [])] });
        specs.Add(new() { From = Day.AddDays(10), To = Day, GroupBy = [Dept] });

        foreach (var spec in specs)
        {
            await SameOnBothPathsAsync(store, spec);
        }

        // And totals with a tag filter equal the sums of the visible rows, computed here without the store.
        var rows = await store.ReadRowsAsync(Day, Day.AddDays(44), []).ToListAsync();
        var expected = rows.Where(r => r.BillingCurrency == "USD" && !r.NormalizedTags.Any(t => t.Key == "Env")).Sum(r => r.BilledCost!.Value);
        var totals = await store.TotalsAsync(Day, Day.AddDays(44), [new CostFilter(env, [null])]);
        Assert.Equal(expected, totals.Single(t => t.Currency == "USD").BilledCost);
    }
}
