using Dwcp.Tests;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Storage.Tests;

/// <summary>
/// The store contract, as cases every backend must pass. A backend's test class derives from this and supplies
/// <see cref="OpenStore"/>; the expectations are computed in the tests from the rows they load.
/// </summary>
public abstract class CostStoreContract : IAsyncLifetime
{
    protected ICostStore Store { get; private set; } = null!;

    protected abstract Task<ICostStore> OpenStore();

    /// <summary>Closes and reopens the same store (a restart), when the backend persists.</summary>
    protected abstract Task<ICostStore> ReopenStore();

    public async Task InitializeAsync() => Store = await OpenStore();

    public async Task DisposeAsync() => await Store.DisposeAsync();

    protected static readonly DateOnly Jan1 = new(2024, 1, 1);

    protected async Task<LoadSummary> Load(IEnumerable<FocusRow> rows, string file = "f.csv", string? sha = null)
    {
        await using var s = await Store.BeginLoadAsync(new LoadRequest("test"));
        var list = rows.ToList();
        foreach (var r in list)
        {
            s.Append(r);
        }

        s.AddFile(file, sha ?? Guid.NewGuid().ToString("N"), list.Count);
        return await s.CommitAsync();
    }

    private static CostAggregation Spec(DateOnly from, DateOnly to, CostGrain grain = CostGrain.Total, params CostGrouping[] by) =>
        new() { From = from, To = to, Grain = grain, GroupBy = by };

    [Fact]
    public async Task Totals_equal_the_sums_of_the_loaded_rows_to_the_last_decimal()
    {
        var rng = new Random(7);
        var rows = Enumerable.Range(0, 500).Select(i => TestRows.Make(
            i % 3 == 0 ? "A1" : "A2", Jan1.AddDays(i % 40), "svc" + (i % 5),
            billed: Math.Round((decimal)rng.NextDouble() * 100m, 15),
            effective: Math.Round((decimal)rng.NextDouble() * 90m, 13),
            list: 123.000000000000001m)).ToList();
        await Load(rows);

        var totals = await Store.TotalsAsync(Jan1, Jan1.AddDays(100), []);
        var t = Assert.Single(totals);
        Assert.Equal("USD", t.Currency);
        Assert.Equal(rows.Sum(r => r.BilledCost!.Value), t.BilledCost);
        Assert.Equal(rows.Sum(r => r.EffectiveCost!.Value), t.EffectiveCost);
        Assert.Equal(rows.Sum(r => r.ListCost!.Value), t.ListCost);
        Assert.Equal(500, t.RowCount);

        var byService = await Store.AggregateAsync(Spec(Jan1, Jan1.AddDays(100), CostGrain.Total, new CostGrouping(CostDimension.Service)));
        foreach (var line in byService)
        {
            Assert.Equal(rows.Where(r => r.ServiceName == line.Keys[0]).Sum(r => r.BilledCost!.Value), line.BilledCost);
        }

        Assert.Equal(5, byService.Count);
        Assert.True(byService.Zip(byService.Skip(1)).All(p => p.First.BilledCost >= p.Second.BilledCost), "lines are ordered by cost descending");
    }

    [Fact]
    public async Task Ranges_are_inclusive_and_a_charge_belongs_to_the_UTC_day_of_its_start()
    {
        var late = TestRows.Make("A", Jan1, "s", 5m);
        late.ChargePeriodStart = Jan1.ToDateTime(new TimeOnly(23, 0), DateTimeKind.Utc);
        late.ChargePeriodEnd = late.ChargePeriodStart.Value.AddHours(2);
        await Load([late, TestRows.Make("A", Jan1.AddDays(1), "s", 7m), TestRows.Make("A", Jan1.AddDays(2), "s", 11m)]);

        Assert.Equal(5m, (await Store.TotalsAsync(Jan1, Jan1, [])).Single().BilledCost);
        Assert.Equal(12m, (await Store.TotalsAsync(Jan1, Jan1.AddDays(1), [])).Single().BilledCost);
        Assert.Equal(18m, (await Store.TotalsAsync(Jan1.AddDays(1), Jan1.AddDays(2), [])).Single().BilledCost);
    }

    [Fact]
    public async Task Rows_stay_invisible_until_commit_and_an_abort_leaves_nothing()
    {
        var s = await Store.BeginLoadAsync(new LoadRequest("t"));
        s.Append(TestRows.Make("A", Jan1, "s", 5m));
        Assert.Empty(await Store.TotalsAsync(Jan1, Jan1, []));
        await s.AbortAsync();
        await s.DisposeAsync();
        Assert.Empty(await Store.TotalsAsync(Jan1, Jan1, []));
        Assert.Equal(0, (await Store.GetInfoAsync()).VisibleRows);

        await Load([TestRows.Make("A", Jan1, "s", 5m)]);
        Assert.Equal(5m, (await Store.TotalsAsync(Jan1, Jan1, [])).Single().BilledCost);
    }

    [Fact]
    public async Task A_newer_delivery_replaces_only_the_account_periods_it_contains()
    {
        var feb1 = new DateOnly(2024, 2, 1);
        await Load([TestRows.Make("A", Jan1, "s", 10m), TestRows.Make("A", feb1, "s", 20m), TestRows.Make("B", Jan1, "s", 40m)]);
        var summary = await Load([TestRows.Make("A", Jan1, "s", 1m), TestRows.Make("A", Jan1.AddDays(3), "s", 2m)]);

        Assert.Equal(1, summary.ReplacedPartitions);
        var byAccount = await Store.AggregateAsync(Spec(Jan1, feb1.AddDays(27), CostGrain.Month, new CostGrouping(CostDimension.BillingAccount)));
        decimal Get(string a, DateOnly m) => byAccount.Single(l => l.Keys[0] == a && l.PeriodStart == m).BilledCost;
        Assert.Equal(3m, Get("A", Jan1));
        Assert.Equal(20m, Get("A", feb1));
        Assert.Equal(40m, Get("B", Jan1));
        var partitions = await Store.ListPartitionsAsync();
        Assert.Equal(3, partitions.Count);
        Assert.Equal(summary.LoadId, partitions.Single(p => p.BillingAccountId == "A" && p.BillingPeriodStart.Month == 1).LoadId);
    }

    [Fact]
    public async Task Readers_during_restatements_see_the_old_or_the_new_period_never_a_mix()
    {
        // Half the rows carry a tag, so the reader's tag query (a tag rollup where the store has one) adds the tagged
        // groups and the untagged group.
        static Dictionary<string, string>? Tag(int i) => i % 2 == 0 ? new() { ["Department"] = "Eng" } : null;
        var rows = Enumerable.Range(0, 2000).Select(i => TestRows.Make("A", Jan1.AddDays(i % 28), "s", 1m, tags: Tag(i))).ToList();
        await Load(rows);
        var byTag = Spec(Jan1, Jan1.AddDays(30), CostGrain.Total, CostGrouping.ForTag("Department"));
        var allowed = new HashSet<decimal> { 2000m };
        var observed = new List<decimal>();
        using var stop = new CancellationTokenSource();
        var readerRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var t = await Store.TotalsAsync(Jan1, Jan1.AddDays(30), []);
                var tagged = await Store.AggregateAsync(byTag);
                lock (observed)
                {
                    observed.Add(t.Count == 0 ? 0m : t.Single().BilledCost);
                    observed.Add(tagged.Sum(l => l.BilledCost));
                }

                readerRunning.TrySetResult();
            }
        });

        // The restatements start only once the reader is reading, so it overlaps them however the machine schedules it.
        await readerRunning.Task;

        for (var v = 2; v <= 6; v++)
        {
            var value = v;
            lock (observed)
            {
                allowed.Add(2000m * value);
            }

            await Load(rows.Select((r, i) => TestRows.Make("A", DateOnly.FromDateTime(r.ChargePeriodStart!.Value), "s", value, tags: Tag(i))));
        }

        await stop.CancelAsync();
        await reader;
        Assert.NotEmpty(observed);
        Assert.All(observed, t => Assert.Contains(t, allowed));
        Assert.Equal(12000m, (await Store.TotalsAsync(Jan1, Jan1.AddDays(30), [])).Single().BilledCost);
        Assert.Equal([6000m, 6000m], (await Store.AggregateAsync(byTag)).Select(l => l.BilledCost));
    }

    [Fact]
    public async Task A_file_is_live_until_its_periods_are_restated()
    {
        await Load([TestRows.Make("A", Jan1, "s", 1m)], "a.csv", "sha-a");
        var live = await Store.FindLiveFileAsync("sha-a");
        Assert.NotNull(live);
        Assert.Equal("a.csv", live.Path);
        Assert.Null(await Store.FindLiveFileAsync("sha-other"));

        await Load([TestRows.Make("A", Jan1, "s", 2m)], "b.csv", "sha-b");
        Assert.Null(await Store.FindLiveFileAsync("sha-a"));
        Assert.NotNull(await Store.FindLiveFileAsync("sha-b"));
    }

    [Fact]
    public async Task Groups_and_filters_by_tag_with_untagged_rows_as_null()
    {
        await Load([
            TestRows.Make("A", Jan1, "s", 10m, tags: new Dictionary<string, string> { ["Department"] = "Eng", ["Env"] = "prod" }),
            TestRows.Make("A", Jan1, "s", 20m, tags: new Dictionary<string, string> { ["Department"] = "Ops" }),
            TestRows.Make("A", Jan1, "s", 40m),
        ]);
        var dept = CostGrouping.ForTag("Department");
        var lines = await Store.AggregateAsync(Spec(Jan1, Jan1, CostGrain.Total, dept));
        Assert.Equal(40m, lines.Single(l => l.Keys[0] is null).BilledCost);
        Assert.Equal(20m, lines.Single(l => l.Keys[0] == "Ops").BilledCost);
        Assert.Equal(10m, lines.Single(l => l.Keys[0] == "Eng").BilledCost);

        var filtered = await Store.TotalsAsync(Jan1, Jan1, [new CostFilter(dept, ["Eng", null])]);
        Assert.Equal(50m, filtered.Single().BilledCost);
        Assert.Empty(await Store.TotalsAsync(Jan1, Jan1, [new CostFilter(dept, [])]));
    }

    [Fact]
    public async Task Never_sums_across_currencies()
    {
        await Load([TestRows.Make("A", Jan1, "s", 10m), TestRows.Make("B", Jan1, "s", 5m, currency: "EUR"), TestRows.Make("B", Jan1, "s", 1m, currency: "EUR")]);
        var totals = await Store.TotalsAsync(Jan1, Jan1, []);
        Assert.Equal(["EUR", "USD"], totals.Select(t => t.Currency));
        Assert.Equal(6m, totals[0].BilledCost);
        var lines = await Store.AggregateAsync(Spec(Jan1, Jan1, CostGrain.Total, new CostGrouping(CostDimension.Service)));
        Assert.Equal(2, lines.Count);
    }

    [Fact]
    public async Task Hour_buckets_follow_the_UTC_hour_of_the_charge_start_and_equal_the_rows_on_every_path()
    {
        // Charges at 00:10, 00:50, 13:00 and 23:59:59 on Jan 1 and 13:30 on Jan 2: four hour buckets.
        TimeSpan[] offsets = [new(0, 10, 0), new(0, 50, 0), new(13, 0, 0), new(23, 59, 59), new(1, 13, 30, 0)];
        var rows = offsets.Select((o, i) =>
        {
            var r = TestRows.Make("A", Jan1, i % 2 == 0 ? "s" : "t", 1.5m * (i + 1), consumed: i + 1m, unit: "Hours");
            r.ChargePeriodStart = Jan1.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) + o;
            return r;
        }).ToList();
        await Load(rows);
        var spec = Spec(Jan1, Jan1.AddDays(1), CostGrain.Hour);
        foreach (var source in new CostSource?[] { null, CostSource.Raw })
        {
            var hours = await Store.AggregateAsync(spec with { Source = source });
            Assert.Equal(
                [new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), new(2024, 1, 1, 13, 0, 0, DateTimeKind.Utc), new(2024, 1, 1, 23, 0, 0, DateTimeKind.Utc), new(2024, 1, 2, 13, 0, 0, DateTimeKind.Utc)],
                hours.Select(h => h.PeriodStartTime!.Value));
            Assert.Equal([Jan1, Jan1, Jan1, Jan1.AddDays(1)], hours.Select(h => h.PeriodStart!.Value));
            Assert.Equal([4.5m, 4.5m, 6m, 7.5m], hours.Select(h => h.BilledCost));
            Assert.Equal([3m, 3m, 4m, 5m], hours.Select(h => h.ConsumedQuantity!.Value));
            Assert.Equal([2L, 1L, 1L, 1L], hours.Select(h => h.RowCount));
        }

        var byService = await Store.AggregateAsync(Spec(Jan1, Jan1, CostGrain.Hour, new CostGrouping(CostDimension.Service)));
        Assert.Equal(["00:t:3.0", "00:s:1.5", "13:s:4.5", "23:t:6.0"], byService.Select(l => FormattableString.Invariant($"{l.PeriodStartTime:HH}:{l.Keys[0]}:{l.BilledCost:0.0}")));
        Assert.False(Spec(Jan1, Jan1, CostGrain.Hour).RollupCanAnswer);
        Assert.True(Spec(Jan1, Jan1, CostGrain.Hour).HourlyRollupCanAnswer);
    }

    [Fact]
    public async Task Week_and_month_buckets_start_on_Monday_and_the_first()
    {
        // 2024-01-01 is a Monday.
        await Load(Enumerable.Range(0, 40).Select(i => TestRows.Make("A", Jan1.AddDays(i), "s", i + 1)));
        var weeks = await Store.AggregateAsync(Spec(Jan1, Jan1.AddDays(39), CostGrain.Week));
        Assert.Equal(Enumerable.Range(0, 6).Select(w => (DateOnly?)Jan1.AddDays(7 * w)), weeks.Select(w => w.PeriodStart));
        Assert.Equal(Enumerable.Range(1, 7).Sum(), (int)weeks[0].BilledCost);
        var months = await Store.AggregateAsync(Spec(Jan1, Jan1.AddDays(39), CostGrain.Month));
        Assert.Equal([Jan1, new DateOnly(2024, 2, 1)], months.Select(m => m.PeriodStart!.Value));
        Assert.Equal(Enumerable.Range(1, 31).Sum(), (int)months[0].BilledCost);
    }

    [Fact]
    public async Task Kept_keys_stay_and_the_rest_fold_into_other()
    {
        await Load([TestRows.Make("A", Jan1, "big", 100m), TestRows.Make("A", Jan1, "mid", 50m), TestRows.Make("A", Jan1, "s1", 3m), TestRows.Make("A", Jan1, "s2", 4m)]);
        var spec = Spec(Jan1, Jan1, CostGrain.Total, new CostGrouping(CostDimension.Service)) with { KeepKeys = [["big"], ["mid"]] };
        var lines = await Store.AggregateAsync(spec);
        Assert.Equal(3, lines.Count);
        var other = lines.Single(l => l.IsOther);
        Assert.Null(other.Keys[0]);
        Assert.Equal(7m, other.BilledCost);
        Assert.Equal(3, await Store.CountLinesAsync(spec));
        Assert.Equal(2, (await Store.AggregateAsync(spec with { Limit = 2 })).Count);
        Assert.Equal("mid", (await Store.AggregateAsync(spec with { Limit = 1, Offset = 1 })).Single().Keys[0]);
    }

    [Fact]
    public async Task Usage_is_summed_only_when_the_group_has_one_unit()
    {
        await Load([
            TestRows.Make("A", Jan1, "one", 1m, consumed: 2.5m, unit: "Hours"),
            TestRows.Make("A", Jan1, "one", 1m, consumed: 1.25m, unit: "Hours"),
            TestRows.Make("A", Jan1, "two", 1m, consumed: 1m, unit: "Hours"),
            TestRows.Make("A", Jan1, "two", 1m, consumed: 1m, unit: "GB"),
        ]);
        var lines = await Store.AggregateAsync(Spec(Jan1, Jan1, CostGrain.Total, new CostGrouping(CostDimension.Service)));
        var one = lines.Single(l => l.Keys[0] == "one");
        Assert.Equal(3.75m, one.ConsumedQuantity);
        Assert.Equal("Hours", one.ConsumedUnit);
        var two = lines.Single(l => l.Keys[0] == "two");
        Assert.Null(two.ConsumedQuantity);
        Assert.Null(two.ConsumedUnit);
    }

    [Fact]
    public async Task Rows_read_back_with_every_column_extension_and_lineage()
    {
        var row = TestRows.Make("A", Jan1, "s", 1.123456789012345m, tags: new Dictionary<string, string> { ["k"] = "v" });
        row.Extensions["x_Custom"] = "hello";
        row.SourceFile = "bill.csv";
        row.SourceLine = 42;
        row.SkuPriceDetails = "{\"a\":1}";
        await Load([row]);
        var back = await Store.ReadRowsAsync(Jan1, Jan1, []).SingleAsync();
        foreach (var c in FocusColumns.All)
        {
            Assert.Equal(row.GetValue(c), back.GetValue(c));
        }

        Assert.Equal("hello", back.Extensions["x_Custom"]);
        Assert.Equal(("k", "v"), (back.NormalizedTags.Single().Key, back.NormalizedTags.Single().Value));
        Assert.Equal(("bill.csv", 42L), (back.SourceFile, back.SourceLine));
    }

    [Fact]
    public async Task Awkward_text_null_and_empty_and_extreme_numbers_survive_the_load_exactly()
    {
        string[] texts =
        [
            "plain", "", " padded ", "com,ma", "quote\"inside\"", "\"", "\"\"", "line\nbreak", "crlf\r\nend", "tab\there",
            "back\\slash", "NULL", "null", "Zürich €", "日本語", "emoji 🙂", "a,\"b\"\n,c",
        ];
        decimal[] amounts = [0m, -0.000000000000001m, 123456789012345678901.123456789012345m, -987.654321m, 0.1m, 1m];
        var rows = new List<FocusRow>();
        for (var i = 0; i < texts.Length; i++)
        {
            var row = TestRows.Make("A", Jan1, texts[i], amounts[i % amounts.Length], effective: -amounts[i % amounts.Length],
                tags: new Dictionary<string, string> { [texts[i] + "k"] = texts[(i + 1) % texts.Length] });
            row.ResourceName = i % 2 == 0 ? null : texts[i];
            row.ChargeDescription = texts[(i + 3) % texts.Length];
            row.ChargePeriodEnd = new DateTime(2024, 1, 1, 23, 59, 59, DateTimeKind.Utc).AddTicks(i * 10 * 123_457);
            row.Extensions["x_Note"] = texts[i];
            row.SourceLine = i + 1;
            rows.Add(row);
        }

        await Load(rows);
        var back = await Store.ReadRowsAsync(Jan1, Jan1, []).ToListAsync();
        Assert.Equal(rows.Count, back.Count);
        foreach (var original in rows)
        {
            var copy = back.Single(b => b.SourceLine == original.SourceLine);
            foreach (var c in FocusColumns.All)
            {
                Assert.Equal(original.GetValue(c), copy.GetValue(c));
            }

            Assert.Equal(original.Extensions["x_Note"], copy.Extensions["x_Note"]);
            Assert.Equal(original.NormalizedTags.Single(), copy.NormalizedTags.Single());
        }
    }

    [Fact]
    public async Task An_interrupted_load_is_discarded_on_restart()
    {
        await Load([TestRows.Make("A", Jan1, "s", 1m)]);
        var s = await Store.BeginLoadAsync(new LoadRequest("crash"));
        s.Append(TestRows.Make("A", Jan1, "s", 100m));
        s.Append(TestRows.Make("B", Jan1, "s", 100m));
        // No commit and no dispose: the process "dies" here.
        Store = await ReopenStore();
        var totals = await Store.TotalsAsync(Jan1, Jan1, []);
        Assert.Equal(1m, totals.Single().BilledCost);
        Assert.Equal(1, (await Store.GetInfoAsync()).VisibleRows);
    }
}
