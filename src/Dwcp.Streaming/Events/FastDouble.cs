namespace Dwcp.Streaming.Events;

/// <summary>
/// Exact fast path for the common JSON number shapes (<c>-?digits[.digits]</c>, at most 15 significant digits, no
/// exponent): the digits form an integer below 2^53 and the scale a power of ten at most 10^15, both exact doubles, so one
/// IEEE division is correctly rounded and equals what a full decimal parser returns (Clinger's fast path). Other shapes
/// are declined and left to the general parser.
/// </summary>
internal static class FastDouble
{
    private static readonly double[] PowersOfTen =
        [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

    /// <summary>Parses a number token already validated as JSON when it has the shape above.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (utf8.Length > 0 && utf8[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        long mantissa = 0;
        var digits = 0;
        var scale = 0;
        var inFraction = false;
        for (; i < utf8.Length; i++)
        {
            var c = utf8[i];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                if (++digits > 15)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + d;
                if (inFraction)
                {
                    scale++;
                }
            }
            else if (c == (byte)'.' && !inFraction)
            {
                inFraction = true;
            }
            else
            {
                return false; // exponent (or anything unexpected): the general parser decides
            }
        }

        if (digits == 0)
        {
            return false;
        }

        var magnitude = scale == 0 ? mantissa : mantissa / PowersOfTen[scale];
        value = negative ? -magnitude : magnitude;
        return true;
    }
}
