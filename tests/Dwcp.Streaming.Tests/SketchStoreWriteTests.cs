using Dwcp.Streaming.Sketches;

namespace Dwcp.Streaming.Tests;

/// <summary>
/// A bucket store writes its checkpoint entries without building a list; the bytes must equal the format written from
/// <see cref="BucketStore.Entries"/> (flag, entry count, then index/count pairs in ascending order) for sparse, dense,
/// collapsed and cleared stores, and read back to the same entries.
/// </summary>
public class SketchStoreWriteTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 5)]
    [InlineData(3, 31)]
    [InlineData(4, 33)]
    [InlineData(5, 400)]
    [InlineData(6, 5000)]
    public void Written_bytes_equal_the_entries_format_and_read_back(int seed, int distinct)
    {
        var random = new Random(seed);
        var store = new BucketStore(256);
        for (var i = 0; i < distinct; i++)
        {
            store.Add(random.Next(-3000, 3000), random.Next(1, 5)); // past 256 buckets the store collapses
        }

        var written = Bytes(store.Write);
        var expected = Bytes(w =>
        {
            w.Write(store.Collapsed);
            var entries = store.Entries().ToList();
            w.Write(entries.Count);
            foreach (var (index, count) in entries)
            {
                w.Write(index);
                w.Write(count);
            }
        });
        Assert.Equal(expected, written);

        var back = new BucketStore(256);
        using var reader = new BinaryReader(new MemoryStream(written));
        back.Read(reader);
        Assert.Equal(store.Entries().ToList(), back.Entries().ToList());
        Assert.Equal(store.Total, back.Total);

        store.Clear();
        Assert.Equal(Bytes(w => { w.Write(store.Collapsed); w.Write(0); }), Bytes(store.Write));
    }

    private static byte[] Bytes(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            write(writer);
        }

        return stream.ToArray();
    }
}
