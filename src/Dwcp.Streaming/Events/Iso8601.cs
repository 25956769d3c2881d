namespace Dwcp.Streaming.Events;

/// <summary>
/// Fast path for the common wire timestamp <c>yyyy-MM-ddTHH:mm:ss[.f…f]Z</c> (UTC designator, 1–7 fraction digits) read
/// straight from UTF-8. Anything else (offsets, no designator, lower-case letters, more fraction digits, out-of-range
/// fields) is declined and left to the general ISO-8601 reader, so the accepted set and the results do not change.
/// </summary>
internal static class Iso8601
{
    /// <summary>Parses <paramref name="utf8"/> when it has exactly the shape above and names a valid time.</summary>
    public static bool TryParseUtc(ReadOnlySpan<byte> utf8, out DateTimeOffset value)
    {
        value = default;
        if (utf8.Length < 20 || utf8.Length > 28 || utf8.Length == 21 || utf8[^1] != (byte)'Z'
            || utf8[4] != (byte)'-' || utf8[7] != (byte)'-' || utf8[10] != (byte)'T' || utf8[13] != (byte)':' || utf8[16] != (byte)':')
        {
            return false;
        }

        if (!Digits(utf8, 0, 4, out var year) || !Digits(utf8, 5, 2, out var month) || !Digits(utf8, 8, 2, out var day)
            || !Digits(utf8, 11, 2, out var hour) || !Digits(utf8, 14, 2, out var minute) || !Digits(utf8, 17, 2, out var second))
        {
            return false;
        }

        var fraction = 0;
        if (utf8.Length > 20)
        {
            var digits = utf8.Length - 21; // between '.' and 'Z': 1..7
            if (utf8[19] != (byte)'.' || !Digits(utf8, 20, digits, out fraction))
            {
                return false;
            }

            for (var i = digits; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        value = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> utf8, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(utf8[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }
}
