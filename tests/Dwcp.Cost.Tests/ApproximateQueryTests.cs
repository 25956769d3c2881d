using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>A real DuckDB store with skewed costs over two months, and a record of every aggregation asked of it.</summary>
public sealed class SampledStore : IAsyncLifetime
{
    public DuckDbCostStore Store { get; } = DuckDbCostStore.OpenInMemory();

    public List<FocusRow> Rows { get; } = [];

    public async Task InitializeAsync()
    {
        var rng = new Random(77);
        string[] services = ["Compute", "Storage", "Database", "Network", "Queue"];
        for (var i = 0; i < 8_000; i++)
        {
            var billed = decimal.Round((decimal)Math.Exp((rng.NextDouble() * 2 - 1) * 2) * 5m, 6);
            var tags = rng.Next(3) == 0 ? null : new Dictionary<string, string> { ["Department"] = "d" + rng.Next(4) };
            Rows.Add(TestRows.Make(rng.Next(2) == 0 ? "A1" : "A2", new DateOnly(2024, 1, 1).AddDays(rng.Next(60)), services[rng.Next(services.Length)], billed, tags: tags));
        }

        await using var s = await Store.BeginLoadAsync(new LoadRequest("test"));
        Rows.ForEach(s.Append);
        await s.CommitAsync();
    }

    public Task DisposeAsync() => Store.DisposeAsync().AsTask();
}

/// <summary>Approximate answers through the query layer: explicit, labelled, bounded; exact answers never sampled; which path answered.</summary>
public sealed class ApproximateQueryTests(SampledStore fixture) : IClassFixture<SampledStore>
{
    private static readonly DateOnly From = new(2024, 1, 1);
    private static readonly DateOnly To = new(2024, 2, 29);
    private static readonly CostGrouping Service = new(CostDimension.Service);

    private (CostQueryService Service, RecordingStore Store) Make()
    {
        var recording = new RecordingStore(fixture.Store);
        return (new CostQueryService(recording), recording);
    }

    [Fact]
    public async Task An_exact_query_is_never_sampled_and_reads_the_rollup_when_it_can()
    {
        var (service, store) = Make();
        var result = await service.QueryAsync(new CostQuery { From = From, To = To, GroupBy = [Service], TopN = 2 }, CostScope.Everything);
        Assert.Null(result.Approximate);
        Assert.Equal(CostSource.Rollup, result.Source);
        Assert.NotEmpty(store.Specs);
        Assert.All(store.Specs, s => Assert.Null(s.Sample));
        Assert.All(result.Lines, l => Assert.Null(l.Estimate));
        var total = Assert.Single(result.Totals);
        Assert.Null(total.Estimate);
        Assert.Equal(fixture.Rows.Sum(r => r.BilledCost!.Value), total.BilledCost);
        Assert.Equal(fixture.Rows.Count, total.RowCount);
    }

    [Fact]
    public async Task A_tag_grouping_is_answered_from_the_tag_rollup_and_two_tag_keys_from_the_raw_rows()
    {
        var (service, _) = Make();
        var result = await service.QueryAsync(new CostQuery { From = From, To = To, GroupBy = [CostGrouping.ForTag("Department")] }, CostScope.Everything);
        Assert.Equal(CostSource.Rollup, result.Source);
        var untagged = fixture.Rows.Where(r => !(r.NormalizedTags?.Any(t => t.Key == "Department") ?? false)).Sum(r => r.BilledCost!.Value);
        Assert.Equal(untagged, result.Lines.Single(l => l.Keys[0] is null).BilledCost);
        foreach (var group in fixture.Rows.Where(r => r.NormalizedTags?.Any(t => t.Key == "Department") ?? false)
                     .GroupBy(r => r.NormalizedTags.First(t => t.Key == "Department").Value))
        {
            Assert.Equal(group.Sum(r => r.BilledCost!.Value), result.Lines.Single(l => l.Keys[0] == group.Key).BilledCost);
        }

        var twoKeys = await service.QueryAsync(
            new CostQuery { From = From, To = To, GroupBy = [CostGrouping.ForTag("Department"), CostGrouping.ForTag("Environment")] }, CostScope.Everything);
        Assert.Equal(CostSource.Raw, twoKeys.Source);
        Assert.Equal(fixture.Rows.Sum(r => r.BilledCost!.Value), twoKeys.Lines.Sum(l => l.BilledCost));
    }

    [Fact]
    public async Task A_sampled_query_says_it_is_an_estimate_and_its_totals_hold_the_exact_answer()
    {
        var (service, store) = Make();
        var result = await service.QueryAsync(new CostQuery { From = From, To = To, GroupBy = [Service], TopN = 3, Sample = 0.25 }, CostScope.Everything);
        var approx = Assert.IsType<CostApproximation>(result.Approximate);
        Assert.Equal(0.25, approx.Ratio);
        Assert.InRange(approx.RowsScanned, 1_600, 2_400);
        Assert.Equal(CostSource.Raw, result.Source);
        Assert.All(store.Specs, s => Assert.Equal(0.25, s.Sample));
        Assert.Equal(4, result.Lines.Count); // 3 services and "Other"
        Assert.All(result.Lines, l => Assert.NotNull(l.Estimate));
        var total = Assert.Single(result.Totals);
        var exact = fixture.Rows.Sum(r => r.BilledCost!.Value);
        Assert.NotEqual(exact, total.BilledCost);
        Assert.True(total.Estimate!.Billed.Contains(exact), $"{exact} not in [{total.Estimate.Billed.Lower}, {total.Estimate.Billed.Upper}]");
        Assert.Equal(result.Lines.Sum(l => l.BilledCost), total.BilledCost);
    }

    [Fact]
    public async Task Percentiles_come_with_the_lines_and_totals_from_the_raw_rows()
    {
        var (service, _) = Make();
        var result = await service.QueryAsync(new CostQuery { From = From, To = To, Percentiles = true }, CostScope.Everything);
        Assert.Equal(CostSource.Raw, result.Source);
        Assert.Null(result.Approximate);
        var values = fixture.Rows.Select(r => (double)r.BilledCost!.Value).Order().ToArray();
        var h = (values.Length - 1) * 0.95;
        var lo = (int)Math.Floor(h);
        var expected = values[lo] + ((h - lo) * (values[lo + 1] - values[lo]));
        Assert.Equal(expected, Assert.Single(result.Totals).Percentiles!.P95, 6);
        Assert.Equal(expected, Assert.Single(result.Lines).Percentiles!.P95, 6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public async Task A_sample_ratio_outside_0_to_1_is_refused(double ratio)
    {
        var (service, store) = Make();
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(new CostQuery { From = From, To = To, Sample = ratio }, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("(0, 1]", ex.Message, StringComparison.Ordinal);
        Assert.Empty(store.Specs);
    }

    [Fact]
    public async Task A_sample_with_a_reporting_currency_is_refused_and_a_sampled_cursor_does_not_page_an_exact_query()
    {
        var (service, _) = Make();
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(new CostQuery { From = From, To = To, Sample = 0.5, Currency = "EUR" }, CostScope.Everything));
        Assert.Contains("reporting currency", ex.Message, StringComparison.Ordinal);

        var sampled = await service.QueryAsync(new CostQuery { From = From, To = To, GroupBy = [Service], Grain = CostGrain.Day, PageSize = 10, Sample = 0.5 }, CostScope.Everything);
        Assert.NotNull(sampled.NextCursor);
        await Assert.ThrowsAsync<CostQueryException>(() => service.QueryAsync(
            new CostQuery { From = From, To = To, GroupBy = [Service], Grain = CostGrain.Day, PageSize = 10, Cursor = sampled.NextCursor }, CostScope.Everything));
    }

    /// <summary>Passes reads to the real store and records every aggregation spec it was asked.</summary>
    private sealed class RecordingStore(ICostStore inner) : ICostStore
    {
        public List<CostAggregation> Specs { get; } = [];

        public string Backend => inner.Backend;

        public Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default) => inner.GetInfoAsync(cancellationToken);

        public Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default) => inner.FindLiveFileAsync(sha256, cancellationToken);

        public Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default) => inner.BeginLoadAsync(request, cancellationToken);

        public Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default)
        {
            lock (Specs)
            {
                Specs.Add(spec);
            }

            return inner.AggregateAsync(spec, cancellationToken);
        }

        public Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default)
        {
            lock (Specs)
            {
                Specs.Add(spec);
            }

            return inner.CountLinesAsync(spec, cancellationToken);
        }

        public Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) =>
            inner.TotalsAsync(from, to, filters, cancellationToken);

        public Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) => inner.GetDataRangeAsync(filters, cancellationToken);

        public Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default) => inner.ListPartitionsAsync(cancellationToken);

        public IAsyncEnumerable<FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) =>
            inner.ReadRowsAsync(from, to, filters, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
