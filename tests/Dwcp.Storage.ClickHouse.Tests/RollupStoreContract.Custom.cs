namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The contract for custom-aggregation rows (<see cref="CustomRollup"/>, <c>stream_custom_rollups</c>).</summary>
public abstract partial class RollupStoreContract
{
    /// <summary>A custom row of the series <see cref="Row"/> writes, with the given value.</summary>
    public static CustomRollup Custom(DateTimeOffset start, TimeSpan size, string name, double value, string resource = "i-1", string type = "weighted_average",
        bool partial = false, long eventCount = 10, string tags = "") =>
        new(start, start + size, size, size, "usage", resource, "aws", "eu-west-1", "ec2", "acct-a", tags, name, type, value, partial, eventCount);

    /// <summary>The contract's order for custom rows: window start, size, slide, series, name; text compared byte-wise.</summary>
    public static List<CustomRollup> Ordered(IEnumerable<CustomRollup> rows) => [.. rows
        .OrderBy(r => r.WindowStart).ThenBy(r => r.WindowSize).ThenBy(r => r.Slide)
        .ThenBy(r => r.EventType, StringComparer.Ordinal).ThenBy(r => r.ResourceId, StringComparer.Ordinal)
        .ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Region, StringComparer.Ordinal)
        .ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Account, StringComparer.Ordinal)
        .ThenBy(r => r.Tags, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];

    /// <summary>Seeded custom rows: three sizes, two months, awkward text, NaN (undefined) and extreme values, partial flags.</summary>
    protected static List<CustomRollup> RandomCustomRows(int seed, int count)
    {
        var rng = new Random(seed);
        (string Name, string Type)[] aggregations = [("cost_per_unit", "weighted_average"), ("p999_latency", "percentile"), ("resources", "distinct_count"), ("hot\tcpu's", "threshold_count")];
        string[] resources = ["i-1", "i-2", "quote'and\\slash", "line\nbreak", "ünïcødé-€"];
        double[] specials = [double.NaN, 0, double.Epsilon, 1e308, -1.5e-300, Math.PI];
        TimeSpan[] sizes = [Minute, 5 * Minute, 15 * Minute];
        var keys = new HashSet<object>();
        var rows = new List<CustomRollup>();
        while (rows.Count < count)
        {
            var size = sizes[rng.Next(sizes.Length)];
            var start = T0 + size * rng.Next(-8, 9) + TimeSpan.FromMicroseconds(rng.Next(0, 3) * 250_001);
            var (name, type) = aggregations[rng.Next(aggregations.Length)];
            var r = new CustomRollup(start, start + size, size, rng.Next(5) == 0 ? size / 5 : size, rng.Next(4) == 0 ? "billing" : "usage",
                resources[rng.Next(resources.Length)], rng.Next(3) == 0 ? "gcp" : "aws", rng.Next(2) == 0 ? "eu-west-1" : "", "ec2", "acct-" + rng.Next(3),
                rng.Next(3) == 0 ? "team=payments;env=prod" : "", name, type,
                rng.Next(3) == 0 ? specials[rng.Next(specials.Length)] : rng.NextDouble() * 1e6 - 5e5, rng.Next(4) == 0, rng.Next(0, 100_000));
            if (keys.Add(r.Key))
            {
                rows.Add(r);
            }
        }

        return rows;
    }

    /// <summary>Equal lists (NaN equals NaN, as record equality says), or a failure naming the first row that differs.</summary>
    public static void AssertSameRows(IReadOnlyList<CustomRollup> expected, IReadOnlyList<CustomRollup> actual, string context = "")
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"{context} row {i} differs:\nexpected {expected[i]}\nactual   {actual[i]}");
        }

        Assert.True(expected.Count == actual.Count, $"{context} expected {expected.Count} rows, read {actual.Count}");
    }

    [Fact]
    public async Task Custom_rows_read_back_field_for_field_in_the_contract_order_with_undefined_values_kept()
    {
        var rows = RandomCustomRows(seed: 12, count: 300);
        await Store.AppendAsync([], rows[..100]);
        await Store.AppendAsync([], rows[100..]);

        var read = await Store.QueryCustomAsync(new CustomRollupQuery());

        AssertSameRows(Ordered(rows), read);
        Assert.Contains(read, r => double.IsNaN(r.Value));
        Assert.Empty(await Store.QueryAsync(new RollupQuery())); // no metric rows were written
    }

    [Fact]
    public async Task A_custom_row_with_the_key_of_a_stored_row_replaces_it_and_a_redelivered_window_counts_once()
    {
        var a = Custom(T0, Minute, "cost_per_unit", 2.5);
        var b = Custom(T0, Minute, "p999_latency", 120, type: "percentile");
        var m = Row(T0, Minute, "cpu", seed: 1);
        await Store.AppendAsync([m], [a, b]);
        await Store.AppendAsync([m], [a, b]); // the same closed window delivered again after a crash
        var a2 = a with { Value = double.NaN, Partial = true, EventCount = 11 };
        var c = Custom(T0 + Minute, Minute, "cost_per_unit", 3);
        await Store.AppendAsync([], [a2, c, b with { Value = 1 }, b with { Value = 130 }]); // within one append the later row wins

        var read = await Store.QueryCustomAsync(new CustomRollupQuery());

        AssertSameRows(Ordered([a2, b with { Value = 130 }, c]), read);
        Assert.Equal([m], await Store.QueryAsync(new RollupQuery()));
        Assert.Equal([c], await Store.QueryCustomAsync(new CustomRollupQuery { Name = "cost_per_unit", From = T0 + Minute }));
        Assert.Empty(await Store.QueryCustomAsync(new CustomRollupQuery { Name = "Cost_per_unit" }));
    }

    [Fact]
    public async Task Every_read_sees_all_metric_and_custom_rows_of_an_append_or_none()
    {
        const int Batches = 6;
        const int PerBatch = 120;
        const int CustomPerBatch = 60;
        var batches = Enumerable.Range(0, Batches).Select(b => (
            Metrics: Enumerable.Range(0, PerBatch).Select(i => Row(T0 + (i % 60 - 30) * Minute, Minute, "m" + (i / 60), resource: $"batch-{b:00}", seed: i)).ToList(),
            Custom: Enumerable.Range(0, CustomPerBatch).Select(i => Custom(T0 + (i - 30) * Minute, Minute, "agg", i, resource: $"batch-{b:00}")).ToList())).ToList();

        using var done = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                // Custom rows first, metric rows after: a batch whose custom rows were visible must show its metric rows too.
                var custom = await Store.QueryCustomAsync(new CustomRollupQuery());
                var metrics = await Store.QueryAsync(new RollupQuery());
                foreach (var g in custom.GroupBy(r => r.ResourceId))
                {
                    Assert.True(g.Count() == CustomPerBatch, $"A read saw {g.Count()} of the {CustomPerBatch} custom rows of {g.Key}.");
                }

                var metricBatches = metrics.GroupBy(r => r.ResourceId).ToDictionary(g => g.Key, g => g.Count());
                Assert.All(metricBatches, kv => Assert.True(kv.Value == PerBatch, $"A read saw {kv.Value} of the {PerBatch} metric rows of {kv.Key}."));
                Assert.All(custom.Select(r => r.ResourceId).Distinct(), b => Assert.True(metricBatches.ContainsKey(b), $"{b}: custom rows visible, its metric rows not."));
                Interlocked.Increment(ref reads);
            }
        });

        foreach (var (metrics, custom) in batches)
        {
            var before = Volatile.Read(ref reads);
            while (Volatile.Read(ref reads) == before && !reader.IsCompleted)
            {
                await Task.Delay(1);
            }

            await Store.AppendAsync(metrics, custom);
        }

        await done.CancelAsync();
        await reader;
        Assert.True(reads > 0);
        Assert.Equal(Batches * CustomPerBatch, (await Store.QueryCustomAsync(new CustomRollupQuery { Limit = 100_000 })).Count);
    }

    [Fact]
    public async Task An_append_with_a_bad_custom_row_writes_neither_kind()
    {
        var m = Row(T0, Minute, "cpu", seed: 1);
        var c = Custom(T0, Minute, "agg", 1);
        await Store.AppendAsync([m], [c]);

        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendAsync([m with { Sum = -7 }, Row(T0, Minute, "mem")], [c with { Value = 9 }, Custom(T0, Minute, null!, 2)]));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendAsync([], null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.QueryCustomAsync(null!));
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryCustomAsync(new CustomRollupQuery { Limit = 0 }));
        Assert.Contains("Limit is 0", zero.Message, StringComparison.Ordinal);

        Assert.Equal([m], await Store.QueryAsync(new RollupQuery()));
        AssertSameRows([c], await Store.QueryCustomAsync(new CustomRollupQuery()));
        await Store.AppendAsync([], []);
        AssertSameRows([c], await Store.QueryCustomAsync(new CustomRollupQuery()));
    }

    [Fact]
    public async Task Custom_rows_survive_a_restart_and_later_appends_still_replace_them()
    {
        var a = Custom(T0, Minute, "agg", 1);
        var b = Custom(T0, 5 * Minute, "agg", 2);
        await Store.AppendAsync([], [a, b]);

        Store = await ReopenStore();
        AssertSameRows(Ordered([a, b]), await Store.QueryCustomAsync(new CustomRollupQuery()));

        var a2 = a with { Value = -1 };
        await Store.AppendAsync([], [a2]);
        AssertSameRows(Ordered([a2, b]), await Store.QueryCustomAsync(new CustomRollupQuery()));
    }
}
