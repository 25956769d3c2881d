using Dwcp.Tests;
using System.Net.Http.Json;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Storage;

namespace Dwcp.Server.Tests;

public sealed class ScopeAndLimitTests
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    private static IEnumerable<Dwcp.Core.Focus.FocusRow> Rows() =>
    [
        TestRows.Make("111", Jan1, "EC2", 10m, tags: new Dictionary<string, string> { ["Department"] = "Eng" }),
        TestRows.Make("111", Jan1, "S3", 20m, tags: new Dictionary<string, string> { ["Department"] = "Sales" }),
        TestRows.Make("222", Jan1, "EC2", 40m, tags: new Dictionary<string, string> { ["Department"] = "Eng" }),
        TestRows.Make("222", Jan1, "RDS", 80m),
    ];

    private static async Task<decimal> Total(DwcpFactory f)
    {
        var root = await f.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\", granularity: TOTAL) { summary { totalCost } scope } }");
        return root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("summary").GetProperty("totalCost").GetDecimal();
    }

    [Fact]
    public async Task Two_scopes_get_different_correct_answers()
    {
        using var everything = new DwcpFactory();
        await everything.LoadAsync(Rows());
        Assert.Equal(150m, await Total(everything));

        using var account = new DwcpFactory(CostScope.Parse("account=111"));
        await account.LoadAsync(Rows());
        Assert.Equal(30m, await Total(account));

        using var eng = new DwcpFactory(CostScope.Parse("tag:Department=Eng"));
        await eng.LoadAsync(Rows());
        Assert.Equal(50m, await Total(eng));

        using var both = new DwcpFactory(CostScope.Parse("account=222;tag:Department=Eng"));
        await both.LoadAsync(Rows());
        Assert.Equal(40m, await Total(both));

        // A filter asked by the caller can narrow the scope but never widen it.
        var widened = await both.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\", services: [\"RDS\", \"S3\"], granularity: TOTAL) { metrics { cost } summary { totalCost } } }");
        Assert.Empty(widened.GetProperty("data").GetProperty("getCostMetrics").GetProperty("metrics").EnumerateArray());
    }

    [Fact]
    public async Task A_scope_header_from_the_client_is_ignored()
    {
        using var f = new DwcpFactory(CostScope.Parse("account=111"));
        await f.LoadAsync(Rows());
        using var client = f.CreateClient();
        client.DefaultRequestHeaders.Add("X-Dwcp-Scope", "*");
        client.DefaultRequestHeaders.Add("X-Scope", "*");
        using var response = await client.PostAsJsonAsync("/graphql", new { query = "{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\", granularity: TOTAL) { summary { totalCost } scope } }" });
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(30m, root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("summary").GetProperty("totalCost").GetDecimal());
        Assert.Equal("account=111", root.GetProperty("data").GetProperty("getCostMetrics").GetProperty("scope").GetString());
    }

    [Fact]
    public async Task A_page_larger_than_max_results_is_refused_with_the_limit_named()
    {
        using var f = new DwcpFactory(query: new CostQueryOptions { MaxResults = 2 });
        await f.LoadAsync(Rows());
        var root = await f.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\", first: 3) { metrics { cost } } }");
        var error = root.GetProperty("errors")[0];
        Assert.Contains("api.max_results", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("LIMIT_EXCEEDED", error.GetProperty("extensions").GetProperty("code").GetString());

        // Without `first`, answers are paged at the limit and say there is more.
        var paged = await f.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\", groupBy: [BILLING_ACCOUNT, SERVICE]) { metrics { cost } pageInfo { hasNextPage totalCount } } }");
        var r = paged.GetProperty("data").GetProperty("getCostMetrics");
        Assert.Equal(2, r.GetProperty("metrics").GetArrayLength());
        Assert.True(r.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
        Assert.Equal(4, r.GetProperty("pageInfo").GetProperty("totalCount").GetInt64());
    }

    [Fact]
    public async Task A_query_over_the_time_limit_is_stopped_with_the_limit_named()
    {
        // A real query over this data finishes in milliseconds, so a real time-out would race it. The one test double
        // here is a store whose aggregation runs until cancelled (a query that is too slow); everything else is real.
        using var f = new DwcpFactory(query: new CostQueryOptions { QueryTimeout = TimeSpan.FromMilliseconds(200) }, wrapStore: s => new SlowAggregationStore(s));
        await f.LoadAsync(Rows());
        var root = await f.GraphQLAsync("{ getCostMetrics(startDate: \"2024-01-01\", endDate: \"2024-01-01\") { metrics { cost } } }");
        var error = root.GetProperty("errors")[0];
        Assert.Contains("api.query_timeout", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("TIMEOUT", error.GetProperty("extensions").GetProperty("code").GetString());
    }

    /// <summary>Delegates to the real store, except that aggregations never finish before they are cancelled.</summary>
    private sealed class SlowAggregationStore(ICostStore inner) : ICostStore
    {
        public string Backend => inner.Backend;

        public Task<StoreInfo> GetInfoAsync(CancellationToken cancellationToken = default) => inner.GetInfoAsync(cancellationToken);

        public Task<ImportedFile?> FindLiveFileAsync(string sha256, CancellationToken cancellationToken = default) => inner.FindLiveFileAsync(sha256, cancellationToken);

        public Task<ILoadSession> BeginLoadAsync(LoadRequest request, CancellationToken cancellationToken = default) => inner.BeginLoadAsync(request, cancellationToken);

        public async Task<IReadOnlyList<CostLine>> AggregateAsync(CostAggregation spec, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return await inner.AggregateAsync(spec, cancellationToken);
        }

        public Task<long> CountLinesAsync(CostAggregation spec, CancellationToken cancellationToken = default) => inner.CountLinesAsync(spec, cancellationToken);

        public Task<IReadOnlyList<CurrencyTotal>> TotalsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) => inner.TotalsAsync(from, to, filters, cancellationToken);

        public Task<DataRange> GetDataRangeAsync(IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) => inner.GetDataRangeAsync(filters, cancellationToken);

        public Task<IReadOnlyList<PartitionVersion>> ListPartitionsAsync(CancellationToken cancellationToken = default) => inner.ListPartitionsAsync(cancellationToken);

        public IAsyncEnumerable<Dwcp.Core.Focus.FocusRow> ReadRowsAsync(DateOnly from, DateOnly to, IReadOnlyList<CostFilter> filters, CancellationToken cancellationToken = default) => inner.ReadRowsAsync(from, to, filters, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
