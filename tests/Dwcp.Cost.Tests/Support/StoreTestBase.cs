using Dwcp.Core.Focus;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>A real DuckDB store in a fresh temporary folder, opened before and closed after each test.</summary>
public abstract class StoreTestBase : IAsyncLifetime
{
    protected string DataDir { get; } = RepoPaths.NewTempDir("dwcp-cost");

    protected DuckDbCostStore Store { get; private set; } = null!;

    public virtual Task InitializeAsync()
    {
        Store = DuckDbCostStore.Open(DataDir);
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary folder does no harm.
        }
    }

    /// <summary>Loads rows as one committed delivery.</summary>
    protected async Task<LoadSummary> Load(IEnumerable<FocusRow> rows)
    {
        await using var session = await Store.BeginLoadAsync(new LoadRequest("test"));
        var list = rows.ToList();
        foreach (var r in list)
        {
            session.Append(r);
        }

        session.AddFile("test.csv", Guid.NewGuid().ToString("N"), list.Count);
        return await session.CommitAsync();
    }
}
