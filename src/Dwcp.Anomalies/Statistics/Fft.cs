using System.Numerics;

namespace Dwcp.Anomalies.Statistics;

/// <summary>In-place iterative radix-2 FFT (lengths must be powers of two).</summary>
internal static class Fft
{
    public static void Transform(Span<Complex> data, bool inverse)
    {
        var n = data.Length;
        if ((n & (n - 1)) != 0)
        {
            throw new ArgumentException($"FFT length {n} is not a power of two.", nameof(data));
        }

        for (int i = 1, j = 0; i < n; i++)
        {
            var bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1)
            {
                j ^= bit;
            }

            j ^= bit;
            if (i < j)
            {
                (data[i], data[j]) = (data[j], data[i]);
            }
        }

        for (var len = 2; len <= n; len <<= 1)
        {
            var ang = 2 * Math.PI / len * (inverse ? 1 : -1);
            var wlen = new Complex(Math.Cos(ang), Math.Sin(ang));
            for (var i = 0; i < n; i += len)
            {
                var w = Complex.One;
                for (var k = 0; k < len / 2; k++)
                {
                    var u = data[i + k];
                    var v = data[i + k + (len / 2)] * w;
                    data[i + k] = u + v;
                    data[i + k + (len / 2)] = u - v;
                    w *= wlen;
                }
            }
        }

        if (inverse)
        {
            for (var i = 0; i < n; i++)
            {
                data[i] /= n;
            }
        }
    }
}
