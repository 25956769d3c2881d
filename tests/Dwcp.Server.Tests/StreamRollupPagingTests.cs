using Dwcp.Core.Costs;
using Dwcp.Server.Graph;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;
using GraphQL;

namespace Dwcp.Server.Tests;

/// <summary>
/// How <c>streamRollups</c> applies dimension filters and the caller's scope over a real DuckDB rollup store: page by
/// page in the store's order, never cutting a window start in two, so the answer equals filtering every row.
/// </summary>
public sealed class StreamRollupPagingTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-rollup-paging");
    private IRollupStore _store = null!;

    public Task InitializeAsync()
    {
        _store = DuckDbRollupStore.Open(_dir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static WindowRollup Row(DateTimeOffset start, string service, string account, string metric, string tags = "") =>
        new(start, start.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu-west-1", service, account, tags, metric,
            3, 2, 10, 1, 9, 5, 9, start.AddSeconds(59), 5, 9, 9);

    [Fact]
    public async Task Filtering_across_many_pages_returns_exactly_the_matching_rows_in_order_up_to_the_limit()
    {
        // 2,500 window starts × 12 rows = 30,000 rows (three pages of 10,000, whose ends fall inside a window start).
        var rng = new Random(3);
        var rows = new List<WindowRollup>();
        for (var w = 0; w < 2_500; w++)
        {
            for (var s = 0; s < 12; s++)
            {
                rows.Add(Row(T0.AddMinutes(w), "svc" + (s % 4), rng.Next(3) == 0 ? "acct-b" : "acct-a", "m" + (s / 4), rng.Next(2) == 0 ? "team=payments" : "team=search"));
            }
        }

        await _store.AppendAsync(rows);
        var scope = CostScope.Parse("account=acct-a");
        var filter = new RollupGraph.RowFilter(null, null, null, "svc2", null, scope);
        var expected = rows.Where(r => r.Service == "svc2" && r.Account == "acct-a")
            .OrderBy(r => r.WindowStart).ThenBy(r => r.Tags, StringComparer.Ordinal).ThenBy(r => r.Metric, StringComparer.Ordinal).ToList();

        var all = await RollupGraph.FilteredAsync(_store, new RollupQuery(), filter, int.MaxValue, CancellationToken.None);
        var first = await RollupGraph.FilteredAsync(_store, new RollupQuery(), filter, 4_000, CancellationToken.None);

        Assert.Equal(expected, all);
        Assert.Equal(expected.Take(4_000), first);
        Assert.True(expected.Count > 4_000);
    }

    [Fact]
    public async Task Restricted_tags_of_the_scope_are_matched_against_the_rows_grouped_tags()
    {
        await _store.AppendAsync([Row(T0, "ec2", "acct-a", "cpu", "env=prod;team=payments"), Row(T0, "ec2", "acct-a", "mem", "team=search"), Row(T0, "s3", "acct-a", "cpu", "")]);
        var filter = new RollupGraph.RowFilter(null, null, null, null, null, CostScope.Parse("tag:team=payments"));

        var rows = await RollupGraph.FilteredAsync(_store, new RollupQuery(), filter, 100, CancellationToken.None);

        Assert.Equal(["cpu"], rows.Select(r => r.Metric));
    }

    [Fact]
    public async Task More_rows_at_one_window_start_than_a_page_is_refused_with_how_to_narrow_it()
    {
        await _store.AppendAsync([.. Enumerable.Range(0, RollupGraph.PageRows + 1).Select(i => Row(T0, "svc" + i, "acct-a", "cpu"))]);
        var filter = new RollupGraph.RowFilter(null, null, null, "svc7", null, CostScope.Everything);

        var ex = await Assert.ThrowsAsync<ExecutionError>(() => RollupGraph.FilteredAsync(_store, new RollupQuery(), filter, 10, CancellationToken.None));

        Assert.Equal("LIMIT_EXCEEDED", ex.Code);
        Assert.Contains("start at 2026-03-02T00:00:00.000Z; narrow streamRollups with metric, eventType or windowSize", ex.Message, StringComparison.Ordinal);
    }
}
