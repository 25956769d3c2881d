using Dwcp.Core.Costs;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;
using DuckDB.NET.Data;

namespace Dwcp.Storage.Tests;

/// <summary>One DuckDB store with the sampling data set, shared by the contract cases.</summary>
public sealed class DuckDbApproximateFixture : IAsyncLifetime
{
    public DuckDbCostStore Store { get; } = DuckDbCostStore.OpenInMemory();

    public async Task InitializeAsync()
    {
        await using var s = await Store.BeginLoadAsync(new LoadRequest("sampling data"));
        foreach (var r in ApproximateData.Rows)
        {
            s.Append(r);
        }

        await s.CommitAsync();
    }

    public Task DisposeAsync() => Store.DisposeAsync().AsTask();
}

/// <summary>The approximate-query and read-path contract on DuckDB, and DuckDB's rollup across restatements.</summary>
public sealed class DuckDbApproximateTests(DuckDbApproximateFixture fixture) : ApproximateQueryContract, IClassFixture<DuckDbApproximateFixture>
{
    protected override Task<ICostStore> StoreAsync() => Task.FromResult<ICostStore>(fixture.Store);

    [Fact]
    public async Task The_rollup_follows_restatements_and_new_loads_without_gaps_or_double_counts()
    {
        await using var store = DuckDbCostStore.OpenInMemory();
        var jan = new DateOnly(2024, 1, 10);
        var feb = new DateOnly(2024, 2, 10);
        async Task LoadAsync(params Core.Focus.FocusRow[] rows)
        {
            await using var s = await store.BeginLoadAsync(new LoadRequest("t"));
            foreach (var r in rows)
            {
                s.Append(r);
            }

            await s.CommitAsync();
        }

        var spec = new CostAggregation { From = new(2024, 1, 1), To = new(2024, 2, 29), GroupBy = [new CostGrouping(CostDimension.BillingAccount)], Grain = CostGrain.Month };
        async Task<List<string>> BothAsync()
        {
            var raw = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(Describe).ToList();
            Assert.Equal(raw, (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(Describe));
            Assert.Equal(raw, (await store.AggregateAsync(spec)).Select(Describe));
            return raw;
        }

        await LoadAsync(TestRows.Make("A1", jan, "S", 10m), TestRows.Make("A1", feb, "S", 20m), TestRows.Make("A2", jan, "S", 5m));
        Assert.Equal(["2024-01-01|A1|USD|10|10|10|-||1|False", "2024-01-01|A2|USD|5|5|5|-||1|False", "2024-02-01|A1|USD|20|20|20|-||1|False"], await BothAsync());

        // Restate A1's January only: the first load stays visible for A1 February and A2 January.
        await LoadAsync(TestRows.Make("A1", jan, "S", 7m), TestRows.Make("A1", jan.AddDays(1), "S", 1.5m));
        Assert.Equal(["2024-01-01|A1|USD|8.5|8.5|8.5|-||2|False", "2024-01-01|A2|USD|5|5|5|-||1|False", "2024-02-01|A1|USD|20|20|20|-||1|False"], await BothAsync());

        // Totals read the rollup too and agree with the rows.
        var totals = Assert.Single(await store.TotalsAsync(spec.From, spec.To, []));
        Assert.Equal(33.5m, totals.BilledCost);
        Assert.Equal(4, totals.RowCount);
    }

    [Fact]
    public async Task A_rollup_read_before_a_new_load_is_rolled_up_still_sees_that_load_once()
    {
        var dir = RepoPaths.NewTempDir("dwcp-rollup");
        try
        {
            await using var store = DuckDbCostStore.Open(dir);
            var day = new DateOnly(2024, 3, 5);
            async Task LoadAsync(params Core.Focus.FocusRow[] rows)
            {
                await using var s = await store.BeginLoadAsync(new LoadRequest("t"));
                foreach (var r in rows)
                {
                    s.Append(r);
                }

                await s.CommitAsync();
            }

            var spec = new CostAggregation { From = day, To = day.AddDays(3), GroupBy = [new CostGrouping(CostDimension.BillingAccount)] };
            await LoadAsync(TestRows.Make("A1", day, "S", 10m), TestRows.Make("A2", day, "S", 4m));
            Assert.Equal(["|A1|USD|10|10|10|-||1|False", "|A2|USD|4|4|4|-||1|False"], (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(Describe));

            // A restatement of A1 and a new account, committed but not rolled up yet: the rollup SQL, run directly (no
            // refresh), must roll them up on the fly from the rows, in the same statement.
            await LoadAsync(TestRows.Make("A1", day, "S", 3m), TestRows.Make("A3", day.AddDays(1), "S", 1m));
            var sql = new DuckDbAggregationSql(rollup: true);
            var text = sql.Grouped(spec) + DuckDbAggregationSql.OrderBy(spec);
            await using var c = new DuckDBConnection($"Data Source={Path.Combine(dir, DuckDbCostStore.FileName)}");
            c.Open();
            Assert.Equal(1L, Convert.ToInt64(new DuckDBCommand("SELECT count(*) FROM cost_daily_loads", c).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
            using var cmd = c.CreateCommand();
            cmd.CommandText = text;
            foreach (var p in sql.Parameters)
            {
                cmd.Parameters.Add(p);
            }

            var direct = new List<string>();
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read())
                {
                    direct.Add($"{r.GetString(1)}|{r.GetDecimal(4):0.##}|{r.GetInt64(11)}");
                }
            }

            Assert.Equal(["A2|4|1", "A1|3|1", "A3|1|1"], direct);
            var raw = (await store.AggregateAsync(spec with { Source = CostSource.Raw })).Select(Describe).ToList();
            Assert.Equal(raw, (await store.AggregateAsync(spec with { Source = CostSource.Rollup })).Select(Describe));
            Assert.Equal(2L, Convert.ToInt64(new DuckDBCommand("SELECT count(*) FROM cost_daily_loads", c).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
