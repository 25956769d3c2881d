namespace Dwcp.Storage.Tests;

/// <summary>
/// <see cref="WindowRollup.LastPerKey"/> and <see cref="CustomRollup.LastPerKey"/>: one row per key, the later row
/// winning, in the order of each key's first row; keys are value types compared field by field.
/// </summary>
public sealed class RollupBatchTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static WindowRollup Row(string resource, string metric, double sum, DateTimeOffset? start = null) =>
        new(start ?? T0, (start ?? T0).AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", resource, "aws", "eu-west-1", "ec2",
            "acct-a", "", metric, 3, 3, sum, 1, 2, sum / 3, 2, (start ?? T0).AddSeconds(30), 1, 2, 2);

    // Equal keys must give equal fingerprints (the fast pass relies on it); different ones here give different ones.
    private static ulong Fingerprint<TKey>(TKey key)
        where TKey : IRollupKey => key.Fingerprint();

    [Fact]
    public void LastPerKey_keeps_the_later_row_of_a_key_at_the_place_of_its_first_row()
    {
        var a1 = Row("i-a", "cpu", 1);
        var b1 = Row("i-b", "cpu", 2);
        var a2 = Row("i-a", "cpu", 3);
        var c1 = Row("i-c", "cpu", 4);
        var b2 = Row("i-b", "cpu", 5);
        var a3 = Row("i-a", "cpu", 6);

        var unique = WindowRollup.LastPerKey([a1, b1, a2, c1, b2, a3]);

        // Worked out by hand: keys in first-seen order a, b, c; each carries its last row.
        Assert.Equal(new[] { a3, b2, c1 }, unique);
    }

    [Fact]
    public void LastPerKey_returns_every_row_in_order_when_no_key_repeats()
    {
        var rows = new List<WindowRollup>();
        for (var i = 0; i < 50; i++)
        {
            rows.Add(Row("i-" + (i % 25), i < 25 ? "cpu" : "mem", i));
        }

        var unique = WindowRollup.LastPerKey(rows);

        Assert.Equal(rows, unique);
    }

    [Fact]
    public void Batches_after_one_another_do_not_see_each_others_rows()
    {
        // The key table is reused between calls: a row of an earlier batch must never count as a repeat in a later one.
        var big = Enumerable.Range(0, 1_000).Select(i => Row("i-" + i, "cpu", i)).ToList();
        Assert.Equal(big, WindowRollup.LastPerKey(big));

        var a1 = Row("i-7", "cpu", -1);
        var a2 = Row("i-7", "cpu", -2);
        Assert.Equal(new[] { a2 }, WindowRollup.LastPerKey([a1, a2]));
        Assert.Equal(new[] { a1, Row("i-8", "cpu", 0) }, WindowRollup.LastPerKey([a1, Row("i-8", "cpu", 0)]));
        Assert.Equal(big, WindowRollup.LastPerKey(big));
    }

    [Fact]
    public void LastPerKey_of_no_row_or_one_row_is_that_batch()
    {
        Assert.Empty(WindowRollup.LastPerKey([]));
        var only = Row("i-a", "cpu", 1);
        Assert.Equal(new[] { only }, WindowRollup.LastPerKey([only]));
    }

    [Fact]
    public void A_window_start_at_another_offset_but_the_same_instant_is_the_same_key()
    {
        var utc = Row("i-a", "cpu", 1);
        var local = Row("i-a", "cpu", 2, T0.ToOffset(TimeSpan.FromHours(2)));

        Assert.Equal(utc.Key, local.Key);
        Assert.Equal(utc.Key.GetHashCode(), local.Key.GetHashCode());
        Assert.Equal(Fingerprint(utc.Key), Fingerprint(local.Key));
        Assert.Equal(new[] { local }, WindowRollup.LastPerKey([utc, local]));
    }

    [Fact]
    public void Rows_that_differ_in_any_key_field_are_kept_apart_and_the_measures_are_not_part_of_the_key()
    {
        var r = Row("i-a", "cpu", 1);
        WindowRollup[] variants =
        [
            r with { WindowStart = r.WindowStart.AddMinutes(1) }, r with { WindowSize = TimeSpan.FromMinutes(5) },
            r with { Slide = TimeSpan.FromSeconds(30) }, r with { EventType = "billing" }, r with { ResourceId = "i-b" },
            r with { Provider = "gcp" }, r with { Region = "us-east-1" }, r with { Service = "s3" }, r with { Account = "acct-b" },
            r with { Tags = "team=a" }, r with { Metric = "mem" },
        ];

        foreach (var v in variants)
        {
            Assert.NotEqual(r.Key, v.Key);
            Assert.NotEqual(Fingerprint(r.Key), Fingerprint(v.Key));
            Assert.Equal(2, WindowRollup.LastPerKey([r, v]).Count);
        }

        // Window end, counts and values are not identity: the same key, so the later row replaces the first.
        var remeasured = r with { WindowEnd = r.WindowEnd.AddSeconds(1), EventCount = 9, Count = 9, Sum = 99, P99 = 7 };
        Assert.Equal(r.Key, remeasured.Key);
        Assert.Equal(new[] { remeasured }, WindowRollup.LastPerKey([r, remeasured]));
    }

    [Fact]
    public void Equal_keys_from_different_string_instances_match()
    {
        // Keys compare strings by value, not by reference.
        var a = Row(new string(['i', '-', 'a']), new string(['c', 'p', 'u']), 1);
        var b = Row("i-a", "cpu", 2);
        Assert.Equal(Fingerprint(a.Key), Fingerprint(b.Key));

        Assert.Equal(new[] { b }, WindowRollup.LastPerKey([a, b]));
    }

    [Fact]
    public void Custom_rows_keep_the_later_row_per_window_series_and_name()
    {
        CustomRollup Custom(string name, double value, string resource = "i-a") =>
            new(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", resource, "aws", "", "ec2", "acct-a", "", name,
                "weighted_average", value, false, 4);

        var x1 = Custom("cost_per_cpu", 1);
        var y1 = Custom("rate", 2);
        var x2 = Custom("cost_per_cpu", 3);
        var z1 = Custom("cost_per_cpu", 4, "i-b");

        Assert.Equal(new[] { x2, y1, z1 }, CustomRollup.LastPerKey([x1, y1, x2, z1]));
        Assert.Equal(x1.Key, (x1 with { Type = "rate", Value = double.NaN, Partial = true, EventCount = 1 }).Key);
        Assert.NotEqual(x1.Key, z1.Key);
    }
}
