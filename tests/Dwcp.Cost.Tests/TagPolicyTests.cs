using Dwcp.Core.Costs;
using Dwcp.Core.Focus;
using Dwcp.Cost.Ingestion;
using Dwcp.Ingest;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests;

/// <summary>Tag-key aliases, case folding, inheritance of account tags, and the coverage report.</summary>
public sealed class TagPolicyTests : StoreTestBase
{
    private static readonly DateOnly Jan1 = new(2024, 1, 1);

    private static readonly TagPolicy Policy = new(
        aliases: new Dictionary<string, string> { ["dept"] = "Department", ["department"] = "Department", ["env"] = "Environment" },
        caseInsensitive: true,
        required: ["Department", "Environment", "Owner"],
        inherited: [new InheritedTag("acct-b", "Department", "Finance"), new InheritedTag("sub-9", "Department", "Data")]);

    [Fact]
    public void Aliases_and_case_folding_give_one_canonical_key_and_the_first_value_wins()
    {
        var tags = Policy.Apply([new("DEPT", "eng"), new("Department", "ops"), new("ENV", "prod"), new("Team", "x"), new("team", "y")], "acct-a", null);
        Assert.Equal([new("Department", "eng"), new("Environment", "prod"), new("team", "x")], tags);
        Assert.Equal("Owner", Policy.Canonical("OWNER"));
        Assert.Equal("cost-center", Policy.Canonical("Cost-Center"));
        Assert.Equal("Cost-Center", TagPolicy.None.Canonical("Cost-Center"));
    }

    [Fact]
    public void Untagged_rows_inherit_from_their_sub_account_before_their_account_and_own_tags_win()
    {
        Assert.Equal([new("Department", "Data")], Policy.Apply([], "acct-b", "sub-9"));
        Assert.Equal([new("Department", "Finance")], Policy.Apply([], "acct-b", "sub-1"));
        Assert.Equal([new("Department", "Eng")], Policy.Apply([new("dept", "Eng")], "acct-b", "sub-9"));
        Assert.Empty(Policy.Apply([], "acct-a", null));
    }

    private static FocusRow Row(string account, decimal billed, Dictionary<string, string>? tags, string? sub = null, string provider = "AWS")
    {
        var r = TestRows.Make(account, Jan1, "svc", billed, provider: provider, tags: tags);
        r.SubAccountId = sub;
        return r;
    }

    private static List<FocusRow> Estate() =>
    [
        Row("acct-a", 10.10m, new() { ["dept"] = "Eng", ["env"] = "prod" }),
        Row("acct-a", 20.20m, new() { ["DEPARTMENT"] = "Ops" }),
        Row("acct-a", 30.30m, null),
        Row("acct-b", 40.40m, null),
        Row("acct-b", 50.50m, new() { ["Env"] = "dev" }, sub: "sub-9"),
        Row("acct-c", 60.60m, new() { ["owner"] = "kim" }, provider: "Microsoft"),
    ];

    private async Task ImportAsync(IEnumerable<FocusRow> rows)
    {
        var file = Path.Combine(DataDir, "tags.csv");
        using (var w = new FocusCsvWriter(file, [], gzip: false))
        {
            foreach (var r in rows)
            {
                w.Write(r);
            }
        }

        var result = await new BillingImporter(Store).ImportAsync([file], new ImportOptions { RejectedDir = Path.Combine(DataDir, "rejected"), TagPolicy = Policy });
        Assert.True(result.Committed, result.Message);
    }

    [Fact]
    public async Task The_importer_stores_canonical_keys_keeps_the_raw_tags_and_queries_use_any_spelling()
    {
        await ImportAsync(Estate());
        var costs = new CostQueryService(Store, new CostQueryOptions { TagPolicy = Policy });
        foreach (var spelling in new[] { "Department", "dept", "DEPARTMENT" })
        {
            var answer = await costs.QueryAsync(new CostQuery { From = Jan1, To = Jan1, GroupBy = [CostGrouping.ForTag(spelling)] }, CostScope.Everything);
            var byValue = answer.Lines.ToDictionary(l => l.Keys[0] ?? "(none)", l => l.BilledCost);
            Assert.Equal(new Dictionary<string, decimal> { ["Eng"] = 10.10m, ["Ops"] = 20.20m, ["(none)"] = 30.30m + 60.60m, ["Finance"] = 40.40m, ["Data"] = 50.50m }, byValue);
        }

        var back = await Store.ReadRowsAsync(Jan1, Jan1, []).ToListAsync();
        var first = back.Single(r => r.BilledCost == 10.10m);
        Assert.Contains("\"dept\"", first.Tags, StringComparison.Ordinal); // the raw column as delivered
        Assert.Equal(["Department", "Environment"], first.NormalizedTags.Select(t => t.Key));

        // A scope by tag uses the canonical key too.
        var scoped = await costs.QueryAsync(new CostQuery { From = Jan1, To = Jan1 }, CostScope.Parse("tag:dept=Eng|Ops"));
        Assert.Equal(30.30m, scoped.Totals.Single().BilledCost);
    }

    [Fact]
    public async Task Coverage_is_the_share_of_cost_carrying_each_required_key_per_provider_and_account()
    {
        var rows = Estate();
        await ImportAsync(rows);
        var costs = new CostQueryService(Store, new CostQueryOptions { TagPolicy = Policy });
        var coverage = await costs.TagCoverageAsync(Jan1, Jan1, [], CostMeasure.Billed, CostScope.Everything);

        // Expectations by hand from Estate(): Department is on a (eng, ops), b (inherited, both rows); not on a's 30.30 nor c.
        var dept = coverage.Where(c => c.Key == "Department").ToList();
        var overall = dept.Single(c => c.Provider is null);
        Assert.Equal((10.10m + 20.20m + 40.40m + 50.50m, rows.Sum(r => r.BilledCost!.Value)), (overall.TaggedCost, overall.TotalCost));
        Assert.Equal((4L, 6L), (overall.TaggedRows, overall.TotalRows));
        var a = dept.Single(c => c.BillingAccountId == "acct-a");
        Assert.Equal((30.30m, 60.60m), (a.TaggedCost, a.TotalCost));
        Assert.Equal(0.5, a.Share!.Value, 12);
        Assert.Equal(1.0, dept.Single(c => c.BillingAccountId == "acct-b").Share);
        var aws = dept.Single(c => c.Provider == "AWS" && c.BillingAccountId is null);
        Assert.Equal(10.10m + 20.20m + 30.30m + 40.40m + 50.50m, aws.TotalCost);

        var owner = coverage.Single(c => c.Key == "Owner" && c.Provider is null);
        Assert.Equal(60.60m, owner.TaggedCost);
        var env = coverage.Single(c => c.Key == "Environment" && c.Provider == "Microsoft" && c.BillingAccountId is null);
        Assert.Equal(0m, env.TaggedCost);
    }

    [Fact]
    public async Task Coverage_without_keys_or_a_required_list_is_an_invalid_argument()
    {
        var ex = await Assert.ThrowsAsync<CostQueryException>(() => new CostQueryService(Store).TagCoverageAsync(Jan1, Jan1, [], CostMeasure.Billed, CostScope.Everything));
        Assert.Equal(CostQueryErrorKind.InvalidArgument, ex.Kind);
    }
}
