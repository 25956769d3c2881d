using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Ingest;
using Dwcp.Storage;

namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>
/// Imports one provider delivery as one load with exactly the manifest's files. When every file is already loaded and
/// current, nothing changes. When only some are (a restated delivery that repeats an unchanged part file), every file
/// is read again: otherwise the new load would replace the billing periods without the repeated file's rows.
/// </summary>
public sealed class DeliveryImporter(ICostStore store)
{
    /// <summary>Imports the files as one delivery.</summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<string> files, ImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        var live = 0;
        if (files.Count > 1)
        {
            foreach (var f in files)
            {
                if (File.Exists(f) && await store.FindLiveFileAsync(FileHasher.Sha256Hex(f), cancellationToken).ConfigureAwait(false) is not null)
                {
                    live++;
                }
            }
        }

        var target = live > 0 && live < files.Count ? new RereadStore(store) : store;
        return await new BillingImporter(target).ImportAsync(files, options, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The store, except that no file counts as already loaded.</summary>
    private sealed class RereadStore(ICostStore inner) : ICostStore
    {
        public string Backend => inner.Backend;

        public Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default) => inner.GetInfoAsync(cancellationToken);

        public Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default) => Task.FromResult<ImportedFile?>(null);

        public Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default) => inner.BeginLoadAsync(request, cancellationToken);

        public Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default) => inner.AggregateAsync(spec, cancellationToken);

        public Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default) => inner.CountLinesAsync(spec, cancellationToken);

        public Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) =>
            inner.TotalsAsync(from, to, filters, cancellationToken);

        public Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) => inner.GetDataRangeAsync(filters, cancellationToken);

        public Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default) => inner.ListPartitionsAsync(cancellationToken);

        public IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) =>
            inner.ReadRowsAsync(from, to, filters, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask; // the caller owns the inner store
    }
}
