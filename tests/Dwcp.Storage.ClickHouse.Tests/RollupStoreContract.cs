namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>
/// The rollup store contract (<see cref="IRollupStore"/>), as cases every backend must pass: DuckDB and ClickHouse (one
/// server and two shards) derive from it. Expectations are computed here from the rows the tests write.
/// </summary>
public abstract partial class RollupStoreContract : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 31, 23, 0, 0, TimeSpan.Zero);

    protected static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    protected IRollupStore Store { get; private set; } = null!;

    protected abstract Task<IRollupStore> OpenStore();

    /// <summary>Closes the store and opens it again on the same data (a restart).</summary>
    protected abstract Task<IRollupStore> ReopenStore();

    public async Task InitializeAsync() => Store = await OpenStore();

    public async Task DisposeAsync() => await Store.DisposeAsync();

    /// <summary>A row whose values follow from <paramref name="seed"/> (sum = 10·seed, …), last value at the window's last microsecond.</summary>
    public static WindowRollup Row(DateTimeOffset start, TimeSpan size, string metric, string resource = "i-1", double seed = 1, string type = "usage",
        string service = "ec2", string tags = "", long eventCount = 10) =>
        new(start, start + size, size, size, type, resource, "aws", "eu-west-1", service, "acct-a", tags, metric,
            eventCount, 8, 10 * seed, seed, 3 * seed, 1.25 * seed, 2 * seed, start + size - TimeSpan.FromMicroseconds(1), seed, 2.5 * seed, 2.9 * seed);

    /// <summary>The contract's order: window start, size, slide, series (event type, dimensions, tags), metric; text compared byte-wise.</summary>
    public static List<WindowRollup> Ordered(IEnumerable<WindowRollup> rows) => [.. rows
        .OrderBy(r => r.WindowStart).ThenBy(r => r.WindowSize).ThenBy(r => r.Slide)
        .ThenBy(r => r.EventType, StringComparer.Ordinal).ThenBy(r => r.ResourceId, StringComparer.Ordinal)
        .ThenBy(r => r.Provider, StringComparer.Ordinal).ThenBy(r => r.Region, StringComparer.Ordinal)
        .ThenBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Account, StringComparer.Ordinal)
        .ThenBy(r => r.Tags, StringComparer.Ordinal).ThenBy(r => r.Metric, StringComparer.Ordinal)];

    /// <summary>Seeded rows over three window sizes, two months, several series and metrics, with awkward text and microsecond times.</summary>
    protected static List<WindowRollup> RandomRows(int seed, int count)
    {
        var rng = new Random(seed);
        string[] metrics = ["cpu_usage", "memory_usage", "disk_io", "Cost"];
        string[] resources = ["i-1", "i-2", "tab\there", "quote'and\\slash", "line\nbreak", "ünïcødé-€"];
        TimeSpan[] sizes = [Minute, 5 * Minute, 15 * Minute];
        var keys = new HashSet<object>();
        var rows = new List<WindowRollup>();
        while (rows.Count < count)
        {
            var size = sizes[rng.Next(sizes.Length)];
            var start = T0 + size * rng.Next(-8, 9) + TimeSpan.FromMicroseconds(rng.Next(0, 3) * 250_001);
            var r = new WindowRollup(start, start + size, size, size, rng.Next(4) == 0 ? "billing" : "usage",
                resources[rng.Next(resources.Length)], "aws", rng.Next(2) == 0 ? "eu-west-1" : "", "ec2", "acct-" + rng.Next(3),
                rng.Next(3) == 0 ? "team=payments;env=prod" : "", metrics[rng.Next(metrics.Length)],
                rng.Next(1, 1000), rng.Next(1, 1000), rng.NextDouble() * 1e6, -rng.NextDouble(), rng.NextDouble() * 1e-9, rng.NextDouble() / 3,
                Math.PI * rng.Next(), start + TimeSpan.FromMicroseconds(rng.Next(0, 60_000_000)), rng.NextDouble(), 1 / (1 + rng.NextDouble()), 1e300 * rng.NextDouble());
            if (keys.Add(r.Key))
            {
                rows.Add(r);
            }
        }

        return rows;
    }

    /// <summary>Equal lists, or a failure naming the first row that differs.</summary>
    public static void AssertSameRows(IReadOnlyList<WindowRollup> expected, IReadOnlyList<WindowRollup> actual, string context = "")
    {
        for (var i = 0; i < Math.Min(expected.Count, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"{context} row {i} differs:\nexpected {expected[i]}\nactual   {actual[i]}");
        }

        Assert.True(expected.Count == actual.Count, $"{context} expected {expected.Count} rows, read {actual.Count}");
    }

    [Fact]
    public async Task Appended_rows_read_back_field_for_field_in_the_contract_order()
    {
        var rows = RandomRows(seed: 11, count: 300);
        await Store.AppendAsync(rows[..120]);
        await Store.AppendAsync(rows[120..]);

        var read = await Store.QueryAsync(new RollupQuery());

        AssertSameRows(Ordered(rows), read);
    }

    [Fact]
    public async Task A_row_with_the_key_of_a_stored_row_replaces_it_and_a_redelivered_batch_counts_once()
    {
        var a = Row(T0, Minute, "cpu", seed: 1);
        var b = Row(T0, Minute, "mem", seed: 2);
        await Store.AppendAsync([a, b]);
        await Store.AppendAsync([a, b]);
        var a2 = a with { Sum = 999, Count = 99, EventCount = 100, P99 = 42, WindowEnd = a.WindowEnd };
        var c = Row(T0 + Minute, Minute, "cpu", seed: 3);
        await Store.AppendAsync([a2, c]);

        var read = await Store.QueryAsync(new RollupQuery());

        Assert.Equal(Ordered([a2, b, c]), read);
        Assert.Equal(999 + 20 + 30, read.Sum(r => r.Sum));
    }

    [Fact]
    public async Task Within_one_append_the_later_row_of_a_key_wins()
    {
        var first = Row(T0, Minute, "cpu", seed: 1);
        var second = first with { Sum = 77, Last = -1 };

        await Store.AppendAsync([first, Row(T0, Minute, "mem"), second]);

        var cpu = Assert.Single(await Store.QueryAsync(new RollupQuery { Metric = "cpu" }));
        Assert.Equal(second, cpu);
    }

    [Fact]
    public async Task Filters_select_by_start_range_size_type_and_metric_and_the_limit_keeps_the_first_rows_in_order()
    {
        var rows = RandomRows(seed: 5, count: 400);
        await Store.AppendAsync(rows);
        var from = T0 - 3 * Minute + TimeSpan.FromMicroseconds(250_001); // a start some rows have exactly (inclusive)
        var to = T0 + 15 * Minute;                                       // a start some rows have exactly (exclusive)
        var cases = new (RollupQuery Query, Func<WindowRollup, bool> Match)[]
        {
            (new RollupQuery { From = from }, r => r.WindowStart >= from),
            (new RollupQuery { To = to }, r => r.WindowStart < to),
            (new RollupQuery { From = from, To = to, WindowSize = 5 * Minute }, r => r.WindowStart >= from && r.WindowStart < to && r.WindowSize == 5 * Minute),
            (new RollupQuery { EventType = "billing" }, r => r.EventType == "billing"),
            (new RollupQuery { Metric = "Cost", WindowSize = 15 * Minute }, r => r.Metric == "Cost" && r.WindowSize == 15 * Minute),
            (new RollupQuery { Metric = "cost" }, r => r.Metric == "cost"), // text matches exactly (no row has it)
            (new RollupQuery { Metric = "cpu_usage", Limit = 7 }, r => r.Metric == "cpu_usage"),
        };

        foreach (var (query, match) in cases)
        {
            var expected = Ordered(rows.Where(match)).Take(query.Limit).ToList();
            var read = await Store.QueryAsync(query);
            AssertSameRows(expected, read, query.ToString());
        }

        Assert.Equal(7, (await Store.QueryAsync(new RollupQuery { Metric = "cpu_usage", Limit = 7 })).Count);
        Assert.Equal(Ordered(rows).Take(1), await Store.QueryAsync(new RollupQuery { Limit = 1 }));
    }

    [Fact]
    public async Task Every_read_sees_all_rows_of_an_append_or_none_even_when_it_spans_two_months()
    {
        const int Batches = 8;
        const int PerBatch = 240;
        var batches = Enumerable.Range(0, Batches).Select(b => Enumerable.Range(0, PerBatch)
            .Select(i => Row(T0 + (i % 120 - 30) * Minute, Minute, "m" + (i / 120), resource: $"batch-{b:00}", seed: i)) // 22:30 Jan 31 .. 00:29 Feb 1
            .ToList()).ToList();
        Assert.All(batches, b => Assert.True(b.Any(r => r.WindowStart.Month == 1) && b.Any(r => r.WindowStart.Month == 2)));

        using var done = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                var seen = await Store.QueryAsync(new RollupQuery());
                foreach (var g in seen.GroupBy(r => r.ResourceId))
                {
                    Assert.True(g.Count() == PerBatch, $"A read saw {g.Count()} of the {PerBatch} rows of {g.Key}.");
                }

                Interlocked.Increment(ref reads);
            }
        });

        foreach (var batch in batches)
        {
            // Let at least one read finish between appends, so reads interleave with writes however fast the store is.
            var before = Volatile.Read(ref reads);
            while (Volatile.Read(ref reads) == before && !reader.IsCompleted)
            {
                await Task.Delay(1);
            }

            await Store.AppendAsync(batch);
        }

        await done.CancelAsync();
        await reader;
        Assert.True(reads > 0);
        Assert.Equal(Batches * PerBatch, (await Store.QueryAsync(new RollupQuery { Limit = 100_000 })).Count);
    }

    [Fact]
    public async Task Bad_input_is_refused_and_a_refused_append_writes_none_of_its_rows()
    {
        var stored = Row(T0, Minute, "cpu", seed: 1);
        await Store.AppendAsync([stored]);

        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendAsync(null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.QueryAsync(null!));
        var zero = await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new RollupQuery { Limit = 0 }));
        Assert.Contains("Limit is 0", zero.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new RollupQuery { Limit = -5 }));

        // The replacement of the stored row and a new row, then a row without a metric: the whole append is refused.
        await Assert.ThrowsAnyAsync<Exception>(() => Store.AppendAsync([stored with { Sum = 5 }, Row(T0, Minute, "mem"), Row(T0, Minute, null!)]));

        Assert.Equal([stored], await Store.QueryAsync(new RollupQuery()));
        await Store.AppendAsync([]);
        Assert.Equal([stored], await Store.QueryAsync(new RollupQuery()));
    }

    [Fact]
    public async Task Rows_survive_a_restart_and_later_appends_still_replace_them()
    {
        var a = Row(T0, Minute, "cpu", seed: 1);
        var b = Row(T0, 5 * Minute, "cpu", seed: 2);
        await Store.AppendAsync([a, b]);

        Store = await ReopenStore();
        Assert.Equal(Ordered([a, b]), await Store.QueryAsync(new RollupQuery()));

        var a2 = a with { Sum = -1 };
        await Store.AppendAsync([a2]);
        Assert.Equal(Ordered([a2, b]), await Store.QueryAsync(new RollupQuery()));
    }

    [Fact]
    public async Task An_empty_store_answers_no_rows()
    {
        Assert.Empty(await Store.QueryAsync(new RollupQuery()));
        Assert.Empty(await Store.QueryAsync(new RollupQuery { Metric = "cpu", From = T0, To = T0 + Minute, WindowSize = Minute, EventType = "usage", Limit = 1 }));
    }
}
