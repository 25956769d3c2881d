using Dwcp.Core.Focus;
using Dwcp.Storage.DuckDb;
using DuckDB.NET.Data;

namespace Dwcp.Storage.Tests;

/// <summary>Shared steps of the DuckDB rollup tests: load rows as one delivery, and read the store file directly.</summary>
internal static class DuckDbTestFiles
{
    /// <summary>Loads the rows as one committed delivery.</summary>
    public static async Task LoadAsync(ICostStore store, params FocusRow[] rows)
    {
        await using var s = await store.BeginLoadAsync(new LoadRequest("t"));
        foreach (var r in rows)
        {
            s.Append(r);
        }

        await s.CommitAsync();
    }

    /// <summary>Runs SQL on the store file in <paramref name="dir"/> (the store must be closed or in this process) and returns the first value.</summary>
    public static object? Scalar(string dir, string sql)
    {
        using var c = new DuckDBConnection($"Data Source={Path.Combine(dir, DuckDbCostStore.FileName)}");
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
