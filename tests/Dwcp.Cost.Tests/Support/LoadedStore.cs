using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>
/// A real DuckDB store in a temporary folder, loaded once with <see cref="MakeRows"/> and shared (read only) by the
/// tests of one class.
/// </summary>
public abstract class LoadedStore : IAsyncLifetime
{
    private readonly string _dataDir = RepoPaths.NewTempDir("dwcp-cost");

    public DuckDbCostStore Store { get; private set; } = null!;

    /// <summary>Every row loaded, as built (the source of the tests' expectations).</summary>
    public IReadOnlyList<FocusRow> Rows { get; private set; } = [];

    protected abstract IEnumerable<FocusRow> MakeRows();

    public async Task InitializeAsync()
    {
        Store = DuckDbCostStore.Open(_dataDir);
        Rows = MakeRows().ToList();
        await using var session = await Store.BeginLoadAsync(new LoadRequest("test"));
        foreach (var r in Rows)
        {
            session.Append(r);
        }

        session.AddFile("test.csv", Guid.NewGuid().ToString("N"), Rows.Count);
        await session.CommitAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder does no harm.
        }
    }
}

/// <summary>The seeded <see cref="Estate"/>.</summary>
public sealed class EstateStore : LoadedStore
{
    protected override IEnumerable<FocusRow> MakeRows() => Estate.Make();
}

/// <summary>Base of test classes that read a shared <see cref="LoadedStore"/>.</summary>
public abstract class LoadedStoreTests<TStore>(TStore loaded) : IClassFixture<TStore>
    where TStore : LoadedStore
{
    protected DuckDbCostStore Store => loaded.Store;

    protected IReadOnlyList<FocusRow> Loaded => loaded.Rows;

    /// <summary>A query over a range.</summary>
    protected static CostQuery Query(DateOnly from, DateOnly to, CostGrain grain = CostGrain.Total, params CostGrouping[] groupBy) =>
        new() { From = from, To = to, Grain = grain, GroupBy = groupBy };
}
