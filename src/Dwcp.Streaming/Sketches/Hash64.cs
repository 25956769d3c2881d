using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Dwcp.Streaming.Sketches;

/// <summary>XXH64 (xxHash, 64-bit, by Yann Collet; algorithm re-implemented here) for fingerprints and sketches.</summary>
public static class Hash64
{
    private const ulong P1 = 11400714785074694791UL;
    private const ulong P2 = 14029467366897019727UL;
    private const ulong P3 = 1609587929392839161UL;
    private const ulong P4 = 9650029242287828579UL;
    private const ulong P5 = 2870177450012600261UL;

    /// <summary>XXH64 of the UTF-16 code units of a string (no allocation).</summary>
    /// <param name="text">Text.</param>
    /// <param name="seed">Seed.</param>
    /// <returns>The hash.</returns>
    public static ulong OfString(string text, ulong seed = 0) => Compute(MemoryMarshal.AsBytes((text ?? "").AsSpan()), seed);

    /// <summary>XXH64 of bytes.</summary>
    /// <param name="data">Input.</param>
    /// <param name="seed">Seed.</param>
    /// <returns>The hash.</returns>
    public static ulong Compute(ReadOnlySpan<byte> data, ulong seed = 0)
    {
        var length = data.Length;
        var i = 0;
        ulong h;
        if (length >= 32)
        {
            ulong v1 = seed + P1 + P2, v2 = seed + P2, v3 = seed, v4 = seed - P1;
            while (i <= length - 32)
            {
                v1 = Round(v1, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
                v2 = Round(v2, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 8)..]));
                v3 = Round(v3, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 16)..]));
                v4 = Round(v4, BinaryPrimitives.ReadUInt64LittleEndian(data[(i + 24)..]));
                i += 32;
            }

            h = BitOperations.RotateLeft(v1, 1) + BitOperations.RotateLeft(v2, 7) + BitOperations.RotateLeft(v3, 12) + BitOperations.RotateLeft(v4, 18);
            h = Merge(h, v1);
            h = Merge(h, v2);
            h = Merge(h, v3);
            h = Merge(h, v4);
        }
        else
        {
            h = seed + P5;
        }

        h += (ulong)length;
        while (i + 8 <= length)
        {
            h ^= Round(0, BinaryPrimitives.ReadUInt64LittleEndian(data[i..]));
            h = (BitOperations.RotateLeft(h, 27) * P1) + P4;
            i += 8;
        }

        if (i + 4 <= length)
        {
            h ^= BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * P1;
            h = (BitOperations.RotateLeft(h, 23) * P2) + P3;
            i += 4;
        }

        while (i < length)
        {
            h ^= data[i] * P5;
            h = BitOperations.RotateLeft(h, 11) * P1;
            i++;
        }

        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
    }

    /// <summary>Mixes two 64-bit values (for composite keys).</summary>
    /// <param name="a">First.</param>
    /// <param name="b">Second.</param>
    /// <returns>Mixed value.</returns>
    public static ulong Combine(ulong a, ulong b)
    {
        var h = a ^ Round(0, b);
        h = (BitOperations.RotateLeft(h, 27) * P1) + P4;
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        return h;
    }

    private static ulong Round(ulong acc, ulong input)
    {
        acc += input * P2;
        acc = BitOperations.RotateLeft(acc, 31);
        return acc * P1;
    }

    private static ulong Merge(ulong acc, ulong value)
    {
        acc ^= Round(0, value);
        return (acc * P1) + P4;
    }
}
