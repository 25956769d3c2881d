using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage.DuckDb;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>
/// The same deliveries in DuckDB, one ClickHouse server and a 2-shard ClickHouse cluster: every answer must be equal,
/// line for line and to the last decimal; and within ClickHouse the rollup and the raw rows must agree.
/// </summary>
[Collection("clickhouse-2")]
public sealed class ClickHouseEquivalenceTests(ClickHouseFixture fixture)
{
    private sealed record Stores(ICostStore Duck, ClickHouseCostStore Single, ClickHouseCostStore Sharded, List<FocusRow> Visible);

    private Task<Stores> LoadedAsync() => fixture.Servers.SharedAsync("equivalence", async () =>
    {
        var duck = fixture.Servers.Track(DuckDbCostStore.OpenInMemory());
        var single = fixture.Servers.Track(await ClickHouseCostStore.OpenAsync(fixture.Servers.SingleOptions(fixture.Servers.NewDatabase())));
        var sharded = fixture.Servers.Track(await ClickHouseCostStore.OpenAsync(fixture.Servers.ShardOptions(fixture.Servers.NewDatabase())));
        var (first, restatement) = CostDataSet.Deliveries();
        foreach (var store in new ICostStore[] { duck, single, sharded })
        {
            foreach (var delivery in new[] { first, restatement })
            {
                await using var s = await store.BeginLoadAsync(new LoadRequest("equivalence"));
                delivery.ForEach(s.Append);
                s.AddFile("delivery.csv", "sha-" + delivery.Count, delivery.Count);
                await s.CommitAsync();
            }
        }

        // What is visible, computed here: the restatement replaced A1's January.
        static bool Replaced(FocusRow r) => r.BillingAccountId == "A1" && r.BillingPeriodStart!.Value.Month == 1;
        return new Stores(duck, single, sharded, first.Where(r => !Replaced(r)).Concat(restatement).ToList());
    });

    [Fact]
    public async Task Aggregations_line_counts_and_totals_equal_DuckDBs_on_one_server_and_on_two_shards()
    {
        var st = await LoadedAsync();
        var specs = CostDataSet.Specs().ToList();
        foreach (var spec in specs)
        {
            var expected = (await st.Duck.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList();
            Assert.Equal(expected, (await st.Single.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList());
            Assert.Equal(expected, (await st.Sharded.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList());
            var count = await st.Duck.CountLinesAsync(spec);
            Assert.Equal(count, await st.Single.CountLinesAsync(spec));
            Assert.Equal(count, await st.Sharded.CountLinesAsync(spec));
        }

        foreach (var filters in CostDataSet.Filters)
        {
            var totals = (await st.Duck.TotalsAsync(CostDataSet.From.AddDays(3), CostDataSet.To, filters)).Select(Describe).ToList();
            Assert.Equal(totals, (await st.Single.TotalsAsync(CostDataSet.From.AddDays(3), CostDataSet.To, filters)).Select(Describe));
            Assert.Equal(totals, (await st.Sharded.TotalsAsync(CostDataSet.From.AddDays(3), CostDataSet.To, filters)).Select(Describe));
            var range = await st.Duck.GetDataRangeAsync(filters);
            Assert.Equal(range, await st.Single.GetDataRangeAsync(filters));
            Assert.Equal(range, await st.Sharded.GetDataRangeAsync(filters));
        }

        // And the totals are the sums of the visible rows, computed here independently of any store.
        var usd = st.Visible.Where(r => r.BillingCurrency == "USD").ToList();
        var t = (await st.Sharded.TotalsAsync(CostDataSet.From, CostDataSet.To, [])).Single(x => x.Currency == "USD");
        Assert.Equal(usd.Sum(r => r.BilledCost!.Value), t.BilledCost);
        Assert.Equal(usd.Sum(r => r.EffectiveCost!.Value), t.EffectiveCost);
        Assert.Equal(usd.Count, t.RowCount);
    }

    [Fact]
    public async Task Partitions_and_rows_read_back_equal_DuckDBs()
    {
        var st = await LoadedAsync();
        var partitions = await st.Duck.ListPartitionsAsync();
        Assert.Equal(9, partitions.Count);
        Assert.Equal(partitions, await st.Single.ListPartitionsAsync());
        Assert.Equal(partitions, await st.Sharded.ListPartitionsAsync());

        var filters = new[] { new CostFilter(new CostGrouping(CostDimension.BillingAccount), ["A1", "A2"]) };
        var expected = await st.Duck.ReadRowsAsync(CostDataSet.From, CostDataSet.To, filters).ToListAsync();
        Assert.Equal(st.Visible.Count(r => r.BillingAccountId is "A1" or "A2"), expected.Count);
        foreach (var store in new[] { st.Single, st.Sharded })
        {
            var rows = await store.ReadRowsAsync(CostDataSet.From, CostDataSet.To, filters).ToListAsync();
            Assert.Equal(expected.Count, rows.Count);
            for (var i = 0; i < rows.Count; i++)
            {
                foreach (var c in FocusColumns.All)
                {
                    Assert.Equal(expected[i].GetValue(c), rows[i].GetValue(c));
                }

                Assert.Equal(expected[i].NormalizedTags, rows[i].NormalizedTags);
                Assert.Equal((expected[i].SourceFile, expected[i].SourceLine), (rows[i].SourceFile, rows[i].SourceLine));
            }
        }

        var info = await st.Sharded.GetInfoAsync();
        Assert.Equal((await st.Duck.GetInfoAsync()).VisibleRows, info.VisibleRows);
        Assert.Equal(2, info.Loads);
        Assert.Equal(st.Visible.Count, info.VisibleRows);
    }

    [Fact]
    public async Task The_rollup_and_the_raw_rows_give_identical_answers_and_answerable_queries_use_the_rollup()
    {
        var st = await LoadedAsync();
        var answerable = CostDataSet.Specs().Where(s => ClickHouseAggregationSql.RollupCanAnswer(s.GroupBy.Concat(s.Filters.Select(f => f.On)))).ToList();
        Assert.True(answerable.Count >= 15, $"only {answerable.Count} specs can use the rollup");
        foreach (var store in new[] { st.Single, st.Sharded })
        {
            foreach (var spec in answerable)
            {
                var dimensions = spec.GroupBy.Concat(spec.Filters.Select(f => f.On)).ToList();
                var expected = dimensions.Any(d => d.Dimension == CostDimension.SubAccount) ? AggregationSource.Daily : AggregationSource.Summary;
                Assert.Equal(expected, store.SourceFor(dimensions));
                store.Routing = RollupRouting.RawOnly;
                var raw = (await store.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList();
                try
                {
                    // The summary (where it can answer) and the per-sub-account daily rollup both equal the rows.
                    foreach (var routing in new[] { RollupRouting.RollupOnly, RollupRouting.DailyOnly })
                    {
                        store.Routing = routing;
                        Assert.Equal(raw, (await store.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList());
                    }
                }
                finally
                {
                    store.Routing = RollupRouting.Auto;
                }
            }

            foreach (var filters in CostDataSet.Filters.Where(f => ClickHouseAggregationSql.RollupCanAnswer(f.Select(x => x.On))))
            {
                store.Routing = RollupRouting.RawOnly;
                var rawTotals = (await store.TotalsAsync(CostDataSet.From, CostDataSet.To.AddDays(-9), filters)).Select(Describe).ToList();
                var rawRange = await store.GetDataRangeAsync(filters);
                try
                {
                    foreach (var routing in new[] { RollupRouting.RollupOnly, RollupRouting.DailyOnly })
                    {
                        store.Routing = routing;
                        Assert.Equal(rawTotals, (await store.TotalsAsync(CostDataSet.From, CostDataSet.To.AddDays(-9), filters)).Select(Describe));
                        Assert.Equal(rawRange, await store.GetDataRangeAsync(filters));
                    }
                }
                finally
                {
                    store.Routing = RollupRouting.Auto;
                }
            }

            // A query on one tag key (with summary dimensions) reads the tag rollup, and equals the rows; two keys, a
            // sub-account or a resource read the rows.
            var tagSpecs = CostDataSet.Specs().Where(s => s.TagRollupKey is not null).ToList();
            Assert.True(tagSpecs.Count >= 6, $"only {tagSpecs.Count} specs can use the tag rollup");
            foreach (var spec in tagSpecs)
            {
                Assert.Equal(AggregationSource.Tag, store.SourceFor(spec));
                store.Routing = RollupRouting.RawOnly;
                var raw = (await store.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList();
                var rawCount = await store.CountLinesAsync(spec);
                store.Routing = RollupRouting.Auto;
                Assert.Equal(raw, (await store.AggregateAsync(spec)).Select(CostDataSet.Describe).ToList());
                Assert.Equal(rawCount, await store.CountLinesAsync(spec));
            }

            foreach (var filters in CostDataSet.Filters.Where(f => CostAggregation.TagRollupKeyOf(f.Select(x => x.On)) is not null))
            {
                store.Routing = RollupRouting.RawOnly;
                var rawTotals = (await store.TotalsAsync(CostDataSet.From, CostDataSet.To.AddDays(-9), filters)).Select(Describe).ToList();
                store.Routing = RollupRouting.Auto;
                Assert.Equal(AggregationSource.Tag, store.SourceFor(filters.Select(f => f.On)));
                Assert.Equal(rawTotals, (await store.TotalsAsync(CostDataSet.From, CostDataSet.To.AddDays(-9), filters)).Select(Describe));
            }

            Assert.Equal(AggregationSource.Tag, store.SourceFor([CostGrouping.ForTag("Env"), new CostGrouping(CostDimension.Region)]));
            Assert.Equal(AggregationSource.Raw, store.SourceFor([CostGrouping.ForTag("Env"), CostGrouping.ForTag("Department")]));
            Assert.Equal(AggregationSource.Raw, store.SourceFor([CostGrouping.ForTag("Env"), new CostGrouping(CostDimension.SubAccount)]));
            Assert.Equal(AggregationSource.Raw, store.SourceFor([new CostGrouping(CostDimension.Service), new CostGrouping(CostDimension.Resource)]));
        }
    }

    [Fact]
    public async Task The_hourly_rollup_holds_the_visible_cost_of_every_hour()
    {
        var st = await LoadedAsync();
        // Expected per (UTC hour of ChargePeriodStart, currency), computed here from the visible rows.
        var expected = st.Visible
            .GroupBy(r => (Hour: new DateTime(r.ChargePeriodStart!.Value.Ticks - r.ChargePeriodStart.Value.Ticks % TimeSpan.TicksPerHour), Currency: r.BillingCurrency!))
            .OrderBy(g => g.Key.Hour).ThenBy(g => g.Key.Currency, StringComparer.Ordinal)
            .Select(g => $"{g.Key.Hour:yyyy-MM-dd HH:mm}|{g.Key.Currency}|{CostDataSet.N(g.Sum(r => r.BilledCost!.Value))}|{g.Count()}")
            .ToList();
        var spec = new CostAggregation { From = CostDataSet.From, To = CostDataSet.To, Grain = CostGrain.Hour };
        static string Hour(CostLine l) => $"{l.PeriodStartTime:yyyy-MM-dd HH:mm}|{l.Currency}|{CostDataSet.N(l.BilledCost)}|{l.RowCount}";
        Assert.Equal(expected, (await st.Duck.AggregateAsync(spec)).Select(Hour));
        foreach (var store in new[] { st.Single, st.Sharded })
        {
            Assert.Equal(AggregationSource.Hourly, store.SourceFor(spec));
            Assert.Equal(AggregationSource.Hourly, store.SourceFor(spec with { Source = CostSource.Rollup, GroupBy = [new CostGrouping(CostDimension.Service)] }));
            Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { GroupBy = [new CostGrouping(CostDimension.SubAccount)] }));
            Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { GroupBy = [CostGrouping.ForTag("Env")] }));
            Assert.Equal(expected, (await store.AggregateAsync(spec)).Select(Hour));
            var rows = await store.Coordinator.QueryAsync($"SELECT countMerge(row_count) FROM {ClickHouseTopology.Hourly}", default);
            Assert.True(long.Parse(rows.Single()[0]!, System.Globalization.CultureInfo.InvariantCulture) >= st.Visible.Count, "the hourly rollup holds every row (restated versions too)");
        }
    }

    [Fact]
    public async Task The_sampling_hook_reads_raw_rows_with_SAMPLE()
    {
        var st = await LoadedAsync();
        var store = st.Single;
        var exact = (await store.TotalsAsync(CostDataSet.From, CostDataSet.To, [])).Sum(t => t.RowCount);
        var spec = new CostAggregation { From = CostDataSet.From, To = CostDataSet.To };
        try
        {
            store.SampleRatio = "1";
            Assert.Equal(AggregationSource.Raw, store.SourceFor([]));
            Assert.Equal(exact, (await store.AggregateAsync(spec)).Sum(l => l.RowCount));
            store.SampleRatio = "1/2";
            var half = (await store.AggregateAsync(spec)).Sum(l => l.RowCount);
            Assert.InRange(half, 1, exact - 1);
        }
        finally
        {
            store.SampleRatio = null;
        }
    }

    private static string Describe(CurrencyTotal t) => $"{t.Currency}|{CostDataSet.N(t.BilledCost)}|{CostDataSet.N(t.EffectiveCost)}|{CostDataSet.N(t.ListCost)}|{t.RowCount}";
}
