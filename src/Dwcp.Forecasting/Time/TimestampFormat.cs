using System.Globalization;
using System.Text.RegularExpressions;

namespace Dwcp.Forecasting.Time;

/// <summary>
/// The ISO-8601 shape of input timestamps (date only; date-time with 'T' or space, with or without seconds, fraction,
/// offset or 'Z'), so output timestamps are written the same way.
/// </summary>
public sealed partial record TimestampFormat(bool DateOnly, char Separator, bool Seconds, bool Fraction, bool HasOffset, bool Zulu)
{
    /// <summary>Digits of the input's second fraction (1–7), written back with trailing zeros kept: <c>11:00:00.000Z</c>
    /// continues as <c>12:00:00.000Z</c>. 0 with <see cref="Fraction"/> writes the shortest form.</summary>
    public int FractionDigits { get; init; }

    /// <summary>Whether the input's offset had a colon (<c>+02:00</c>) or not (<c>+0200</c>).</summary>
    public bool OffsetColon { get; init; } = true;

    [GeneratedRegex(@"^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$")]
    private static partial Regex Pattern();

    /// <summary>Parses one timestamp; timestamps without offset are taken as UTC. Returns false when not ISO-8601.</summary>
    public static bool TryParse(string text, out DateTimeOffset value, out TimestampFormat format)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        format = new TimestampFormat(true, 'T', false, false, false, false);
        var m = Pattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        bool dateOnly = !m.Groups[4].Success;
        bool offset = m.Groups[9].Success;
        format = new TimestampFormat(
            dateOnly,
            dateOnly ? 'T' : m.Groups[4].Value[0],
            m.Groups[7].Success,
            m.Groups[8].Success,
            offset,
            offset && m.Groups[9].Value == "Z")
        {
            FractionDigits = m.Groups[8].Success ? m.Groups[8].Value.Length - 1 : 0,
            OffsetColon = !offset || m.Groups[9].Value == "Z" || m.Groups[9].Value.Contains(':', StringComparison.Ordinal),
        };
        string normal = dateOnly ? text.Trim() + "T00:00:00Z" : text.Trim().Replace(' ', 'T');
        if (!dateOnly && !offset)
        {
            normal += "Z";
        }

        return DateTimeOffset.TryParse(normal, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value)
            && (offset || value.Offset == TimeSpan.Zero);
    }

    /// <summary>Writes <paramref name="t"/> in this format (offset kept as given in <paramref name="t"/>).</summary>
    public string Format(DateTimeOffset t)
    {
        if (DateOnly)
        {
            return t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        string time = Fraction ? "HH:mm:ss." + new string(FractionDigits is >= 1 and <= 7 ? 'f' : 'F', FractionDigits is >= 1 and <= 7 ? FractionDigits : 7)
            : Seconds ? "HH:mm:ss" : "HH:mm";
        string s = t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + Separator + t.ToString(time, CultureInfo.InvariantCulture);
        if (!HasOffset)
        {
            return s;
        }

        if (Zulu && t.Offset == TimeSpan.Zero)
        {
            return s + "Z";
        }

        var zone = t.ToString("zzz", CultureInfo.InvariantCulture);
        return s + (OffsetColon ? zone : zone.Replace(":", string.Empty, StringComparison.Ordinal));
    }
}
