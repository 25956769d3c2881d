using System.Globalization;
using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>Open, migrations, recovery of interrupted loads and the purge of replaced rows.</summary>
public sealed partial class ClickHouseCostStore
{
    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Reach every server first (with no database: it may not exist yet), so an unreachable one is named.
        foreach (var s in _shards)
        {
            await s.PingAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var admin = new ClickHouseHttpClient(_options.Urls[0], null, _options))
        {
            _serverVersion = (await admin.QueryAsync("SELECT version()", cancellationToken).ConfigureAwait(false)).Single()[0] ?? "";
        }

        for (var i = 0; i < _shards.Length; i++)
        {
            using var admin = new ClickHouseHttpClient(_options.Urls[i], null, _options);
            if (Topology.Sharded)
            {
                var shardCount = (await admin.QueryAsync(
                    $"SELECT uniqExact(shard_num) FROM system.clusters WHERE cluster = {ClickHouseText.Literal(_options.Cluster)}", cancellationToken).ConfigureAwait(false)).Single()[0];
                if (shardCount != _shards.Length.ToString(CultureInfo.InvariantCulture))
                {
                    throw new StoreException(
                        $"ClickHouse at {admin.Url} defines cluster '{_options.Cluster}' with {shardCount} shard(s), but the store is configured for {_shards.Length}. " +
                        "Define the cluster in remote_servers on every server (tools/clickhouse/cluster-config.sh writes the file) or fix the shard count.");
                }
            }

            await admin.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {_options.Database}", cancellationToken).ConfigureAwait(false);
        }

        await CheckTopologyAsync(cancellationToken).ConfigureAwait(false);
        _schemaVersion = await MigrateAsync(cancellationToken).ConfigureAwait(false);
        await ClickHouseRollupSchema.EnsureAsync(Coordinator, _shards, Topology, cancellationToken).ConfigureAwait(false);
        await RecoverAsync(cancellationToken).ConfigureAwait(false);
        await PurgeReplacedAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A database created for one server cannot be opened as a sharded one, and the reverse.</summary>
    private async Task CheckTopologyAsync(CancellationToken cancellationToken)
    {
        var engine = await Coordinator.QueryAsync(
            $"SELECT engine FROM system.tables WHERE database = {ClickHouseText.Literal(_options.Database)} AND name = '{ClickHouseTopology.Rows}'", cancellationToken).ConfigureAwait(false);
        if (engine.Count == 0)
        {
            return;
        }

        var sharded = engine[0][0] == "Distributed";
        if (sharded != Topology.Sharded)
        {
            throw new StoreException(
                $"Database {_options.Database} at {Coordinator.Url} was created for {(sharded ? "a sharded cluster" : "a single server")}, " +
                $"but the store is configured with {_shards.Length} shard(s). Use another database name or the original shard setup.");
        }
    }

    private async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        await Coordinator.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version UInt32, description String, applied_at DateTime('UTC')) ENGINE = MergeTree ORDER BY version",
            cancellationToken).ConfigureAwait(false);
        var current = (int)ParseLong((await Coordinator.QueryAsync("SELECT max(version) FROM schema_version", cancellationToken).ConfigureAwait(false)).Single()[0]);
        if (current > ClickHouseSchema.CurrentVersion)
        {
            throw new StoreException(
                $"Database {_options.Database} at {Coordinator.Url} holds schema version {current}, newer than this build understands ({ClickHouseSchema.CurrentVersion}). " +
                "Upgrade DWCP Analytics or use another database.");
        }

        foreach (var (version, description, statements) in ClickHouseSchema.Migrations(Topology).Where(m => m.Version > current))
        {
            // Statements of a stage are independent and run concurrently: a first open is a few round trips long.
            foreach (var stage in statements.GroupBy(s => s.Stage).OrderBy(g => g.Key))
            {
                await Task.WhenAll(stage.SelectMany(st => (st.Target == DdlTarget.Coordinator ? [Coordinator] : _shards)
                    .Select(server => server.ExecuteAsync(st.Sql, cancellationToken)))).ConfigureAwait(false);
            }

            await InsertAsync(Coordinator, "schema_version", ["version", "description", "applied_at"],
                [[version.ToString(CultureInfo.InvariantCulture), description, Timestamp(Now)]], cancellationToken).ConfigureAwait(false);
            current = version;
        }

        return current;
    }

    /// <summary>
    /// Loads left in staging by a process that died: if their versions were published (the process died after the
    /// commit point), they are marked committed; otherwise their rows are deleted and they are marked aborted.
    /// </summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var staging = (await Coordinator.QueryAsync(
                "SELECT load_id FROM loads GROUP BY load_id HAVING argMax(status, revision) = 'staging' ORDER BY load_id", cancellationToken).ConfigureAwait(false))
            .Select(r => ParseLong(r[0])).ToList();
        if (staging.Count == 0)
        {
            return;
        }

        var ids = string.Join(", ", staging);
        var published = (await Coordinator.QueryAsync(
                $"SELECT load_id, sum(row_count), toUInt32(max(published_at)) FROM partition_history WHERE load_id IN ({ids}) " +
                $"AND load_id IN (SELECT load_id FROM partition_versions WHERE load_id IN ({ids})) GROUP BY load_id", cancellationToken).ConfigureAwait(false))
            .ToDictionary(r => ParseLong(r[0]), r => (Rows: r[1]!, At: r[2]!));
        foreach (var load in staging)
        {
            if (published.TryGetValue(load, out var p))
            {
                await WriteLoadStatusAsync(load, "committed", p.Rows, DateTime.UnixEpoch.AddSeconds(ParseLong(p.At)), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await DeleteLoadRowsAsync(load, cancellationToken).ConfigureAwait(false);
                await WriteLoadStatusAsync(load, "aborted", "0", null, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Deletes the rows of versions replaced at least <see cref="ClickHouseStoreOptions.PurgeDelay"/> ago (they have
    /// been invisible since; the delay lets reads that took the old pointers finish). Runs at open and before each commit.
    /// </summary>
    internal async Task PurgeReplacedAsync(CancellationToken cancellationToken)
    {
        var cutoff = Now - _options.PurgeDelay;
        var replaced = await Coordinator.QueryAsync(
            "SELECT billing_account_id, toUInt32(billing_period_start), assumeNotNull(replaced_load_id) AS old FROM partition_history " +
            $"WHERE isNotNull(replaced_load_id) AND published_at <= toDateTime({Seconds(cutoff)}, 'UTC') " +
            "AND load_id IN (SELECT load_id FROM loads GROUP BY load_id HAVING argMax(status, revision) = 'committed') " +
            "AND (billing_account_id, billing_period_start, old) NOT IN (SELECT billing_account_id, billing_period_start, load_id FROM purged_versions)",
            cancellationToken).ConfigureAwait(false);
        if (replaced.Count == 0)
        {
            return;
        }

        var versions = replaced.Select(r => new Pointer(r[0]!, ParseLong(r[1]), ParseLong(r[2]), 0, 0m)).ToList();
        foreach (var shard in _shards)
        {
            await shard.ExecuteAsync($"ALTER TABLE {Topology.RowsLocal} DELETE WHERE {VisibleCondition(versions, "BillingAccountId", "BillingPeriodStart")}", cancellationToken).ConfigureAwait(false);
            foreach (var rollup in new[] { Topology.DailyLocal, Topology.SummaryLocal, Topology.HourlyLocal, Topology.TagLocal })
            {
                await shard.ExecuteAsync($"ALTER TABLE {rollup} DELETE WHERE {VisibleCondition(versions, "billing_account_id", "billing_period_start")}", cancellationToken).ConfigureAwait(false);
            }
        }

        var now = Timestamp(Now);
        await InsertAsync(Coordinator, "purged_versions", ["billing_account_id", "billing_period_start", "load_id", "purged_at"],
            versions.Select(v => new string?[] { v.Account, Timestamp(DateTime.UnixEpoch.AddSeconds(v.PeriodSeconds)), v.LoadId.ToString(CultureInfo.InvariantCulture), now }).ToList(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes every row of a load, on every shard (an asynchronous mutation; the rows were never visible).</summary>
    internal async Task DeleteLoadRowsAsync(long loadId, CancellationToken cancellationToken)
    {
        foreach (var shard in _shards)
        {
            foreach (var table in new[] { Topology.RowsLocal, Topology.DailyLocal, Topology.SummaryLocal, Topology.HourlyLocal, Topology.TagLocal })
            {
                await shard.ExecuteAsync($"ALTER TABLE {table} DELETE WHERE load_id = {loadId.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Records a load's final status (revision 2 replaces the staging row).</summary>
    internal Task WriteLoadStatusAsync(long loadId, string status, string rowCount, DateTime? committedAt, CancellationToken cancellationToken) =>
        InsertAsync(Coordinator, "loads", ["load_id", "revision", "status", "description", "started_at", "committed_at", "row_count", "owner"],
            [[loadId.ToString(CultureInfo.InvariantCulture), "2", status, "", Timestamp(Now), committedAt is { } c ? Timestamp(c) : null, rowCount, _owner]],
            cancellationToken);

    /// <summary>Waits until no mutation of the store's database is pending on any shard (tests and maintenance).</summary>
    internal async Task WaitForMutationsAsync(CancellationToken cancellationToken)
    {
        foreach (var shard in _shards)
        {
            while (ParseLong((await shard.QueryAsync(
                       $"SELECT count() FROM system.mutations WHERE database = {ClickHouseText.Literal(_options.Database)} AND is_done = 0", cancellationToken).ConfigureAwait(false)).Single()[0]) > 0)
            {
                // Real time on purpose: the server's background pool runs on the wall clock, whatever clock the store uses.
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Rows physically stored (visible or not) per load id, summed over shards (tests and maintenance).</summary>
    internal async Task<Dictionary<long, long>> StoredRowsByLoadAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, long>();
        foreach (var shard in _shards)
        {
            foreach (var r in await shard.QueryAsync($"SELECT load_id, count() FROM {Topology.RowsLocal} GROUP BY load_id", cancellationToken).ConfigureAwait(false))
            {
                var id = ParseLong(r[0]);
                result[id] = result.GetValueOrDefault(id) + ParseLong(r[1]);
            }
        }

        return result;
    }

    internal DateTime Now => _time.GetUtcNow().UtcDateTime;

    internal static string Timestamp(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal string Owner => _owner;

    internal ClickHouseStoreOptions Options => _options;

    internal SemaphoreSlim Writer => _writer;

    /// <summary>Inserts small bookkeeping rows as TabSeparated.</summary>
    internal static async Task InsertAsync(ClickHouseHttpClient client, string table, string[] columns, IReadOnlyList<string?[]> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                if (i > 0)
                {
                    text.Write('\t');
                }

                ClickHouseText.WriteField(text, row[i]);
            }

            text.Write('\n');
        }

        using var body = new StringContent(text.ToString(), new UTF8Encoding(false));
        await client.InsertAsync($"INSERT INTO {table} ({string.Join(", ", columns)})", body, cancellationToken).ConfigureAwait(false);
    }
}
