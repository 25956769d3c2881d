using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>Restatements without transactions: delayed purge, recovery on both sides of the commit point, readers during restatements.</summary>
[Collection("clickhouse-2")]
public sealed class ClickHouseRestatementTests(ClickHouseFixture fixture)
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    private static async Task<LoadSummary> Load(ICostStore store, IEnumerable<FocusRow> rows, string sha = "sha")
    {
        await using var s = await store.BeginLoadAsync(new LoadRequest("test"));
        var list = rows.ToList();
        list.ForEach(s.Append);
        s.AddFile("f.csv", sha, list.Count);
        return await s.CommitAsync();
    }

    private static async Task<long> MutationCount(ClickHouseCostStore store) =>
        ClickHouseCostStore.ParseLong((await store.Coordinator.QueryAsync(
            $"SELECT count() FROM system.mutations WHERE database = '{store.Options.Database}'", default)).Single()[0]);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Replaced_rows_are_deleted_only_after_the_purge_delay_and_only_once(bool sharded)
    {
        var time = new ManualTime(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
        var options = fixture.Servers.Options(sharded, fixture.Servers.NewDatabase()) with { PurgeDelay = TimeSpan.FromMinutes(10) };
        var store = await ClickHouseCostStore.OpenAsync(options, time);
        try
        {
            await Load(store, Enumerable.Range(0, 10).Select(i => TestRows.Make("A", Jan1.AddDays(i), "s", 1m)).Concat(Enumerable.Range(0, 5).Select(i => TestRows.Make("B", Jan1, "s", 100m))));
            await Load(store, Enumerable.Range(0, 3).Select(i => TestRows.Make("A", Jan1.AddDays(i), "s", 7m)));
            Assert.Equal(new Dictionary<long, long> { [1] = 15, [2] = 3 }, await store.StoredRowsByLoadAsync(default));

            // Five minutes later a reopen purges nothing: a read that took the old pointers may still be running.
            time.Advance(TimeSpan.FromMinutes(5));
            await store.DisposeAsync();
            store = await ClickHouseCostStore.OpenAsync(options, time);
            await store.WaitForMutationsAsync(default);
            Assert.Equal(new Dictionary<long, long> { [1] = 15, [2] = 3 }, await store.StoredRowsByLoadAsync(default));

            time.Advance(TimeSpan.FromMinutes(6));
            await store.DisposeAsync();
            store = await ClickHouseCostStore.OpenAsync(options, time);
            await store.WaitForMutationsAsync(default);
            Assert.Equal(new Dictionary<long, long> { [1] = 5, [2] = 3 }, await store.StoredRowsByLoadAsync(default));
            foreach (var routing in new[] { RollupRouting.RawOnly, RollupRouting.RollupOnly, RollupRouting.DailyOnly })
            {
                store.Routing = routing;
                Assert.Equal(521m, (await store.TotalsAsync(Jan1, Jan1.AddDays(30), [])).Single().BilledCost);
            }

            // The purge is recorded: opening again issues no new mutation.
            var mutations = await MutationCount(store);
            await store.DisposeAsync();
            store = await ClickHouseCostStore.OpenAsync(options, time);
            Assert.Equal(mutations, await MutationCount(store));
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_load_that_died_after_its_commit_point_is_completed_on_open(bool sharded)
    {
        var options = fixture.Servers.Options(sharded, fixture.Servers.NewDatabase());
        var store = await ClickHouseCostStore.OpenAsync(options);
        try
        {
            await Load(store, [TestRows.Make("A", Jan1, "s", 2m), TestRows.Make("A", Jan1, "s", 3m)], "sha-1");
            // The state a crash between publishing the versions and marking the load committed leaves behind.
            await store.Coordinator.ExecuteAsync("ALTER TABLE loads DELETE WHERE load_id = 1 AND revision = 2", default);
            await store.WaitForMutationsAsync(default);
            Assert.Equal(0, (await store.GetInfoAsync()).Loads);

            await store.DisposeAsync();
            store = await ClickHouseCostStore.OpenAsync(options);
            await store.WaitForMutationsAsync(default);
            var info = await store.GetInfoAsync();
            Assert.Equal((1L, 2L), (info.Loads, info.VisibleRows));
            Assert.Equal(5m, (await store.TotalsAsync(Jan1, Jan1, [])).Single().BilledCost);
            Assert.Equal(new Dictionary<long, long> { [1] = 2 }, await store.StoredRowsByLoadAsync(default));
            Assert.Equal(1, (await store.FindLiveFileAsync("sha-1"))?.LoadId);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_load_that_died_before_its_commit_point_is_deleted_on_open_chunks_and_rollups_included(bool sharded)
    {
        var options = fixture.Servers.Options(sharded, fixture.Servers.NewDatabase()) with { InsertChunkRows = 10 };
        var store = await ClickHouseCostStore.OpenAsync(options);
        try
        {
            await Load(store, Enumerable.Range(0, 5).Select(i => TestRows.Make("A" + i, Jan1, "s", 1m)));
            var s = await store.BeginLoadAsync(new LoadRequest("dies"));
            for (var i = 0; i < 30; i++)
            {
                s.Append(TestRows.Make("A" + (i % 7), Jan1.AddDays(i), "s", 1000m));
            }

            // Three chunks were sent; wait until the server holds them all, then "die" (no commit, no abort).
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while ((await store.StoredRowsByLoadAsync(wait.Token)).GetValueOrDefault(2) < 30)
            {
                await Task.Delay(20, wait.Token);
            }

            Assert.Equal(5m, (await store.TotalsAsync(Jan1, Jan1.AddDays(40), [])).Single().BilledCost);
            await store.DisposeAsync();
            store = await ClickHouseCostStore.OpenAsync(options);
            await store.WaitForMutationsAsync(default);

            Assert.Equal(new Dictionary<long, long> { [1] = 5 }, await store.StoredRowsByLoadAsync(default));
            var daily = await store.Coordinator.QueryAsync($"SELECT count() FROM {ClickHouseTopology.Daily} WHERE load_id = 2", default);
            Assert.Equal("0", daily.Single()[0]);
            var info = await store.GetInfoAsync();
            Assert.Equal((1L, 5L), (info.Loads, info.VisibleRows));
            Assert.Equal(3, (await Load(store, [TestRows.Make("Z", Jan1, "s", 1m)])).LoadId);
        }
        finally
        {
            await store.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Readers_on_raw_rows_and_on_the_rollup_see_the_old_or_the_new_version_during_restatements(bool sharded)
    {
        await using var store = await ClickHouseCostStore.OpenAsync(fixture.Servers.Options(sharded, fixture.Servers.NewDatabase()));
        List<FocusRow> Version(decimal v) => Enumerable.Range(0, 400)
            .Select(i => TestRows.Make("acct" + (i % 4), Jan1.AddDays(i % 60), "s" + (i % 3), v, resource: "r" + (i % 9))).ToList();
        await Load(store, Version(1m));
        var allowed = new HashSet<decimal> { 400m };
        var observed = new List<(string Path, decimal Total)>();
        using var stop = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var byResource = new CostAggregation { From = Jan1, To = Jan1.AddDays(70), GroupBy = [new CostGrouping(CostDimension.Resource)] };
        var byService = byResource with { GroupBy = [new CostGrouping(CostDimension.Service)], Grain = CostGrain.Month };
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var raw = (await store.AggregateAsync(byResource)).Sum(l => l.BilledCost);
                var rollup = (await store.AggregateAsync(byService)).Sum(l => l.BilledCost);
                lock (observed)
                {
                    observed.Add(("raw", raw));
                    observed.Add(("rollup", rollup));
                }

                started.TrySetResult();
            }
        });
        await started.Task;
        for (var v = 2; v <= 4; v++)
        {
            lock (observed)
            {
                allowed.Add(400m * v);
            }

            await Load(store, Version(v));
        }

        await stop.CancelAsync();
        await reader;
        Assert.Contains(observed, o => o.Path == "rollup");
        Assert.All(observed, o => Assert.Contains(o.Total, allowed));
        Assert.Equal(1600m, (await store.AggregateAsync(byResource)).Sum(l => l.BilledCost));
    }
}
