using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Dwcp.Server.Tests;

/// <summary>
/// <c>GET /api/v1/stream/rollups</c> and <c>/api/v1/stream/aggregation-rollups</c> apply the caller's configured scope
/// (allowed accounts, restricted tag values) exactly as GraphQL does: a query-string filter narrows it, never widens it.
/// The expected rows are computed here with a LINQ filter written independently of the server.
/// </summary>
public sealed class RollupRestScopeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly (string Account, string Tags)[] Series =
    [
        ("acct-a", "team=payments"), ("acct-a", "team=search"), ("acct-a", ""), ("acct-b", "team=payments"), ("acct-a", "env=prod;team=payments"),
    ];

    private static WindowRollup Row(int minute, string account, string tags, string metric) =>
        new(T0.AddMinutes(minute), T0.AddMinutes(minute + 1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu-west-1", "ec2", account, tags, metric,
            2, 2, 4, 1, 3, 2, 3, T0.AddMinutes(minute).AddSeconds(50), 2, 3, 3);

    private static CustomRollup Custom(int minute, string account, string tags) =>
        new(T0.AddMinutes(minute), T0.AddMinutes(minute + 1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu-west-1", "ec2", account, tags,
            "busy", "threshold_count", minute, false, 2);

    private static bool Visible(string account, string tags) =>
        account == "acct-a" && tags.Split(';').Contains("team=payments", StringComparer.Ordinal);

    [Fact]
    public async Task Rest_rollups_return_only_the_rows_the_callers_scope_allows()
    {
        using var factory = new DwcpFactory(CostScope.Parse("account=acct-a;tag:team=payments"));
        using var client = factory.CreateClient();
        var store = factory.Services.GetRequiredService<IRollupStore>();
        var rows = new List<WindowRollup>();
        var customs = new List<CustomRollup>();
        for (var minute = 0; minute < 4; minute++)
        {
            foreach (var (account, tags) in Series)
            {
                rows.Add(Row(minute, account, tags, "cpu"));
                customs.Add(Custom(minute, account, tags));
            }
        }

        await store.AppendAsync(rows, customs);

        var expected = rows.Where(r => Visible(r.Account, r.Tags)).Select(r => (r.WindowStart, r.Account, r.Tags)).OrderBy(x => x.WindowStart).ThenBy(x => x.Tags, StringComparer.Ordinal).ToList();
        Assert.Equal(8, expected.Count); // 2 visible series × 4 minutes
        Assert.Equal(expected, await GetAsync(client, "/api/v1/stream/rollups"));
        Assert.Equal(expected, await GetAsync(client, "/api/v1/stream/aggregation-rollups?name=busy"));

        // Asking for another account or tag value narrows to nothing; it never widens the scope.
        Assert.Empty(await GetAsync(client, "/api/v1/stream/rollups?account=acct-b"));
        Assert.Empty(await GetAsync(client, "/api/v1/stream/aggregation-rollups?tag=team%3Dsearch"));
        Assert.Equal(expected.Where(x => x.Tags.Contains("env=prod", StringComparison.Ordinal)).ToList(), await GetAsync(client, "/api/v1/stream/rollups?tag=env%3Dprod"));
    }

    private static async Task<List<(DateTimeOffset Start, string Account, string Tags)>> GetAsync(HttpClient client, string path)
    {
        var text = await client.GetStringAsync(new Uri(path, UriKind.Relative));
        using var doc = JsonDocument.Parse(text);
        return [.. doc.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => (r.GetProperty("window_start").GetDateTimeOffset(), r.GetProperty("account").GetString()!, r.GetProperty("tags").GetString()!))
            .OrderBy(x => x.Item1).ThenBy(x => x.Item3, StringComparer.Ordinal)];
    }
}
