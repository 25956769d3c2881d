using System.Globalization;
using System.Text;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// The ClickHouse <see cref="IRollupStore"/>: the real-time engine's closed windows in <c>stream_rollups</c> (a
/// ReplacingMergeTree, behind a Distributed table when sharded), next to the cost tables of a
/// <see cref="ClickHouseCostStore"/>. Same answers as the DuckDB rollup store; see docs/clickhouse.md#stream-rollups.
/// </summary>
/// <remarks>
/// Each append gets a version (microseconds of the store's clock, strictly increasing) and is written as one INSERT, then
/// recorded in <c>stream_rollup_batches</c> on the coordinator. Readers see the rows of recorded (committed) versions
/// only, and per key the row of the highest version, so an append becomes visible at once — across months and shards —
/// and a window written again replaces its row without ever counting twice, before or after background merges.
/// An append that fails is recorded as aborted (its rows stay invisible); one left unrecorded by a crash is found
/// and recorded as aborted at the next open. One process should write at a time, as for the cost store.
/// </remarks>
public sealed class ClickHouseRollupStore : IRollupStore
{
    private const string InsertColumns =
        "window_start, window_start_us, window_end, window_end_us, window_size_us, slide_us, event_type, resource_id, provider, region, " +
        "service, account, tags, metric, event_count, value_count, sum_bits, min_bits, max_bits, avg_bits, last_bits, p50_bits, p95_bits, p99_bits, " +
        "last_at, last_at_us, written_at, version";

    private const string GroupColumns =
        "window_start, window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, metric";

    private const string SelectColumns =
        "toUInt32(window_start), window_start_us, window_size_us, slide_us, event_type, resource_id, provider, region, service, account, tags, metric, " +
        "toUInt32(argMax(window_end, version)), argMax(window_end_us, version), argMax(event_count, version), argMax(value_count, version), " +
        "argMax(sum_bits, version), argMax(min_bits, version), argMax(max_bits, version), argMax(avg_bits, version), argMax(last_bits, version), " +
        "toUInt32(argMax(last_at, version)), argMax(last_at_us, version), argMax(p50_bits, version), argMax(p95_bits, version), argMax(p99_bits, version)";

    /// <summary>The range of ClickHouse's DateTime (UInt32 seconds since 1970).</summary>
    private static readonly DateTimeOffset MinTime = DateTimeOffset.UnixEpoch;

    private static readonly DateTimeOffset MaxTime = DateTimeOffset.UnixEpoch.AddSeconds(uint.MaxValue);

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
    public async Task AppendAsync(IReadOnlyList<WindowRollup> rollups, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rollups);
        for (var i = 0; i < rollups.Count; i++)
        {
            Validate(rollups[i], i);
        }

        if (rollups.Count == 0)
        {
            return;
        }

        // Later rows win within a call too: a batch never holds two rows with one key.
        var unique = WindowRollup.LastPerKey(rollups);

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
            var version = Math.Max((ulong)Micros(now - DateTimeOffset.UnixEpoch), _lastVersion + 1);
            _lastVersion = version;
            var body = Tsv(unique, ClickHouseCostStore.Timestamp(now.UtcDateTime), version);
            try
            {
                using (var content = new StringContent(body, new UTF8Encoding(false)))
                {
                    await _coordinator.InsertAsync($"INSERT INTO {ClickHouseRollupSchema.Table} ({InsertColumns})", content, cancellationToken, _insertSettings).ConfigureAwait(false);
                }

                await RecordAsync([version], "committed", unique.Count, cancellationToken).ConfigureAwait(false);
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
        if (query.Limit < 1)
        {
            throw new ArgumentException($"RollupQuery.Limit is {query.Limit}: it must be at least 1.", nameof(query));
        }

        // The snapshot: the newest committed version, and the aborted ones below it.
        var batches = (await _coordinator.QueryAsync(
            $"SELECT maxIf(version, status = 'committed'), groupArrayIf(version, status = 'aborted') FROM {ClickHouseRollupSchema.Batches}",
            cancellationToken).ConfigureAwait(false)).Single();
        var visible = ulong.Parse(batches[0]!, CultureInfo.InvariantCulture);
        if (visible == 0)
        {
            return [];
        }

        var sql = new StringBuilder($"SELECT {SelectColumns}\nFROM {ClickHouseRollupSchema.Table}\nWHERE version <= ").Append(Num(visible));
        var aborted = batches[1]!.Trim('[', ']');
        if (aborted.Length > 0)
        {
            sql.Append(" AND version NOT IN (").Append(aborted).Append(')');
        }

        if (query.From is { } from)
        {
            var (s, us) = Split(from);
            sql.Append($" AND (window_start > toDateTime({Num(s)}, 'UTC') OR (window_start = toDateTime({Num(s)}, 'UTC') AND window_start_us >= {Num(us)}))");
        }

        if (query.To is { } to)
        {
            var (s, us) = Split(to);
            sql.Append($" AND (window_start < toDateTime({Num(s)}, 'UTC') OR (window_start = toDateTime({Num(s)}, 'UTC') AND window_start_us < {Num(us)}))");
        }

        if (query.WindowSize is { } size)
        {
            sql.Append(" AND window_size_us = ").Append(Num(Micros(size)));
        }

        if (query.EventType is { } type)
        {
            sql.Append(" AND event_type = ").Append(ClickHouseText.Literal(type));
        }

        if (query.Metric is { } metric)
        {
            sql.Append(" AND metric = ").Append(ClickHouseText.Literal(metric));
        }

        sql.Append($"\nGROUP BY {GroupColumns}\nORDER BY {GroupColumns}\nLIMIT ").Append(Num(query.Limit));
        var rows = new List<WindowRollup>();
        await foreach (var r in _coordinator.StreamAsync(sql.ToString(), expectedColumns: 26, cancellationToken, waitEnd: true).ConfigureAwait(false))
        {
            rows.Add(Read(r));
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

    /// <summary>Records versions found in the table above the newest recorded one (a process died mid-append) as aborted.</summary>
    private async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var recorded = ulong.Parse((await _coordinator.QueryAsync($"SELECT max(version) FROM {ClickHouseRollupSchema.Batches}", cancellationToken).ConfigureAwait(false)).Single()[0]!, CultureInfo.InvariantCulture);
        var orphans = (await _coordinator.QueryAsync(
                $"SELECT DISTINCT version FROM {ClickHouseRollupSchema.Table} WHERE version > {Num(recorded)} ORDER BY version", cancellationToken).ConfigureAwait(false))
            .Select(r => ulong.Parse(r[0]!, CultureInfo.InvariantCulture)).ToList();
        if (orphans.Count > 0)
        {
            await RecordAsync(orphans, "aborted", 0, cancellationToken).ConfigureAwait(false);
        }

        _lastVersion = Math.Max(recorded, orphans.Count > 0 ? orphans[^1] : 0);
    }

    private Task RecordAsync(IReadOnlyList<ulong> versions, string status, long rows, CancellationToken cancellationToken)
    {
        var at = ClickHouseCostStore.Timestamp(_time.GetUtcNow().UtcDateTime);
        return ClickHouseCostStore.InsertAsync(_coordinator, ClickHouseRollupSchema.Batches, ["version", "status", "row_count", "written_at"],
            versions.Select(v => new string?[] { Num(v), status, Num(rows), at }).ToList(), cancellationToken);
    }

    private static void Validate(WindowRollup r, int index)
    {
        if (r is null)
        {
            throw new ArgumentException($"Rollup row {index} is null; pass only rows.", "rollups");
        }

        foreach (var (field, value) in new[]
                 {
                     ("EventType", r.EventType), ("ResourceId", r.ResourceId), ("Provider", r.Provider), ("Region", r.Region),
                     ("Service", r.Service), ("Account", r.Account), ("Tags", r.Tags), ("Metric", r.Metric),
                 })
        {
            if (value is null)
            {
                throw new ArgumentException(
                    $"Rollup row {index} (metric '{r.Metric}', window {r.WindowStart:O}): {field} is null; use an empty string for a dimension the engine does not group on. Nothing was written.",
                    "rollups");
            }
        }

        foreach (var (field, value) in new[] { ("WindowStart", r.WindowStart), ("WindowEnd", r.WindowEnd), ("LastTimestamp", r.LastTimestamp) })
        {
            if (value < MinTime || value >= MaxTime)
            {
                throw new ArgumentException(
                    $"Rollup row {index} (metric '{r.Metric}'): {field} {value:O} is outside what ClickHouse's DateTime holds (1970-01-01 to 2106-02-07 UTC). Nothing was written.",
                    "rollups");
            }
        }
    }

    private static string Tsv(IEnumerable<WindowRollup> rows, string writtenAt, ulong version)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var v = Num(version);
        foreach (var r in rows)
        {
            var (start, startUs) = Split(r.WindowStart);
            var (end, endUs) = Split(r.WindowEnd);
            var (last, lastUs) = Split(r.LastTimestamp);
            text.Write($"{Stamp(start)}\t{Num(startUs)}\t{Stamp(end)}\t{Num(endUs)}\t{Num(Micros(r.WindowSize))}\t{Num(Micros(r.Slide))}");
            foreach (var s in new[] { r.EventType, r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags, r.Metric })
            {
                text.Write('\t');
                ClickHouseText.WriteField(text, s);
            }

            text.Write($"\t{Num(r.EventCount)}\t{Num(r.Count)}\t{F(r.Sum)}\t{F(r.Min)}\t{F(r.Max)}\t{F(r.Average)}\t{F(r.Last)}\t{F(r.P50)}\t{F(r.P95)}\t{F(r.P99)}");
            text.Write($"\t{Stamp(last)}\t{Num(lastUs)}\t{writtenAt}\t{v}\n");
        }

        return text.ToString();
    }

    private static WindowRollup Read(string?[] f) => new(
        Time(f[0], f[1]), Time(f[12], f[13]), TimeSpan.FromMicroseconds(L(f[2])), TimeSpan.FromMicroseconds(L(f[3])),
        f[4]!, f[5]!, f[6]!, f[7]!, f[8]!, f[9]!, f[10]!, f[11]!,
        L(f[14]), L(f[15]), D(f[16]), D(f[17]), D(f[18]), D(f[19]), D(f[20]), Time(f[21], f[22]), D(f[23]), D(f[24]), D(f[25]));

    /// <summary>Whole seconds since 1970 and the microseconds within the second (times are checked to be after 1970).</summary>
    private static (long Seconds, long Micros) Split(DateTimeOffset time)
    {
        var seconds = Math.DivRem(Micros(time - DateTimeOffset.UnixEpoch), 1_000_000, out var micros);
        return (seconds, micros);
    }

    private static string Stamp(long seconds) => ClickHouseCostStore.Timestamp(DateTime.UnixEpoch.AddSeconds(seconds));

    private static DateTimeOffset Time(string? seconds, string? micros) =>
        DateTimeOffset.UnixEpoch.AddTicks((L(seconds) * 1_000_000 + L(micros)) * TimeSpan.TicksPerMicrosecond);

    private static long Micros(TimeSpan span) => span.Ticks / TimeSpan.TicksPerMicrosecond;

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Num(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static long L(string? text) => long.Parse(text!, CultureInfo.InvariantCulture);

    /// <summary>A Float64 as its bit pattern (see <c>ClickHouseRollupSchema.Float</c>: exact, unlike ClickHouse's float text parser).</summary>
    private static string F(double value) => Num((ulong)BitConverter.DoubleToInt64Bits(value));

    private static double D(string? text) => BitConverter.Int64BitsToDouble((long)ulong.Parse(text!, CultureInfo.InvariantCulture));
}
