using Dwcp.Core.Focus;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// One delivery written through DuckDB's appender, inline on the caller's thread (two appenders, and a writer thread fed
/// by the reader, were both measured slower and used more memory on 2 cores; see bench/README.md). Rows carry the load id and stay invisible (the
/// <c>visible_cost_rows</c> view joins on <c>partition_versions</c>) until <see cref="CommitAsync"/> repoints every pair
/// the load holds in a single transaction.
/// </summary>
internal sealed class DuckDbLoadSession : ILoadSession
{
    private readonly DuckDbCostStore _store;
    private readonly DuckDBConnection _connection;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Account, DateTime Period), (long Rows, decimal Billed)> _pairs = [];
    private readonly List<(string Path, string Sha, long Rows)> _files = [];
    private readonly int _flushRows;

    private DuckDBAppender? _appender;
    private int _sinceFlush;
    private bool _finished;

    public DuckDbLoadSession(DuckDbCostStore store, DuckDBConnection connection, long loadId, TimeProvider time, int flushRows)
    {
        _flushRows = flushRows;
        _store = store;
        _connection = connection;
        _time = time;
        LoadId = loadId;
        store.EnterLoadMemory(connection);
        _appender = connection.CreateAppender("cost_rows");
    }

    public long LoadId { get; }

    public long RowCount { get; private set; }

    public void AddFile(string path, string sha256, long rowCount) => _files.Add((path, sha256, rowCount));

    public void Append(FocusRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_finished || _appender is null, this);
        var account = row.BillingAccountId ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingAccountId.");
        var period = row.BillingPeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingPeriodStart.");
        var chargeStart = row.ChargePeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no ChargePeriodStart.");

        try
        {
            DuckDbRowAppender.Append(_appender, row, LoadId, RowCount);
            if (++_sinceFlush >= _flushRows)
            {
                // Commit this part so the appender's transaction-local storage does not grow with the load: with the
                // default of one row group per part, DuckDB compresses and writes whole row groups here. The rows stay
                // invisible until CommitAsync publishes the load.
                _appender.Close();
                _appender.Dispose();
                _appender = _connection.CreateAppender("cost_rows");
                _sinceFlush = 0;
            }
        }
        catch (Exception ex) when (ex is DuckDBException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw Failure($"Writing the row at {row.SourceFile}:{row.SourceLine} to the DuckDB store failed", ex);
        }

        RowCount++;
        var key = (account, period);
        _pairs.TryGetValue(key, out var agg);
        _pairs[key] = (agg.Rows + 1, agg.Billed + (row.BilledCost ?? 0m));
    }

    public Task<LoadSummary> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        try
        {
            CloseAppender();
        }
        catch (DuckDBException ex)
        {
            throw Failure("Writing the last rows of the load to the DuckDB store failed", ex);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow().UtcDateTime;
        var published = new List<PartitionVersion>();
        var replaced = new List<(string Account, DateTime Period, long OldLoad)>();

        using (var tx = _connection.BeginTransaction())
        {
            foreach (var (path, sha, rows) in _files)
            {
                Exec("INSERT INTO load_files VALUES ($l, $p, $s, $r)", ("l", LoadId), ("p", path), ("s", sha), ("r", rows));
            }

            foreach (var ((account, period), (rows, billed)) in _pairs.OrderBy(p => p.Key.Account, StringComparer.Ordinal).ThenBy(p => p.Key.Period))
            {
                var old = Scalar("SELECT load_id FROM partition_versions WHERE billing_account_id = $a AND billing_period_start = $p", ("a", account), ("p", period));
                long? oldLoad = old is null or DBNull ? null : Convert.ToInt64(old, System.Globalization.CultureInfo.InvariantCulture);
                Exec("INSERT OR REPLACE INTO partition_versions VALUES ($a, $p, $l, $r, $b, $t)", ("a", account), ("p", period), ("l", LoadId), ("r", rows), ("b", billed), ("t", now));
                Exec("INSERT INTO partition_history VALUES ($a, $p, $l, $r, $b, $t, $o)", ("a", account), ("p", period), ("l", LoadId), ("r", rows), ("b", billed), ("t", now), ("o", oldLoad));
                if (oldLoad is { } o)
                {
                    replaced.Add((account, period, o));
                }

                published.Add(new PartitionVersion(account, period, LoadId, rows, billed));
            }

            Exec("UPDATE loads SET status = 'committed', committed_at = $t, row_count = $r WHERE load_id = $l", ("t", now), ("r", RowCount), ("l", LoadId));
            tx.Commit();
        }

        // The superseded rows are now invisible; remove them. A crash here leaves only invisible rows, which the
        // next start-up removes (see DuckDbCostStore.Recover).
        foreach (var (account, period, oldLoad) in replaced)
        {
            Exec("DELETE FROM cost_rows WHERE load_id = $l AND \"BillingAccountId\" = $a AND \"BillingPeriodStart\" = $p", ("l", oldLoad), ("a", account), ("p", period));
        }

        Finish();
        return Task.FromResult(new LoadSummary(LoadId, RowCount, published, replaced.Count));
    }

    public Task AbortAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return Task.CompletedTask;
        }

        try
        {
            CloseAppender();
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            // The appender failed earlier (the error that made the caller abort); its rows are removed below.
        }

        Exec("DELETE FROM cost_rows WHERE load_id = $l", ("l", LoadId));
        Exec("UPDATE loads SET status = 'aborted' WHERE load_id = $l", ("l", LoadId));
        Finish();
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            await AbortAsync().ConfigureAwait(false);
        }
    }

    private void CloseAppender()
    {
        var appender = _appender;
        _appender = null;
        appender?.Close();
        appender?.Dispose();
    }

    /// <summary>A store error that says what failed and, when DuckDB ran out of its load memory, which setting to raise.</summary>
    private StoreException Failure(string what, Exception ex)
    {
        var outOfMemory = ex.Message.Contains("pin block", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("Out of Memory", StringComparison.OrdinalIgnoreCase);
        var hint = outOfMemory
            ? $" DuckDB ran out of the memory a load may use ({_store.Options.LoadMemoryLimit}); raise analytics.duckdb.load_memory_limit in dwcp.yaml and run the import again. Nothing was loaded."
            : " Nothing was loaded.";
        return new StoreException($"{what}: {FirstLine(ex.Message)}.{hint}", ex);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim().TrimEnd('.');

    private void Finish()
    {
        _finished = true;
        try
        {
            _store.LeaveLoadMemory(_connection);
        }
        finally
        {
            _connection.Dispose();
            _store.ReleaseWriter();
        }
    }

    private void Exec(string sql, params (string Name, object? Value)[] args) => DuckDbSchema.Execute(_connection, sql, args);

    private object? Scalar(string sql, params (string Name, object? Value)[] args) => DuckDbSchema.Scalar(_connection, sql, args);
}
