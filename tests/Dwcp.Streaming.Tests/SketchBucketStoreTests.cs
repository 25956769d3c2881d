using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// The dense bucket store adds and reads without bounds checks, relying on every widening going through its range
/// check. These tests drive stores across their edges (sparse → dense, the first and last slot of the dense array,
/// widening both ways, collapsing past <c>maxBuckets</c>, clearing and reusing the array for another range) and compare
/// every bucket with a plain dictionary model of the same rules.
/// </summary>
public class SketchBucketStoreTests
{
    [Theory]
    [InlineData(1, 16, 40)]
    [InlineData(2, 64, 200)]
    [InlineData(3, 64, 20)]
    [InlineData(4, 2048, 3000)]
    [InlineData(5, 100, 100_000)]
    public void Dense_store_buckets_equal_a_dictionary_model_across_widening_collapsing_and_reuse(int seed, int maxBuckets, int spread)
    {
        var random = new Random(seed);
        var store = new BucketStore(maxBuckets);
        for (var round = 0; round < 6; round++)
        {
            var model = new Model(maxBuckets);
            var center = random.Next(-5000, 5000);
            for (var op = 0; op < 3000; op++)
            {
                // mostly near the centre, sometimes far out (new extremes that widen the array, or collapse it)
                var index = random.Next(10) == 0 ? center + random.Next(-spread, spread + 1) : center + random.Next(-20, 21);
                var count = random.Next(1, 4);
                var peeked = store.Peek(index);
                Assert.True(peeked == 0 || peeked == store.CountAt(index), $"peek {peeked} at {index}");
                store.Add(index, count);
                model.Add(index, count);
                if (op % 97 == 0)
                {
                    AssertSame(model, store);
                }
            }

            AssertSame(model, store);
            store.Clear(); // keeps the dense array: the next round reuses it for another range
            Assert.Equal(0, store.Total);
            Assert.Empty(store.Entries());
        }
    }

    [Fact]
    public void A_reused_dense_array_is_filled_at_its_first_and_last_slots()
    {
        var store = new BucketStore(64);
        for (var i = 0; i < 40; i++)
        {
            store.Add(i); // 40 distinct buckets: dense, with room around them
        }

        // widen one bucket at a time down to the lowest slot the range allows, and up to the highest, then past it
        var model = new Model(64);
        for (var i = 0; i < 40; i++)
        {
            model.Add(i, 1);
        }

        for (var i = -1; i >= -30; i--)
        {
            store.Add(i);
            model.Add(i, 1);
        }

        for (var i = 40; i < 80; i++)
        {
            store.Add(i, 2);
            model.Add(i, 2);
        }

        AssertSame(model, store);
        Assert.True(store.Collapsed);
        Assert.Equal(model.Counts.Keys.Max(), store.MaxIndex);
        Assert.Equal(store.CountAt(store.MaxIndex), store.Peek(store.MaxIndex));
        Assert.Equal(store.CountAt(store.MinIndex), store.Peek(store.MinIndex));
    }

    private static void AssertSame(Model model, BucketStore store)
    {
        Assert.Equal(model.Counts.Where(kv => kv.Value != 0).OrderBy(kv => kv.Key).Select(kv => (kv.Key, kv.Value)), store.Entries());
        Assert.Equal(model.Counts.Values.Sum(), store.Total);
        Assert.Equal(model.Collapsed, store.Collapsed);
        foreach (var (index, count) in model.Counts)
        {
            Assert.Equal(count, store.CountAt(index));
        }
    }

    /// <summary>The store's rules without arrays: at most maxBuckets wide; a new index that would widen it further folds
    /// every bucket below (highest index − maxBuckets + 1) into that one.</summary>
    private sealed class Model(int maxBuckets)
    {
        public Dictionary<int, long> Counts { get; } = [];

        public bool Collapsed { get; private set; }

        public void Add(int index, long count)
        {
            if (Counts.Count > 0)
            {
                var max = Math.Max(index, Counts.Keys.Max());
                var keepMin = max - maxBuckets + 1;
                if (Math.Min(index, Counts.Keys.Min()) < keepMin)
                {
                    Collapsed = true;
                    index = Math.Max(index, keepMin);
                    foreach (var low in Counts.Keys.Where(k => k < keepMin).ToList())
                    {
                        Counts[keepMin] = Counts.GetValueOrDefault(keepMin) + Counts[low];
                        Counts.Remove(low);
                    }
                }
            }

            Counts[index] = Counts.GetValueOrDefault(index) + count;
        }
    }
}
