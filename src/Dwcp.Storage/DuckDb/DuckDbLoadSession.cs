using System.Threading.Channels;
using Dwcp.Core.Focus;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>
/// One delivery written through DuckDB's appender. Rows carry the load id and stay invisible (the
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
    private readonly Channel<Batch> _channel;
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _workerFailed = new();
    private List<FocusRow> _batch = new(BatchSize);
    private bool _finished;

    /// <summary>Rows handed to a worker at a time.</summary>
    private const int BatchSize = 2048;

    /// <summary>Rows a worker appends before it commits them to disk (bounds memory).</summary>
    private const int FlushRows = 100_000;

    public DuckDbLoadSession(DuckDbCostStore store, DuckDBConnection connection, long loadId, TimeProvider time)
    {
        _store = store;
        _connection = connection;
        _time = time;
        LoadId = loadId;
        var workers = Math.Clamp(Environment.ProcessorCount, 1, 4);
        _channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(workers * 2) { SingleWriter = true, SingleReader = false });
        _workers = Enumerable.Range(0, workers).Select(i => Task.Factory.StartNew(() => Work(i), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
    }

    private sealed record Batch(long FirstSeq, List<FocusRow> Rows);

    public long LoadId { get; }

    public long RowCount { get; private set; }

    public void AddFile(string path, string sha256, long rowCount) => _files.Add((path, sha256, rowCount));

    public void Append(FocusRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_finished, this);
        var account = row.BillingAccountId ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingAccountId.");
        var period = row.BillingPeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingPeriodStart.");
        _ = row.ChargePeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no ChargePeriodStart.");

        _batch.Add(row);
        RowCount++;
        var key = (account, period);
        _pairs.TryGetValue(key, out var agg);
        _pairs[key] = (agg.Rows + 1, agg.Billed + (row.BilledCost ?? 0m));
        if (_batch.Count == BatchSize)
        {
            Dispatch();
        }
    }

    private void Dispatch()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var batch = new Batch(RowCount - _batch.Count, _batch);
        _batch = new List<FocusRow>(BatchSize);
        try
        {
            // Blocks while the workers are busy: memory stays bounded by the channel's capacity.
            _channel.Writer.WriteAsync(batch, _workerFailed.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_workerFailed.IsCancellationRequested)
        {
            ThrowWorkerFailure();
        }
    }

    private void Work(int worker)
    {
        // Each worker owns a connection and an appender. Closing the appender every FlushRows rows commits that
        // part to disk, so memory does not grow with the load; the rows stay invisible until CommitAsync publishes.
        using var connection = _store.NewConnection();
        var appender = connection.CreateAppender("cost_rows");
        var sinceFlush = 0;
        try
        {
            while (_channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_channel.Reader.TryRead(out var batch))
                {
                    for (var i = 0; i < batch.Rows.Count; i++)
                    {
                        DuckDbRowAppender.Append(appender, batch.Rows[i], LoadId, batch.FirstSeq + i);
                    }

                    sinceFlush += batch.Rows.Count;
                    if (sinceFlush >= FlushRows)
                    {
                        appender.Close();
                        appender.Dispose();
                        appender = connection.CreateAppender("cost_rows");
                        sinceFlush = 0;
                    }
                }
            }

            appender.Close();
        }
        catch
        {
            _workerFailed.Cancel();
            throw;
        }
        finally
        {
            appender.Dispose();
        }
    }

    private async Task DrainAsync()
    {
        Dispatch();
        _channel.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (Exception) when (_workers.Any(w => w.IsFaulted))
        {
            ThrowWorkerFailure();
        }
    }

    private void ThrowWorkerFailure()
    {
        var error = _workers.Where(w => w.IsFaulted).SelectMany(w => w.Exception!.InnerExceptions).FirstOrDefault();
        throw new StoreException($"Writing rows to the store failed: {error?.Message}", error!);
    }

    public async Task<LoadSummary> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        await DrainAsync().ConfigureAwait(false);
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
        return new LoadSummary(LoadId, RowCount, published, replaced.Count);
    }

    public async Task AbortAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        _batch.Clear();
        _channel.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DuckDBException or StoreException or InvalidOperationException)
        {
            // Aborting anyway: whatever a worker wrote is deleted below.
        }

        Exec("DELETE FROM cost_rows WHERE load_id = $l", ("l", LoadId));
        Exec("UPDATE loads SET status = 'aborted' WHERE load_id = $l", ("l", LoadId));
        Finish();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_finished)
        {
            await AbortAsync().ConfigureAwait(false);
        }
    }

    private void Finish()
    {
        _finished = true;
        _workerFailed.Dispose();
        _connection.Dispose();
        _store.ReleaseWriter();
    }

    private void Exec(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value));
        }

        cmd.ExecuteNonQuery();
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value));
        }

        return cmd.ExecuteScalar();
    }
}
