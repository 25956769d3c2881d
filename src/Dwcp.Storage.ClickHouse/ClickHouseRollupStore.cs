using System.Globalization;
using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// The ClickHouse <see cref="IRollupStore"/>: the real-time engine's closed windows in <c>stream_rollups</c> and
/// <c>stream_custom_rollups</c> (ReplacingMergeTrees, behind Distributed tables when sharded), next to the cost tables of a
/// <see cref="ClickHouseCostStore"/>. Same answers as the DuckDB rollup store; see docs/clickhouse.md#stream-rollups.
/// </summary>
/// <remarks>
/// Each append gets a version (microseconds of the store's clock, strictly increasing) and is written as one INSERT per table, then
/// recorded in <c>stream_rollup_batches</c> on the coordinator. Readers see the rows of recorded (committed) versions
/// only, and per key the row of the highest version, so an append becomes visible at once — across months and shards —
/// and a window written again replaces its row without ever counting twice, before or after background merges.
/// An append that fails is recorded as aborted (its rows stay invisible); one left unrecorded by a crash is found
/// and recorded as aborted at the next open. One process should write at a time, as for the cost store.
/// </remarks>
public sealed class ClickHouseRollupStore : IRollupStore
{
    private readonly ClickHouseHttpClient _coordinator;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly IReadOnlyDictionary<string, string>? _insertSettings;
    private readonly List<ulong> _unrecordedAborts = [];
    private ulong _lastVersion;

    private ClickHouseRollupStore(ClickHouseHttpClient coordinator, TimeProvider time, bool sharded)
    {
        _coordinator = coordinator;
        _time = time;
        // A sharded insert returns only once every shard has its rows (otherwise Distributed queues them in the background).
        _insertSettings = sharded ? new Dictionary<string, string>(StringComparer.Ordinal) { ["insert_distributed_sync"] = "1" } : null;
    }

    /// <summary>
    /// Opens the rollup tables of an open cost store (its open created them) and records as aborted any append a
    /// process that died left unrecorded.
    /// </summary>
    /// <param name="costStore">The open ClickHouse cost store: same servers, database and shards.</param>
    /// <param name="time">Clock for versions and <c>written_at</c>; default the system clock.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    /// <returns>The store; dispose it to close its connection.</returns>
    /// <exception cref="StoreException">ClickHouse cannot be reached or refused a statement.</exception>
    public static async Task<ClickHouseRollupStore> OpenAsync(ClickHouseCostStore costStore, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(costStore);
        var options = costStore.Options;
        var client = new ClickHouseHttpClient(options.Urls[0], options.Database, options);
        var store = new ClickHouseRollupStore(client, time ?? TimeProvider.System, costStore.Topology.Sharded);
        try
        {
            await store.RecoverAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Synchronous <see cref="OpenAsync"/> (for dependency-injection factories).</summary>
    /// <param name="costStore">The open ClickHouse cost store.</param>
    /// <param name="time">Clock for versions and <c>written_at</c>.</param>
    /// <returns>The store.</returns>
    public static ClickHouseRollupStore Open(ClickHouseCostStore costStore, TimeProvider? time = null) =>
        OpenAsync(costStore, time).GetAwaiter().GetResult();

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A row has a null text field or a time outside 1970-01-01 … 2106-02-07 (ClickHouse DateTime); nothing is written.</exception>
    public Task AppendAsync(IReadOnlyList<WindowRollup> rollups, CancellationToken cancellationToken = default) =>
        AppendAsync(rollups, [], cancellationToken);

    /// <inheritdoc />
    /// <exception cref="ArgumentException">A row has a null text field or a time outside 1970-01-01 … 2106-02-07 (ClickHouse DateTime); nothing is written.</exception>
    public async Task AppendAsync(IReadOnlyList<WindowRollup> rollups, IReadOnlyList<CustomRollup> customRollups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        ArgumentNullException.ThrowIfNull(customRollups);
        for (var i = 0; i < rollups.Count; i++)
        {
            ClickHouseRollupCodec.Validate(rollups[i], i);
        }

        for (var i = 0; i < customRollups.Count; i++)
        {
            ClickHouseRollupCodec.Validate(customRollups[i], i);
        }

        if (rollups.Count == 0 && customRollups.Count == 0)
        {
            return;
        }

        // Later rows win within a call too: a batch never holds two rows with one key.
        var metrics = WindowRollup.LastPerKey(rollups);
        var custom = CustomRollup.LastPerKey(customRollups);

        await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // An earlier failed append must be recorded as aborted before any later version commits: readers take
            // every version up to the newest committed one, so an unrecorded earlier one would show up half-written.
            if (_unrecordedAborts.Count > 0)
            {
                await RecordAsync(_unrecordedAborts, "aborted", 0, CancellationToken.None).ConfigureAwait(false);
                _unrecordedAborts.Clear();
            }

            var now = _time.GetUtcNow();
            var version = Math.Max((ulong)ClickHouseRollupCodec.Micros(now - DateTimeOffset.UnixEpoch), _lastVersion + 1);
            _lastVersion = version;
            var writtenAt = ClickHouseCostStore.Timestamp(now.UtcDateTime);
            try
            {
                // Both tables get the same version, and one commit record makes both visible.
                if (metrics.Count > 0)
                {
                    await InsertAsync(ClickHouseRollupSchema.Table, ClickHouseRollupCodec.MetricInsertColumns, ClickHouseRollupCodec.MetricTsv(metrics, writtenAt, version), cancellationToken).ConfigureAwait(false);
                }

                if (custom.Count > 0)
                {
                    await InsertAsync(ClickHouseRollupSchema.CustomTable, ClickHouseRollupCodec.CustomInsertColumns, ClickHouseRollupCodec.CustomTsv(custom, writtenAt, version), cancellationToken).ConfigureAwait(false);
                }

                await RecordAsync([version], "committed", metrics.Count + custom.Count, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The rows (some or all) may be stored, and even the commit record if only its answer was lost: an
                // aborted record hides the version either way, and the caller, who saw the failure, writes it again.
                try
                {
                    await RecordAsync([version], "aborted", 0, CancellationToken.None).ConfigureAwait(false);
                }
                catch (StoreException)
                {
                    _unrecordedAborts.Add(version);
                }

                throw;
            }
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WindowRollup>> QueryAsync(RollupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var rows = new List<WindowRollup>();
        if (await SnapshotAsync(cancellationToken).ConfigureAwait(false) is not { } snapshot)
        {
            return rows;
        }

        var sql = $"SELECT {ClickHouseRollupCodec.MetricSelectColumns}\nFROM {ClickHouseRollupSchema.Table}\nWHERE {snapshot}" +
            ClickHouseRollupCodec.Where(query, "metric", query.Metric) +
            $"\nGROUP BY {ClickHouseRollupCodec.MetricGroupColumns}\nORDER BY {ClickHouseRollupCodec.MetricGroupColumns}\nLIMIT {ClickHouseRollupCodec.Num(query.Limit)}";
        await foreach (var r in _coordinator.StreamAsync(sql, ClickHouseRollupCodec.MetricSelectCount, cancellationToken, waitEnd: true).ConfigureAwait(false))
        {
            rows.Add(ClickHouseRollupCodec.ReadMetric(r));
        }

        return rows;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CustomRollup>> QueryCustomAsync(CustomRollupQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var rows = new List<CustomRollup>();
        if (await SnapshotAsync(cancellationToken).ConfigureAwait(false) is not { } snapshot)
        {
            return rows;
        }

        var sql = $"SELECT {ClickHouseRollupCodec.CustomSelectColumns}\nFROM {ClickHouseRollupSchema.CustomTable}\nWHERE {snapshot}" +
            ClickHouseRollupCodec.Where(query, "name", query.Name) +
            $"\nGROUP BY {ClickHouseRollupCodec.CustomGroupColumns}\nORDER BY {ClickHouseRollupCodec.CustomGroupColumns}\nLIMIT {ClickHouseRollupCodec.Num(query.Limit)}";
        await foreach (var r in _coordinator.StreamAsync(sql, ClickHouseRollupCodec.CustomSelectCount, cancellationToken, waitEnd: true).ConfigureAwait(false))
        {
            rows.Add(ClickHouseRollupCodec.ReadCustom(r));
        }

        return rows;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _coordinator.Dispose();
        _writer.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The condition selecting what readers see: versions up to the newest committed one, minus the aborted ones; null
    /// when nothing was ever committed.
    /// </summary>
    private async Task<string?> SnapshotAsync(CancellationToken cancellationToken)
    {
        var batches = (await _coordinator.QueryAsync(
            $"SELECT maxIf(version, status = 'committed'), groupArrayIf(version, status = 'aborted') FROM {ClickHouseRollupSchema.Batches}",
            cancellationToken).ConfigureAwait(false)).Single();
        var visible = ulong.Parse(batches[0]!, CultureInfo.InvariantCulture);
        if (visible == 0)
        {
            return null;
        }

        var aborted = batches[1]!.Trim('[', ']');
        return "version <= " + ClickHouseRollupCodec.Num(visible) + (aborted.Length > 0 ? $" AND version NOT IN ({aborted})" : "");
    }

    private async Task InsertAsync(string table, string columns, string body, CancellationToken cancellationToken)
    {
        using var content = new StringContent(body, new UTF8Encoding(false));
        await _coordinator.InsertAsync($"INSERT INTO {table} ({columns})", content, cancellationToken, _insertSettings).ConfigureAwait(false);
    }

    /// <summary>Records versions found in either table above the newest recorded one (a process died mid-append) as aborted.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var recorded = ulong.Parse((await _coordinator.QueryAsync($"SELECT max(version) FROM {ClickHouseRollupSchema.Batches}", cancellationToken).ConfigureAwait(false)).Single()[0]!, CultureInfo.InvariantCulture);
        var orphans = new SortedSet<ulong>();
        foreach (var table in new[] { ClickHouseRollupSchema.Table, ClickHouseRollupSchema.CustomTable })
        {
            orphans.UnionWith((await _coordinator.QueryAsync(
                    $"SELECT DISTINCT version FROM {table} WHERE version > {ClickHouseRollupCodec.Num(recorded)}", cancellationToken).ConfigureAwait(false))
                .Select(r => ulong.Parse(r[0]!, CultureInfo.InvariantCulture)));
        }

        if (orphans.Count > 0)
        {
            await RecordAsync([.. orphans], "aborted", 0, cancellationToken).ConfigureAwait(false);
        }

        _lastVersion = Math.Max(recorded, orphans.Count > 0 ? orphans.Max : 0);
    }

    private Task RecordAsync(IReadOnlyList<ulong> versions, string status, long rows, CancellationToken cancellationToken)
    {
        var at = ClickHouseCostStore.Timestamp(_time.GetUtcNow().UtcDateTime);
        return ClickHouseCostStore.InsertAsync(_coordinator, ClickHouseRollupSchema.Batches, ["version", "status", "row_count", "written_at"],
            versions.Select(v => new string?[] { ClickHouseRollupCodec.Num(v), status, ClickHouseRollupCodec.Num(rows), at }).ToList(), cancellationToken);
    }
}
