namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>
/// The contract for the dimension filters of <see cref="RollupSelection"/> (resource, provider, region, service, account,
/// a set of accounts, tags): each store's answer equals a LINQ filter of every row written, for both rollup kinds.
/// </summary>
public abstract partial class RollupStoreContract
{
    /// <summary>Tag strings that catch substring matching: a value that is a prefix of another, a key that ends with another.</summary>
    private static readonly string[] TagChoices = ["", "team=payments", "team=pay", "env=prod;team=payments", "team=search", "xteam=payments;env=dev", "env=prod"];

    private static readonly string[] Providers = ["aws", "gcp", ""];

    private static readonly string[] Regions = ["eu-west-1", "us-east-1", ""];

    private static readonly string[] Services = ["ec2", "s3", "quote'svc"];

    /// <summary>The selections checked, each with the row test it means (written here from the documented semantics).</summary>
    private static IEnumerable<(string Name, Func<RollupQuery, RollupQuery> Apply, Func<string, string, string, string, string, string, bool> Match)> FilterCases()
    {
        // Match(resource, provider, region, service, account, tags)
        yield return ("resource", q => q with { ResourceId = "i-2" }, (r, p, g, s, a, t) => r == "i-2");
        yield return ("provider", q => q with { Provider = "gcp" }, (r, p, g, s, a, t) => p == "gcp");
        yield return ("empty region", q => q with { Region = "" }, (r, p, g, s, a, t) => g == "");
        yield return ("service and account", q => q with { Service = "quote'svc", Account = "acct-1" }, (r, p, g, s, a, t) => s == "quote'svc" && a == "acct-1");
        yield return ("account set", q => q with { Accounts = ["acct-0", "acct-2"] }, (r, p, g, s, a, t) => a is "acct-0" or "acct-2");
        yield return ("empty account set", q => q with { Accounts = [] }, (r, p, g, s, a, t) => false);
        yield return ("tag", q => q with { Tags = [new RollupTagFilter("team", ["payments"])] }, (r, p, g, s, a, t) => Tag(t, "team") == "payments");
        yield return ("tag with two values", q => q with { Tags = [new RollupTagFilter("team", ["pay", "search"])] }, (r, p, g, s, a, t) => Tag(t, "team") is "pay" or "search");
        yield return ("two tags", q => q with { Tags = [new("team", ["payments"]), new("env", ["prod"])] }, (r, p, g, s, a, t) => Tag(t, "team") == "payments" && Tag(t, "env") == "prod");
        yield return ("tag without values", q => q with { Tags = [new RollupTagFilter("team", [])] }, (r, p, g, s, a, t) => false);
        yield return ("everything", q => q with { Provider = "aws", Accounts = ["acct-1", "acct-2"], Tags = [new("env", ["prod", "dev"])], WindowSize = 5 * Minute },
            (r, p, g, s, a, t) => p == "aws" && a is "acct-1" or "acct-2" && Tag(t, "env") is "prod" or "dev");
    }

    /// <summary>The value of a grouped tag, parsed independently of the stores (pairs split on ';', key and value on the first '=').</summary>
    private static string? Tag(string tags, string key) => tags.Split(';', StringSplitOptions.RemoveEmptyEntries)
        .Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == key).Select(p => p[1]).FirstOrDefault();

    private static (List<WindowRollup> Metrics, List<CustomRollup> Custom) DimensionRows(int seed, int count)
    {
        var rng = new Random(seed);
        var metrics = new List<WindowRollup>();
        var custom = new List<CustomRollup>();
        for (var i = 0; i < count; i++)
        {
            var size = rng.Next(2) == 0 ? Minute : 5 * Minute;
            var start = T0 + size * rng.Next(-3, 4);
            var (resource, provider, region, service, account, tags) = ("i-" + rng.Next(4), Providers[rng.Next(3)], Regions[rng.Next(3)], Services[rng.Next(3)],
                "acct-" + rng.Next(3), TagChoices[rng.Next(TagChoices.Length)]);
            metrics.Add(new WindowRollup(start, start + size, size, size, "usage", resource, provider, region, service, account, tags, "m" + i,
                i, i, i, 0, i, 1, i, start, 1, 2, 3));
            custom.Add(new CustomRollup(start, start + size, size, size, "usage", resource, provider, region, service, account, tags, "agg" + i,
                "ratio", i / 7.0, false, i));
        }

        return (metrics, custom);
    }

    [Fact]
    public async Task Dimension_filters_equal_a_LINQ_filter_of_every_row_for_both_kinds()
    {
        var (metrics, custom) = DimensionRows(seed: 21, count: 400);
        await Store.AppendAsync(metrics, custom);
        Assert.Equal(400, (await Store.QueryAsync(new RollupQuery())).Count);

        foreach (var (name, apply, match) in FilterCases())
        {
            var query = apply(new RollupQuery());
            var expected = Ordered(metrics.Where(r => (query.WindowSize is not { } w || r.WindowSize == w) && match(r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags)));
            AssertSameRows(expected, await Store.QueryAsync(query), name);

            var customQuery = new CustomRollupQuery
            {
                ResourceId = query.ResourceId, Provider = query.Provider, Region = query.Region, Service = query.Service, Account = query.Account,
                Accounts = query.Accounts, Tags = query.Tags, WindowSize = query.WindowSize,
            };
            var expectedCustom = Ordered(custom.Where(r => (query.WindowSize is not { } w || r.WindowSize == w) && match(r.ResourceId, r.Provider, r.Region, r.Service, r.Account, r.Tags)));
            AssertSameRows(expectedCustom, await Store.QueryCustomAsync(customQuery), name + " (custom)");
        }
    }

    [Fact]
    public async Task A_dimension_filter_applies_before_the_limit_so_the_first_matching_rows_come_back()
    {
        var (metrics, _) = DimensionRows(seed: 22, count: 300);
        await Store.AppendAsync(metrics);
        var expected = Ordered(metrics.Where(r => r.Service == "s3" && Tag(r.Tags, "team") == "payments")).Take(5).ToList();

        var read = await Store.QueryAsync(new RollupQuery { Service = "s3", Tags = [new RollupTagFilter("team", ["payments"])], Limit = 5 });

        Assert.Equal(5, expected.Count);
        AssertSameRows(expected, read);
    }

    [Fact]
    public async Task A_malformed_tag_filter_is_refused_naming_it()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new RollupQuery { Tags = [new RollupTagFilter("te;am", ["x"])] }));
        Assert.Contains("key 'te;am'", error.Message, StringComparison.Ordinal);
        var value = await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryCustomAsync(new CustomRollupQuery { Tags = [new RollupTagFilter("team", ["a;env=prod"])] }));
        Assert.Contains("values without ';'", value.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => RollupTagFilter.Parse("team"));
        Assert.Equal(new RollupTagFilter("team", ["a=b"]).Key, RollupTagFilter.Parse("team=a=b").Key);
        Assert.Equal(["a=b"], RollupTagFilter.Parse("team=a=b").Values);
    }
}
