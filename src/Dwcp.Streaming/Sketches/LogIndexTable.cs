using System.Collections.Concurrent;

namespace Dwcp.Streaming.Sketches;

/// <summary>
/// DDSketch bucket indices ⌈ln x / ln γ⌉ by table instead of a logarithm. The doubles of one binary exponent are cut
/// into 2⁷ sub-ranges by their top 7 mantissa bits; a sub-range is narrower than one bucket (for γ &gt; 1 + 2⁻⁷, i.e.
/// α ≳ 0.4%), so it holds at most one bucket boundary γᵏ: its entry keeps k and γᵏ, and x gets k below the boundary
/// and k + 1 above it. Values within a relative 1e-9 of the boundary (where a ceiling of the computed logarithm could
/// round either way) are left to the caller's exact formula, as are sub-ranges that start that close to the boundary
/// below, and binary exponents outside 2⁻³⁰ … 2⁷⁰. Outside those bands the formula's logarithm is off the integer by
/// far more than its rounding error, so the table gives exactly the formula's index. Tables are shared by all sketches
/// of one α and filled one binary exponent at a time, on first use (a benign race: two threads may fill the same one).
/// </summary>
internal sealed class LogIndexTable
{
    private const int SubBits = 7;
    private const int SubRanges = 1 << SubBits;
    private const int FirstExponent = 1023 - 30; // biased exponents covered: 2^-30 (below 1e-9) … 2^70
    private const int Exponents = 100;
    private const double Band = 1e-9;
    private static readonly ConcurrentDictionary<double, LogIndexTable> Tables = new();

    private readonly double _gamma;
    private readonly double _multiplier;
    private readonly double _logGamma;
    private readonly Entry[]?[] _chunks = new Entry[]?[Exponents];

    private LogIndexTable(double gamma)
    {
        _gamma = gamma;
        _logGamma = Math.Log(gamma);
        _multiplier = 1 / _logGamma;
    }

    /// <summary>The shared table for γ, or null when a sub-range could hold two boundaries (γ too close to 1).</summary>
    public static LogIndexTable? For(double gamma) =>
        (1 + (1.0 / SubRanges)) * (1 + 1e-8) < gamma ? Tables.GetOrAdd(gamma, static g => new LogIndexTable(g)) : null;

    /// <summary>The bucket index of a positive <paramref name="magnitude"/> ≥ 1e-9, or false when the caller must use
    /// the formula (outside the table's exponents, or within the band around a boundary).</summary>
    public bool TryIndexOf(double magnitude, out int index)
    {
        var bits = BitConverter.DoubleToInt64Bits(magnitude);
        var chunk = (int)(bits >> 52) - FirstExponent;
        if ((uint)chunk >= Exponents)
        {
            index = 0;
            return false;
        }

        var entries = _chunks[chunk] ?? Fill(chunk);
        var entry = entries[(int)(bits >> (52 - SubBits)) & (SubRanges - 1)];
        var distance = magnitude - entry.Boundary;
        index = entry.Index + (distance > 0 ? 1 : 0);
        return !entry.FormulaOnly && Math.Abs(distance) > entry.Boundary * Band;
    }

    private Entry[] Fill(int chunk)
    {
        var entries = new Entry[SubRanges];
        for (var j = 0; j < SubRanges; j++)
        {
            var low = BitConverter.Int64BitsToDouble(((long)(chunk + FirstExponent) << 52) | ((long)j << (52 - SubBits)));
            var k = (int)Math.Ceiling(Math.Log(low) * _multiplier);
            var boundary = Math.Exp(k * _logGamma); // γᵏ, relative error ~1e-14: far inside the band
            entries[j] = new Entry(boundary, k, FormulaOnly: boundary / _gamma * (1 + Band) >= low);
        }

        _chunks[chunk] = entries;
        return entries;
    }

    /// <summary>One sub-range: values up to <paramref name="Boundary"/> (γᵏ) get <paramref name="Index"/> (k), values
    /// above it k + 1.</summary>
    private readonly record struct Entry(double Boundary, int Index, bool FormulaOnly);
}
