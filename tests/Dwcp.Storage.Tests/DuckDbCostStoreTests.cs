using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Storage.Tests;

/// <summary>The store contract against a real DuckDB file in a temporary folder.</summary>
public sealed class DuckDbCostStoreTests : CostStoreContract
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-duck");

    protected override Task<ICostStore> OpenStore() => Task.FromResult<ICostStore>(DuckDbCostStore.Open(_dir));

    protected override async Task<ICostStore> ReopenStore()
    {
        // Simulate a crash: the old instance is abandoned without committing; DuckDB keeps the file locked
        // per process, so close the database handle first, exactly as process exit would.
        await Store.DisposeAsync();
        return DuckDbCostStore.Open(_dir);
    }

    [Fact]
    public async Task Schema_version_is_recorded_and_reopening_is_idempotent()
    {
        Assert.Equal(1, (await Store.GetInfoAsync()).SchemaVersion);
        await Store.DisposeAsync();
        await using var again = DuckDbCostStore.Open(_dir);
        Assert.Equal(1, (await again.GetInfoAsync()).SchemaVersion);
    }

    [Fact]
    public async Task A_load_committed_in_many_appender_parts_holds_every_row_once()
    {
        var store = (DuckDbCostStore)Store;
        store.ChunkRows = 7;
        var rows = Enumerable.Range(0, 100).Select(i => TestRows.Make($"acct{i % 3}", Jan1.AddDays(i % 31), $"svc{i}", i * 1.01m)).ToList();
        var summary = await Load(rows);
        Assert.Equal(100, summary.RowCount);
        var back = await Store.ReadRowsAsync(Jan1, Jan1.AddDays(30), []).ToListAsync();
        Assert.Equal(rows.Select(r => r.ServiceName).Order(StringComparer.Ordinal), back.Select(r => r.ServiceName).Order(StringComparer.Ordinal));
        Assert.Equal(rows.Sum(r => r.BilledCost!.Value), back.Sum(r => r.BilledCost!.Value));
    }

    [Fact]
    public async Task An_aborted_load_of_several_appender_parts_leaves_no_rows()
    {
        var store = (DuckDbCostStore)Store;
        store.ChunkRows = 5;
        await using (var s = await Store.BeginLoadAsync(new LoadRequest("abort")))
        {
            for (var i = 0; i < 23; i++)
            {
                s.Append(TestRows.Make("A", Jan1, "s", 1m));
            }

            await s.AbortAsync();
        }

        Assert.Equal(0, (await Store.GetInfoAsync()).VisibleRows);
        Assert.Empty(await Store.ReadRowsAsync(Jan1, Jan1, []).ToListAsync());
    }

    [Fact]
    public void A_second_process_holding_the_file_gives_an_actionable_error()
    {
        // Inside one process DuckDB shares the instance, so this checks the message path with a foreign lock
        // taken by a child process that opens the same file.
        var psi = new System.Diagnostics.ProcessStartInfo("python3", ["-c", "import time,sys; f=open(sys.argv[1],'a+b'); import fcntl; fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(30)", Path.Combine(_dir, "locked", DuckDbCostStore.FileName)])
        {
            RedirectStandardOutput = true,
        };
        Directory.CreateDirectory(Path.Combine(_dir, "locked"));
        using var p = System.Diagnostics.Process.Start(psi)!;
        try
        {
            Assert.Equal("locked", p.StandardOutput.ReadLine());
            var ex = Assert.Throws<StoreException>(() => DuckDbCostStore.Open(Path.Combine(_dir, "locked")));
            Assert.Contains("in use by another process", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            p.Kill();
        }
    }
}
