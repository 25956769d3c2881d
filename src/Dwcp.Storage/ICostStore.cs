using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Storage;

/// <summary>
/// The analytics store: where FOCUS cost rows land and where every cost answer is read from. DuckDB is the embedded
/// default; a scale-out engine implements the same contract. Callers never see engine types or SQL.
/// </summary>
/// <remarks>
/// Loads are versioned. A load writes its rows invisibly, then <see cref="ILoadSession.CommitAsync"/> makes the load
/// the current version of every (BillingAccountId, BillingPeriodStart) pair it holds in one step. Readers only ever
/// see the newest committed version of each pair: the old period or the new one, never a mix and never a gap. This
/// needs no multi-statement transaction over the rows, so engines without transactions can implement it too.
/// </remarks>
public interface ICostStore : IAsyncDisposable
{
    /// <summary>Engine name, e.g. <c>duckdb</c>.</summary>
    string Backend { get; }

    /// <summary>
    /// True when the store keeps an hourly summary rollup, so that <see cref="CostAggregation.HourlyRollupCanAnswer"/>
    /// aggregations can read it (<see cref="CostSource.Rollup"/>); otherwise hourly answers come from the raw rows.
    /// </summary>
    bool HasHourlyRollup => false;

    /// <summary>Backend, location, schema version and row counts.</summary>
    Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The committed import of a file with this SHA-256 whose rows are all still current, if any. Re-importing such a
    /// file would change nothing.
    /// </summary>
    Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Starts a load (one delivery). Rows appended to it stay invisible until it commits.</summary>
    Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default);

    /// <summary>Aggregates visible cost rows as the spec says. Filters in the spec already include the caller's scope.</summary>
    Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default);

    /// <summary>Number of lines <see cref="AggregateAsync"/> would return without limit or offset.</summary>
    Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default);

    /// <summary>Totals per currency of the visible rows in the range that pass the filters.</summary>
    Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default);

    /// <summary>First and last charge day of the visible rows that pass the filters, and their count.</summary>
    Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default);

    /// <summary>The current version of every (billing account, billing period) pair.</summary>
    Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Visible rows in the range that pass the filters (for lineage and export), in load order.</summary>
    IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default);
}

/// <summary>One delivery being written. Dispose without commit aborts it (its rows are removed).</summary>
public interface ILoadSession : IAsyncDisposable
{
    /// <summary>The load's id (also its version number: later loads have larger ids).</summary>
    long LoadId { get; }

    /// <summary>Rows appended so far.</summary>
    long RowCount { get; }

    /// <summary>Records a source file of this delivery (for idempotence and lineage).</summary>
    void AddFile(string path, string sha256, long rowCount);

    /// <summary>Appends one row (invisible until commit). Rows must have BillingAccountId, BillingPeriodStart and ChargePeriodStart.</summary>
    void Append(FocusRow row);

    /// <summary>Publishes the load as the current version of every pair it holds, atomically.</summary>
    Task<LoadSummary> CommitAsync(CancellationToken cancellationToken = default);

    /// <summary>Discards the load and its rows.</summary>
    Task AbortAsync(CancellationToken cancellationToken = default);
}
