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
        Assert.Equal(5, (await Store.GetInfoAsync()).SchemaVersion);
        await Store.DisposeAsync();
        await using var again = DuckDbCostStore.Open(_dir);
        Assert.Equal(5, (await again.GetInfoAsync()).SchemaVersion);
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

/// <summary>The DuckDB store's tuning: the load-time memory limit, string compression, and failures on the writer thread.</summary>
public sealed class DuckDbStoreTuningTests : IAsyncLifetime
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-duck-tuning");
    private DuckDbCostStore _store = null!;

    public Task InitializeAsync()
    {
        _store = DuckDbCostStore.Open(_dir, options: new DuckDbStoreOptions { MemoryLimit = "600MB", LoadMemoryLimit = "200MB" });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_load_lowers_the_buffer_pool_and_commit_or_abort_restore_it()
    {
        // DuckDB reports sizes in its own units (e.g. "572.2 MiB" for 600MB), so compare against the value it shows
        // outside a load rather than the text we set.
        var normal = _store.CurrentSetting("memory_limit");
        await using (var s = await _store.BeginLoadAsync(new LoadRequest("commit")))
        {
            var during = _store.CurrentSetting("memory_limit");
            Assert.NotEqual(normal, during);
            Assert.True(ParseMiB(during!) < ParseMiB(normal!), $"{during} should be below {normal}");
            s.Append(TestRows.Make("A", Jan1, "s", 1m));
            await s.CommitAsync();
        }

        Assert.Equal(normal, _store.CurrentSetting("memory_limit"));
        await using (var s = await _store.BeginLoadAsync(new LoadRequest("abort")))
        {
            s.Append(TestRows.Make("A", Jan1, "s", 1m));
            await s.AbortAsync();
        }

        Assert.Equal(normal, _store.CurrentSetting("memory_limit"));
    }

    [Fact]
    public async Task Fast_string_compression_disables_fsst_and_compact_keeps_it()
    {
        Assert.Contains("fsst", _store.CurrentSetting("disabled_compression_methods") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        await _store.DisposeAsync();
        _store = DuckDbCostStore.Open(_dir, options: new DuckDbStoreOptions { StringCompression = StringCompression.Compact });
        Assert.DoesNotContain("fsst", _store.CurrentSetting("disabled_compression_methods") ?? string.Empty, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_value_the_writer_cannot_store_fails_the_load_with_the_row_and_leaves_nothing()
    {
        // 10^25 does not fit DECIMAL(38,15) (at most 23 integer digits). The writer thread hits it; the error must reach
        // the caller, and aborting must remove every row of the load, including the parts committed before it.
        _store.ChunkRows = 3;
        StoreException? error = null;
        await using (var s = await _store.BeginLoadAsync(new LoadRequest("overflow")))
        {
            try
            {
                for (var i = 0; i < 10; i++)
                {
                    s.Append(TestRows.Make("A", Jan1, "s", 1m));
                }

                s.Append(TestRows.Make("A", Jan1, "huge", 10_000_000_000_000_000_000_000_000m));
                await s.CommitAsync();
            }
            catch (StoreException ex)
            {
                error = ex;
            }
        }

        Assert.NotNull(error);
        Assert.Contains("DuckDB store", error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _store.GetInfoAsync()).VisibleRows);
        Assert.Empty(await _store.ReadRowsAsync(Jan1, Jan1, []).ToListAsync());

        // The store is still usable afterwards.
        _store.ChunkRows = 122_880;
        await using (var s = await _store.BeginLoadAsync(new LoadRequest("after")))
        {
            s.Append(TestRows.Make("A", Jan1, "ok", 2.5m));
            await s.CommitAsync();
        }

        Assert.Equal(2.5m, (await _store.ReadRowsAsync(Jan1, Jan1, []).ToListAsync()).Single().BilledCost);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("12 parsecs")]
    [InlineData("")]
    public void A_memory_limit_that_is_not_a_size_is_rejected_with_the_key(string value)
    {
        var ex = Assert.Throws<StoreException>(() => DuckDbCostStore.Open(RepoPaths.NewTempDir("dwcp-duck-bad"), options: new DuckDbStoreOptions { LoadMemoryLimit = value }));
        Assert.Contains("analytics.duckdb.load_memory_limit", ex.Message, StringComparison.Ordinal);
    }

    private static double ParseMiB(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var n = double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        return parts[1] switch
        {
            "KiB" or "KB" => n / 1024,
            "MiB" or "MB" => n,
            "GiB" or "GB" => n * 1024,
            _ => throw new FormatException(text),
        };
    }
}
