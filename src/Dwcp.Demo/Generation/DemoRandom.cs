namespace Dwcp.Demo.Generation;

/// <summary>
/// The generator's own pseudo-random numbers: SplitMix64 for seeding and keyed streams, xoshiro256** for long
/// sequences. Fixed algorithms (unlike <see cref="System.Random"/>), so output never changes between runtimes.
/// Draws use only integer operations and exact conversions; callers combine them with +, -, * and / only.
/// </summary>
internal sealed class DemoRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A sequence seeded from <paramref name="seed"/> through SplitMix64.</summary>
    public DemoRandom(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64.Next(ref sm);
        _s1 = SplitMix64.Next(ref sm);
        _s2 = SplitMix64.Next(ref sm);
        _s3 = SplitMix64.Next(ref sm);
    }

    /// <summary>A sequence for one purpose, keyed by the run seed and any number of integers.</summary>
    public static DemoRandom For(int seed, params ReadOnlySpan<ulong> keys) => new(SplitMix64.Key(seed, keys));

    /// <summary>The next 64 random bits (xoshiro256**).</summary>
    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits (an exact conversion).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in [min, max).</summary>
    public double Range(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>A uniform integer in [min, max] (inclusive), without modulo bias worth noting for small ranges.</summary>
    public int Between(int min, int max) => min + (int)(NextUInt64() % (ulong)(max - min + 1));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>An approximately standard normal draw (Irwin-Hall sum of four uniforms, rescaled).</summary>
    public double NextGaussian() =>
        (NextDouble() + NextDouble() + NextDouble() + NextDouble() - 2.0) * 1.7320508075688772;

    /// <summary>One element of a list, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Between(0, items.Count - 1)];

    /// <summary>An index drawn with the given non-negative weights.</summary>
    public int PickWeighted(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var w in weights)
        {
            total += w;
        }

        var x = NextDouble() * total;
        for (var i = 0; i < weights.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        return weights.Count - 1;
    }

    /// <summary>Lower-case hexadecimal digits.</summary>
    public string Hex(int length) => Chars(length, "0123456789abcdef");

    /// <summary>Random characters from an alphabet.</summary>
    public string Chars(int length, string alphabet)
    {
        return string.Create(length, (this, alphabet), static (span, st) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = st.alphabet[(int)(st.Item1.NextUInt64() % (ulong)st.alphabet.Length)];
            }
        });
    }

    /// <summary>A GUID-formatted random identifier (lower case).</summary>
    public string Guid() => $"{Hex(8)}-{Hex(4)}-4{Hex(3)}-{Chars(1, "89ab")}{Hex(3)}-{Hex(12)}";
}

/// <summary>Exact, platform-independent conversion of a double to a decimal with a fixed number of places.</summary>
internal static class Quantities
{
    private static readonly double[] DoubleScale = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
    private static readonly decimal[] DecimalScale = [1m, 10m, 100m, 1e3m, 1e4m, 1e5m, 1e6m, 1e7m, 1e8m];

    /// <summary>
    /// Rounds <paramref name="value"/> to <paramref name="decimals"/> places (half to even) through a 64-bit integer:
    /// one IEEE multiplication and rounding, then an exact decimal division, so the result never depends on a
    /// runtime's double-to-decimal conversion rules.
    /// </summary>
    public static decimal Quantize(double value, int decimals)
    {
        var units = (long)Math.Round(value * DoubleScale[decimals], MidpointRounding.ToEven);
        return (decimal)units / DecimalScale[decimals];
    }
}

/// <summary>SplitMix64 steps and key mixing (Steele, Lea and Flood 2014).</summary>
internal static class SplitMix64
{
    /// <summary>Advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>The SplitMix64 finaliser: a bijective avalanche of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Folds a seed and keys into one well-mixed 64-bit value.</summary>
    public static ulong Key(int seed, ReadOnlySpan<ulong> keys)
    {
        var h = Mix(unchecked((ulong)seed) + 0x632BE59BD9B4E019UL);
        foreach (var k in keys)
        {
            h = Mix(h ^ (k + 0x9E3779B97F4A7C15UL));
        }

        return h;
    }

    /// <summary>FNV-1a over the UTF-16 code units of a string: a stable (never randomised) string hash.</summary>
    public static ulong Hash(string text)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 0x100000001B3UL;
        }

        return Mix(h);
    }
}
