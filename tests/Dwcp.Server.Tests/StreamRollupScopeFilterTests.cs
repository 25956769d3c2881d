using Dwcp.Core.Costs;
using Dwcp.Server.Graph;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;
using GraphQL;

namespace Dwcp.Server.Tests;

/// <summary>
/// How <c>streamRollups</c> hands dimension filters and the caller's scope to the store (no paging in the server): over a
/// real DuckDB rollup store the answer equals a LINQ filter of every row, and a cut is never silent.
/// </summary>
public sealed class StreamRollupScopeFilterTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-rollup-scope");
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

    /// <summary>The scope's rule written independently of the server: allowed account, and an allowed value of each restricted tag.</summary>
    private static bool Visible(WindowRollup r, CostScope scope)
    {
        var tags = r.Tags.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        return (scope.BillingAccounts is not { } accounts || accounts.Contains(r.Account))
            && scope.TagValues.All(kv => tags.TryGetValue(kv.Key, out var v) && kv.Value.Contains(v));
    }

    private static RollupQuery Scoped(CostScope scope) => new() { Accounts = scope.BillingAccounts, Tags = [.. RollupGraph.ScopeTags(scope)] };

    [Fact]
    public async Task A_scope_and_a_dimension_filter_over_30000_rows_return_exactly_the_matching_rows_in_order_up_to_the_limit()
    {
        var rng = new Random(3);
        string[] tagChoices = ["team=payments", "team=search", "env=prod;team=payments", "team=payments-eu", ""];
        var rows = new List<WindowRollup>();
        for (var w = 0; w < 2_500; w++)
        {
            for (var s = 0; s < 12; s++)
            {
                rows.Add(Row(T0.AddMinutes(w), "svc" + (s % 4), rng.Next(3) == 0 ? "acct-b" : "acct-a", "m" + (s / 4), tagChoices[rng.Next(tagChoices.Length)]));
            }
        }

        await _store.AppendAsync(rows);
        var scope = CostScope.Parse("account=acct-a;tag:team=payments|search");
        var expected = RollupStoreContractOrder(rows.Where(r => r.Service == "svc2" && Visible(r, scope))).ToList();

        var all = await _store.QueryAsync(Scoped(scope) with { Service = "svc2", Limit = 100_000 });
        var first = await _store.QueryAsync(Scoped(scope) with { Service = "svc2", Limit = 1_500 });

        Assert.Equal(expected, all);
        Assert.Equal(expected.Take(1_500), first);
        Assert.True(expected.Count > 1_500 && expected.Count < rows.Count / 4, $"{expected.Count} matching rows");
    }

    [Fact]
    public async Task Restricted_tags_of_the_scope_are_matched_against_the_rows_grouped_tags()
    {
        await _store.AppendAsync([Row(T0, "ec2", "acct-a", "cpu", "env=prod;team=payments"), Row(T0, "ec2", "acct-a", "mem", "team=search"),
            Row(T0, "s3", "acct-a", "cpu", ""), Row(T0, "s3", "acct-a", "disk", "team=payments-eu")]);

        var rows = await _store.QueryAsync(Scoped(CostScope.Parse("tag:team=payments")));

        Assert.Equal(["cpu"], rows.Select(r => r.Metric));
        Assert.Empty(await _store.QueryAsync(Scoped(CostScope.Parse("account=acct-z"))));
        Assert.Equal(4, (await _store.QueryAsync(Scoped(CostScope.Everything))).Count);
    }

    [Fact]
    public void More_rows_than_api_max_results_without_a_limit_is_LIMIT_EXCEEDED_and_with_a_limit_the_first_rows()
    {
        int[] rows = [1, 2, 3, 4];

        var ex = Assert.Throws<ExecutionError>(() => RollupGraph.Checked(rows, explicitLimit: false, max: 3, "streamRollups", "metric"));

        Assert.Equal("LIMIT_EXCEEDED", ex.Code);
        Assert.Contains("streamRollups matches more than 3 rows (api.max_results)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pass limit to take the first rows", ex.Message, StringComparison.Ordinal);
        Assert.Equal(rows, RollupGraph.Checked(rows, explicitLimit: true, max: 3, "streamRollups", "metric"));
        Assert.Equal(rows[..3], RollupGraph.Checked(rows[..3], explicitLimit: false, max: 3, "streamRollups", "metric"));
    }

    private static IEnumerable<WindowRollup> RollupStoreContractOrder(IEnumerable<WindowRollup> rows) =>
        rows.OrderBy(r => r.WindowStart).ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Account, StringComparer.Ordinal)
            .ThenBy(r => r.Tags, StringComparer.Ordinal).ThenBy(r => r.Metric, StringComparer.Ordinal);
}
