using Dwcp.Streaming.Durability;

namespace Dwcp.Streaming.Tests;

/// <summary>The checkpoint's streaming writer passes every byte on in order and its CRC equals the one-shot CRC.</summary>
public sealed class CrcWriteStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(42)]
    public void Bytes_and_crc_equal_a_one_shot_computation(int seed)
    {
        var random = new Random(seed);
        var expected = new MemoryStream();
        var inner = new MemoryStream();
        var stream = new CrcWriteStream(inner);
        for (var i = 0; i < 400; i++)
        {
            // mixes single bytes, small pieces and pieces larger than the 256 KiB chunk
            var size = random.Next(10) switch { 0 => 0, 1 => 1, 2 => 300_000 + random.Next(300_000), _ => random.Next(1, 5_000) };
            var piece = new byte[size];
            random.NextBytes(piece);
            expected.Write(piece);
            if (size == 1)
            {
                stream.WriteByte(piece[0]);
            }
            else
            {
                stream.Write(piece, 0, size);
            }
        }

        var crc = stream.Complete();

        Assert.Equal(expected.Length, stream.Written);
        Assert.Equal(expected.ToArray(), inner.ToArray());
        Assert.Equal(Crc32.Compute(expected.ToArray()), crc);
    }

    [Fact]
    public void Nothing_written_gives_the_crc_of_no_bytes()
    {
        var inner = new MemoryStream();
        var stream = new CrcWriteStream(inner);
        Assert.Equal(0u, stream.Complete()); // CRC-32 of the empty string
        Assert.Equal(0, inner.Length);
    }
}
