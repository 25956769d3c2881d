using System.Globalization;
using System.Text;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// One delivery. Rows are encoded as TabSeparated into an in-memory chunk; every
/// <see cref="ClickHouseStoreOptions.InsertChunkRows"/> rows the chunk is sent as one INSERT on a background task while
/// the caller fills the next one (at most one in flight, so memory stays bounded). The rows carry the load id and stay
/// invisible until <see cref="CommitAsync"/> publishes the load's pairs in <c>partition_versions</c>.
/// </summary>
/// <remarks>
/// Commit order, each step safe to interrupt: rows → <c>load_files</c> → <c>partition_history</c> →
/// <c>partition_versions</c> (the commit point: one INSERT, so one atomic part) → <c>loads</c> marked committed. If
/// the process or the server dies before the commit point, nothing became visible and the next open deletes the rows;
/// after it, the next open finishes the bookkeeping. A failed load is retried as a new load, never duplicated.
/// </remarks>
internal sealed class ClickHouseLoadSession : ILoadSession
{
    /// <summary>A chunk is also sent when its text passes this size, whatever its row count.</summary>
    private const int MaxChunkBytes = 64 << 20;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly ClickHouseCostStore _store;
    private readonly int _chunkRows;
    private readonly Dictionary<(string Account, DateTime Period), (long Rows, decimal Billed)> _pairs = [];
    private readonly List<(string Path, string Sha, long Rows)> _files = [];
    private readonly string _insertSql = $"INSERT INTO {ClickHouseTopology.Rows} ({string.Join(", ", ClickHouseSchema.RowColumns)})";
    private readonly IReadOnlyDictionary<string, string>? _insertSettings;

    private MemoryStream? _chunk;
    private StreamWriter? _writer;
    private int _chunkCount;
    private Task _inFlight = Task.CompletedTask;
    private bool _finished;
    private Exception? _failure;

    public ClickHouseLoadSession(ClickHouseCostStore store, long loadId)
    {
        _store = store;
        _chunkRows = store.Options.InsertChunkRows;
        LoadId = loadId;
        // A sharded insert returns only once every shard has its rows (otherwise Distributed queues them in the background).
        _insertSettings = store.Topology.Sharded ? new Dictionary<string, string>(StringComparer.Ordinal) { ["insert_distributed_sync"] = "1" } : null;
    }

    public long LoadId { get; }

    public long RowCount { get; private set; }

    public void AddFile(string path, string sha256, long rowCount)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        _files.Add((path, sha256, rowCount));
    }

    public void Append(FocusRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        ObjectDisposedException.ThrowIf(_finished, this);
        ThrowIfFailed();
        var account = row.BillingAccountId ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingAccountId.");
        var period = row.BillingPeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no BillingPeriodStart.");
        _ = row.ChargePeriodStart ?? throw new StoreException($"Row at {row.SourceFile}:{row.SourceLine} has no ChargePeriodStart.");

        // Pair keys are whole seconds: ClickHouse DateTime has no fraction (the row keeps its microseconds).
        var pairPeriod = new DateTime(period.Ticks - (period.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
        if (_writer is null)
        {
            _chunk = new MemoryStream();
            _writer = new StreamWriter(_chunk, Utf8, 1 << 16) { NewLine = "\n" };
        }

        ClickHouseRowCodec.Write(_writer, row, LoadId, RowCount);
        _chunkCount++;
        RowCount++;
        var key = (account, pairPeriod);
        _pairs.TryGetValue(key, out var agg);
        _pairs[key] = (agg.Rows + 1, agg.Billed + (row.BilledCost ?? 0m));
        if (_chunkCount >= _chunkRows || (_chunkCount % 1024 == 0 && _chunk!.Length + 65536 > MaxChunkBytes))
        {
            // Append is synchronous (the contract's); waiting here for the previous chunk is the back-pressure.
            Send(wait: false).GetAwaiter().GetResult();
        }
    }

    /// <summary>Hands the current chunk to the server after the one in flight has finished; optionally waits for it too.</summary>
    private async Task Send(bool wait)
    {
        var chunk = _chunk;
        var writer = _writer;
        _chunk = null;
        _writer = null;
        _chunkCount = 0;
        await Settle().ConfigureAwait(false);
        if (chunk is not null)
        {
            await writer!.FlushAsync().ConfigureAwait(false);
            var body = new ByteArrayContent(chunk.GetBuffer(), 0, (int)chunk.Length);
            _inFlight = Task.Run(async () =>
            {
                using (body)
                using (writer)
                {
                    await _store.Coordinator.InsertAsync(_insertSql, body, CancellationToken.None, _insertSettings).ConfigureAwait(false);
                }
            });
        }

        if (wait)
        {
            await Settle().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the chunk in flight; its failure fails the load.</summary>
    private async Task Settle()
    {
        try
        {
            await _inFlight.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _failure ??= ex;
            _inFlight = Task.CompletedTask;
        }

        ThrowIfFailed();
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new StoreException($"Load {LoadId} failed and cannot be committed: {_failure.Message} Nothing of it is visible; run the import again.", _failure);
        }
    }

    public async Task<LoadSummary> CommitAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var now = _store.Now;
        List<PartitionVersion> published;
        int replaced;
        try
        {
            await Send(wait: true).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            // Housekeeping first, so that a failure here fails the load before its commit point (and it can be retried).
            await _store.PurgeReplacedAsync(cancellationToken).ConfigureAwait(false);
            (published, replaced) = await PublishAsync(now, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreException or OperationCanceledException)
        {
            _failure ??= ex;
            throw;
        }

        try
        {
            await _store.WriteLoadStatusAsync(LoadId, "committed", RowCount.ToString(CultureInfo.InvariantCulture), now, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            throw new StoreException(
                $"Load {LoadId} is committed and visible, but marking it committed failed: {ex.Message} The next open of the store finishes it; do not import it again.", ex);
        }
        finally
        {
            Finish();
        }

        return new LoadSummary(LoadId, RowCount, published, replaced);
    }

    /// <summary>Writes the files and the history, then publishes every pair of the load (the commit point).</summary>
    private async Task<(List<PartitionVersion> Published, int Replaced)> PublishAsync(DateTime now, CancellationToken cancellationToken)
    {
        var coordinator = _store.Coordinator;
        var id = LoadId.ToString(CultureInfo.InvariantCulture);
        var nowText = ClickHouseCostStore.Timestamp(now);
        await ClickHouseCostStore.InsertAsync(coordinator, "load_files", ["load_id", "path", "sha256", "row_count"],
            _files.Select(f => new string?[] { id, f.Path, f.Sha, f.Rows.ToString(CultureInfo.InvariantCulture) }).ToList(), cancellationToken).ConfigureAwait(false);

        var current = (await _store.PointersAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(p => (p.Account, p.PeriodSeconds), p => p.LoadId);
        var published = new List<PartitionVersion>();
        var history = new List<string?[]>();
        var versions = new List<string?[]>();
        var replaced = 0;
        foreach (var ((account, period), (rows, billed)) in _pairs.OrderBy(p => p.Key.Account, StringComparer.Ordinal).ThenBy(p => p.Key.Period))
        {
            long? old = current.TryGetValue((account, (long)(period - DateTime.UnixEpoch).TotalSeconds), out var o) ? o : null;
            replaced += old is null ? 0 : 1;
            var billedText = ClickHouseRowCodec.FormatDecimal($"load {LoadId}, account {account}", "the sum of BilledCost", billed);
            var common = new string?[] { account, ClickHouseCostStore.Timestamp(period), id, rows.ToString(CultureInfo.InvariantCulture), billedText, nowText };
            history.Add([.. common, old?.ToString(CultureInfo.InvariantCulture)]);
            versions.Add(common);
            published.Add(new PartitionVersion(account, period, LoadId, rows, billed));
        }

        string[] columns = ["billing_account_id", "billing_period_start", "load_id", "row_count", "billed_cost", "published_at"];
        await ClickHouseCostStore.InsertAsync(coordinator, "partition_history", [.. columns, "replaced_load_id"], history, cancellationToken).ConfigureAwait(false);
        // The commit point: one INSERT of every pair of the load (one part, visible all at once).
        await ClickHouseCostStore.InsertAsync(coordinator, "partition_versions", columns, versions, cancellationToken).ConfigureAwait(false);
        return (published, replaced);
    }

    public async Task AbortAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        _writer?.Dispose();
        _chunk = null;
        _writer = null;
        try
        {
            await _inFlight.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StoreException or HttpRequestException)
        {
            // The load is being aborted anyway; the failed chunk's rows (if any) are deleted with the load's below.
            _failure ??= ex;
        }

        try
        {
            await _store.DeleteLoadRowsAsync(LoadId, cancellationToken).ConfigureAwait(false);
            await _store.WriteLoadStatusAsync(LoadId, "aborted", "0", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened, this session is over; if the server was unreachable, the next open discards the load.
            Finish();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return;
        }

        var failedBefore = _failure is not null;
        try
        {
            await AbortAsync().ConfigureAwait(false);
        }
        catch (StoreException) when (failedBefore)
        {
            // The load had already failed and said so; if the abort cannot reach the server either, the rows stay
            // invisible and the next open of the store deletes them (see ClickHouseCostStore.RecoverAsync).
        }
    }

    private void Finish()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _store.Writer.Release();
    }
}
