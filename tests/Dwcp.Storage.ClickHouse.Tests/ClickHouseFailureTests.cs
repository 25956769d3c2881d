using System.Diagnostics;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>A server that dies in the middle of a load: the load fails cleanly, and a retry lands every row exactly once.</summary>
[Collection("clickhouse")]
public sealed class ClickHouseFailureTests(ClickHouseFixture fixture)
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    [Fact]
    public async Task A_load_fails_with_the_url_when_the_server_dies_mid_way_and_the_retry_adds_no_duplicates()
    {
        var (url, pid, restart) = await fixture.Servers.StartServerAsync(fixture.Servers.NewStateDir("killed"));
        var options = new ClickHouseStoreOptions { Urls = [url], Database = "dwcp", InsertChunkRows = 50 };
        var baseline = Enumerable.Range(0, 20).Select(i => TestRows.Make("A", Jan1.AddDays(i), "s", 0.5m)).ToList();
        var delivery = Enumerable.Range(0, 200).Select(i => TestRows.Make("B" + (i % 3), Jan1.AddDays(i % 60), "s" + (i % 4), 1.25m + i)).ToList();

        await using (var store = await ClickHouseCostStore.OpenAsync(options))
        {
            await using (var s = await store.BeginLoadAsync(new LoadRequest("baseline")))
            {
                baseline.ForEach(s.Append);
                await s.CommitAsync();
            }

            var failing = await store.BeginLoadAsync(new LoadRequest("dies"));
            delivery.Take(120).ToList().ForEach(failing.Append);
            using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while ((await store.StoredRowsByLoadAsync(wait.Token)).GetValueOrDefault(2) < 100)
                {
                    await Task.Delay(20, wait.Token);
                }
            }

            using (var server = Process.GetProcessById(pid))
            {
                server.Kill();
                await server.WaitForExitAsync();
            }

            var ex = await Assert.ThrowsAsync<StoreException>(async () =>
            {
                delivery.Skip(120).ToList().ForEach(failing.Append);
                await failing.CommitAsync();
            });
            Assert.Contains(url.AbsoluteUri, ex.Message);
            // Disposing the failed load does not throw although the server is still down: the next open cleans up.
            await failing.DisposeAsync();
        }

        await restart();
        await using (var store = await ClickHouseCostStore.OpenAsync(options))
        {
            await using (var s = await store.BeginLoadAsync(new LoadRequest("retry")))
            {
                delivery.ForEach(s.Append);
                Assert.Equal(3, (await s.CommitAsync()).LoadId);
            }

            await store.WaitForMutationsAsync(default);
            var all = baseline.Concat(delivery).ToList();
            var totals = await store.TotalsAsync(Jan1, Jan1.AddDays(90), []);
            Assert.Equal(all.Sum(r => r.BilledCost!.Value), totals.Single().BilledCost);
            Assert.Equal(all.Count, totals.Single().RowCount);
            Assert.Equal(all.Count, await store.ReadRowsAsync(Jan1, Jan1.AddDays(90), []).CountAsync());
            Assert.Equal(new Dictionary<long, long> { [1] = 20, [3] = 200 }, await store.StoredRowsByLoadAsync(default));
            Assert.Equal(2, (await store.GetInfoAsync()).Loads);
        }
    }
}
