using Dwcp.Core.Costs;
using Dwcp.Storage.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The approximate-query and read-path contract (ApproximateQueryContract.cs, linked) on one ClickHouse server.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseApproximateTests(ClickHouseFixture fixture) : ApproximateQueryContract
{
    protected override Task<ICostStore> StoreAsync() => ApproximateStores.LoadAsync(fixture.Servers, sharded: false);

    [Fact]
    public async Task A_sampled_or_percentile_aggregation_reads_the_raw_rows_and_an_exact_one_the_rollup()
    {
        var store = (ClickHouseCostStore)await StoreAsync();
        var spec = new CostAggregation { From = ApproximateData.From, To = ApproximateData.To, GroupBy = [new CostGrouping(CostDimension.Service)] };
        Assert.Equal(AggregationSource.Summary, store.SourceFor(spec));
        Assert.Equal(AggregationSource.Daily, store.SourceFor(spec with { GroupBy = [new CostGrouping(CostDimension.SubAccount)] }));
        Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { Sample = 0.5 }));
        Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { Percentiles = true }));
        Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { Source = CostSource.Raw }));
        Assert.Equal(AggregationSource.Summary, store.SourceFor(spec with { Source = CostSource.Rollup }));
        Assert.Equal(AggregationSource.Daily, store.SourceFor(spec with { Source = CostSource.Rollup, Filters = [new CostFilter(new CostGrouping(CostDimension.SubAccount), ["x"])] }));
        Assert.Equal(AggregationSource.Tag, store.SourceFor(spec with { GroupBy = [CostGrouping.ForTag("Department")] }));
        Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { GroupBy = [CostGrouping.ForTag("Department")], Sample = 0.5 }));
        Assert.Equal(AggregationSource.Raw, store.SourceFor(spec with { GroupBy = [CostGrouping.ForTag("Department"), new CostGrouping(CostDimension.Resource)] }));
        Assert.Equal("0.1", ClickHouseAggregationSql.SampleLiteral(0.1));
        Assert.Throws<StoreException>(() => ClickHouseAggregationSql.SampleLiteral(0));
    }
}

/// <summary>The same contract on the 2-shard cluster (SAMPLE through the Distributed table).</summary>
[Collection("clickhouse-2")]
public sealed class ClickHouseShardedApproximateTests(ClickHouseFixture fixture) : ApproximateQueryContract
{
    protected override Task<ICostStore> StoreAsync() => ApproximateStores.LoadAsync(fixture.Servers, sharded: true);
}

internal static class ApproximateStores
{
    public static async Task<ICostStore> LoadAsync(ClickHouseServers servers, bool sharded) =>
        await servers.SharedAsync(sharded ? "approximate-sharded" : "approximate-single", async () =>
        {
            var store = servers.Track(await ClickHouseCostStore.OpenAsync(servers.Options(sharded, servers.NewDatabase())));
            await using var s = await store.BeginLoadAsync(new LoadRequest("sampling data"));
            foreach (var r in ApproximateData.Rows)
            {
                s.Append(r);
            }

            await s.CommitAsync();
            return store;
        });
}
