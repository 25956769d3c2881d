using System.Globalization;

namespace Dwcp.Ingest;

/// <summary>What a timestamp parse had to assume.</summary>
[Flags]
internal enum TimestampNotes
{
    None = 0,
    NoTimeZone = 1,
    OffsetConverted = 2,
    DateOnly = 4,
}

/// <summary>Allocation-free parsers for decimal and timestamp cells.</summary>
internal static class ValueParsers
{
    private const NumberStyles DecimalStyles = NumberStyles.Float;

    /// <summary>
    /// Parses an invariant-culture number (<c>1.5</c>, <c>-3</c>, <c>1E-05</c>, surrounding spaces allowed) into a
    /// decimal keeping every written fractional digit (<c>0.00000080000</c> keeps scale 11).
    /// </summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> s, out decimal value)
    {
        // Fast path: [-+]digits[.digits] with at most 19 significant digits and a scale up to 28.
        var i = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = 0;
        var seenDot = false;
        var any = false;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                any = true;
                if (mantissa == 0 && d == 0)
                {
                    // Leading zeros cost no digits, but fractional ones still count for the scale.
                }
                else if (++digits > 19)
                {
                    return TryParseDecimalSlow(s, out value);
                }

                mantissa = (mantissa * 10) + d;
                if (seenDot)
                {
                    scale++;
                }
            }
            else if (c == '.' && !seenDot)
            {
                seenDot = true;
            }
            else
            {
                return TryParseDecimalSlow(s, out value);
            }
        }

        if (!any || scale > 28)
        {
            return TryParseDecimalSlow(s, out value);
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)scale);
        return true;
    }

    private static bool TryParseDecimalSlow(ReadOnlySpan<char> s, out decimal value) =>
        decimal.TryParse(s, DecimalStyles, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// Parses ISO 8601 date-times into UTC: <c>2024-09-01T00:00:00Z</c>, fractional seconds, offsets (<c>+02:00</c>,
    /// <c>+0200</c>, <c>+02</c>), a space instead of <c>T</c>, no zone (taken as UTC), a <c> UTC</c> suffix, no
    /// seconds, and date only.
    /// </summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> s, out DateTime value, out TimestampNotes notes)
    {
        value = default;
        notes = TimestampNotes.None;
        s = s.Trim();
        if (s.Length < 10 || !Digits(s, 0, 4, out var year) || s[4] != '-' || !Digits(s, 5, 2, out var month) ||
            s[7] != '-' || !Digits(s, 8, 2, out var day) || month is < 1 or > 12 || year < 1 ||
            day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        if (s.Length == 10)
        {
            notes = TimestampNotes.DateOnly;
            value = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
            return true;
        }

        if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s.Length < 16 || !Digits(s, 11, 2, out var hour) ||
            s[13] != ':' || !Digits(s, 14, 2, out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }

        var p = 16;
        var second = 0;
        long fractionTicks = 0;
        if (p < s.Length && s[p] == ':')
        {
            if (!Digits(s, p + 1, 2, out second) || second > 59)
            {
                return false;
            }

            p += 3;
            if (p < s.Length && (s[p] == '.' || s[p] == ','))
            {
                p++;
                var start = p;
                long scale = TimeSpan.TicksPerSecond;
                while (p < s.Length && (uint)(s[p] - '0') <= 9)
                {
                    if (scale > 1)
                    {
                        scale /= 10;
                        fractionTicks += (s[p] - '0') * scale;
                    }

                    p++;
                }

                if (p == start)
                {
                    return false;
                }
            }
        }

        var offsetMinutes = 0;
        var rest = s[p..];
        if (rest.Length == 0)
        {
            notes = TimestampNotes.NoTimeZone;
        }
        else if (rest is "Z" or "z" || rest.Equals(" UTC", StringComparison.OrdinalIgnoreCase) ||
                 rest.Equals("UTC", StringComparison.OrdinalIgnoreCase))
        {
            // UTC.
        }
        else if (!TryParseOffset(rest, out offsetMinutes))
        {
            return false;
        }

        var ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fractionTicks -
                    (offsetMinutes * TimeSpan.TicksPerMinute);
        if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        if (offsetMinutes != 0)
        {
            notes |= TimestampNotes.OffsetConverted;
        }

        value = new DateTime(ticks, DateTimeKind.Utc);
        return true;
    }

    private static bool TryParseOffset(ReadOnlySpan<char> s, out int minutes)
    {
        minutes = 0;
        if (s.Length < 3 || (s[0] != '+' && s[0] != '-') || !Digits(s, 1, 2, out var h) || h > 18)
        {
            return false;
        }

        var m = 0;
        if (s.Length == 6 && s[3] == ':')
        {
            if (!Digits(s, 4, 2, out m))
            {
                return false;
            }
        }
        else if (s.Length == 5)
        {
            if (!Digits(s, 3, 2, out m))
            {
                return false;
            }
        }
        else if (s.Length != 3)
        {
            return false;
        }

        if (m > 59)
        {
            return false;
        }

        minutes = ((h * 60) + m) * (s[0] == '-' ? -1 : 1);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }

        for (var i = start; i < start + count; i++)
        {
            var d = (uint)(s[i] - '0');
            if (d > 9)
            {
                return false;
            }

            value = (value * 10) + (int)d;
        }

        return true;
    }
}
