using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage;

namespace Dwcp.Cost.Tests;

/// <summary>
/// Passes every call to a real store, first running <see cref="BeforeRead"/> (to simulate a slow query or a clock
/// moving on) and counting the reads.
/// </summary>
internal sealed class DelegatingCostStore(ICostStore inner) : ICostStore
{
    private int _reads;

    /// <summary>Runs before every read with the token the read was given.</summary>
    public Func<CancellationToken, Task>? BeforeRead { get; set; }

    /// <summary>Reads that reached this store.</summary>
    public int Reads => _reads;

    public string Backend => inner.Backend;

    public Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default) => inner.GetInfoAsync(cancellationToken);

    public Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default) =>
        inner.FindLiveFileAsync(sha256, cancellationToken);

    public Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default) =>
        inner.BeginLoadAsync(request, cancellationToken);

    public async Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        await Before(cancellationToken);
        return await inner.AggregateAsync(spec, cancellationToken);
    }

    public async Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default)
    {
        await Before(cancellationToken);
        return await inner.CountLinesAsync(spec, cancellationToken);
    }

    public async Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        await Before(cancellationToken);
        return await inner.TotalsAsync(from, to, filters, cancellationToken);
    }

    public async Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default)
    {
        await Before(cancellationToken);
        return await inner.GetDataRangeAsync(filters, cancellationToken);
    }

    public Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default) =>
        inner.ListPartitionsAsync(cancellationToken);

    public IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) =>
        inner.ReadRowsAsync(from, to, filters, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task Before(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        if (BeforeRead is { } before)
        {
            await before(cancellationToken);
        }
    }
}
