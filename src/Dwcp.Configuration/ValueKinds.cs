using System.Globalization;
using System.Text.RegularExpressions;

namespace Dwcp.Configuration;

/// <summary>The outcome of parsing one text value: the value, or a problem such as <c>'fast' is not a duration</c>.</summary>
internal readonly record struct ParseOutcome(object? Value, string? Problem)
{
    public static ParseOutcome Ok(object value) => new(value, null);

    public static ParseOutcome Fail(string problem) => new(null, problem);
}

/// <summary>A type of setting value: how its text is parsed and shown, and how to describe the expected format.</summary>
/// <param name="Name">The type with an article, used as "'x' is not {Name}".</param>
/// <param name="Expected">The format expected, used as "Expected {Expected}".</param>
/// <param name="Parse">Parses trimmed, non-empty text.</param>
/// <param name="Format">Shows a parsed value in the syntax <see cref="Parse"/> reads.</param>
internal sealed record ValueKind(string Name, string Expected, Func<string, ParseOutcome> Parse, Func<object, string> Format);

/// <summary>The value kinds of the settings and their parsers.</summary>
internal static partial class ValueKinds
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static ValueKind Duration { get; } = new(
        "a duration",
        "a number followed by a unit ms, s, m, h or d (units combine, as in 1h30m)",
        text => TryParseDuration(text, out var value) ? ParseOutcome.Ok(value) : ParseOutcome.Fail($"'{text}' is not a duration"),
        value => FormatDuration((TimeSpan)value));

    public static ValueKind Size { get; } = new(
        "a size",
        "a number of bytes with an optional unit: B, KB, MB, GB, TB (powers of 1000: 1GB = 1000000000 bytes) "
        + "or KiB, MiB, GiB, TiB (powers of 1024: 1GiB = 1073741824 bytes)",
        ParseSize,
        value => ((long)value).ToString(Invariant));

    public static ValueKind Integer { get; } = new(
        "a whole number",
        "a whole number written with digits only",
        ParseInteger,
        value => ((int)value).ToString(Invariant));

    public static ValueKind Number { get; } = new(
        "a number",
        "a decimal number with a point, such as 0.05",
        text => double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var value) && double.IsFinite(value)
            ? ParseOutcome.Ok(value)
            : ParseOutcome.Fail($"'{text}' is not a number"),
        value => ((double)value).ToString("R", Invariant));

    public static ValueKind Boolean { get; } = new(
        "true or false",
        "true or false (yes/no, on/off and 1/0 also work)",
        ParseBoolean,
        value => (bool)value ? "true" : "false");

    public static ValueKind Text { get; } = new(
        "text",
        "text",
        ParseOutcome.Ok,
        value => (string)value);

    public static ValueKind HttpUrl { get; } = new(
        "an http(s) URL",
        "an absolute URL starting with http:// or https://",
        text => Uri.TryCreate(text, UriKind.Absolute, out var uri) && IsHttp(uri)
            ? ParseOutcome.Ok(uri)
            : ParseOutcome.Fail($"'{text}' is not an http(s) URL"),
        value => ((Uri)value).OriginalString);

    /// <summary>An ASP.NET Core listen address; the host may be <c>*</c> or <c>+</c>.</summary>
    public static ValueKind ListenUrl { get; } = new(
        "an http(s) URL",
        "an absolute URL starting with http:// or https:// (the host may be * or + for every interface)",
        text => IsListenUrl(text) ? ParseOutcome.Ok(text) : ParseOutcome.Fail($"'{text}' is not an http(s) URL"),
        value => (string)value);

    /// <summary>An enum written in lower snake case, from the given names.</summary>
    public static ValueKind Enum<T>(string what, params (string Name, T Value)[] names)
        where T : struct, System.Enum
    {
        var list = string.Join(", ", names.Select(n => n.Name));
        return new ValueKind(
            what,
            "one of " + list,
            text =>
            {
                foreach (var (name, value) in names)
                {
                    if (string.Equals(name, text, StringComparison.OrdinalIgnoreCase))
                    {
                        return ParseOutcome.Ok(value);
                    }
                }

                return ParseOutcome.Fail($"'{text}' is not {what}");
            },
            value => names.First(n => n.Value.Equals((T)value)).Name);
    }

    /// <summary>Whether the URI is an absolute http or https URI.</summary>
    public static bool IsHttp(Uri uri) =>
        uri.IsAbsoluteUri
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(uri.Host);

    /// <summary>Whether the text is an ASP.NET Core listen URL (http or https; host may be * or +).</summary>
    public static bool IsListenUrl(string text)
    {
        // Kestrel accepts "*" and "+" as "every interface"; Uri does not, so check with a stand-in host.
        var probe = ListenWildcardRegex().Replace(text, "${scheme}localhost");
        return Uri.TryCreate(probe, UriKind.Absolute, out var uri) && IsHttp(uri);
    }

    /// <summary>
    /// Parses a duration such as <c>100ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, <c>1.5s</c> or <c>1h30m</c>.
    /// A leading minus is read (so that range checks can name the problem). A bare number is not a duration.
    /// </summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        var match = DurationRegex().Match(text);
        if (!match.Success)
        {
            return false;
        }

        decimal ticks = 0;
        var numbers = match.Groups["n"].Captures;
        var units = match.Groups["u"].Captures;
        for (var i = 0; i < numbers.Count; i++)
        {
            if (!decimal.TryParse(numbers[i].Value, NumberStyles.AllowDecimalPoint, Invariant, out var number))
            {
                return false;
            }

            var unit = units[i].Value.ToUpperInvariant() switch
            {
                "MS" => TimeSpan.TicksPerMillisecond,
                "S" => TimeSpan.TicksPerSecond,
                "M" => TimeSpan.TicksPerMinute,
                "H" => TimeSpan.TicksPerHour,
                _ => TimeSpan.TicksPerDay,
            };
            ticks += number * unit;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }
        }

        var rounded = (long)decimal.Round(ticks, MidpointRounding.AwayFromZero);
        value = TimeSpan.FromTicks(match.Groups["neg"].Success ? -rounded : rounded);
        return true;
    }

    /// <summary>Shows a duration in the largest unit that divides it: <c>100ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : "";
        var ticks = Math.Abs(value.Ticks);
        (long Ticks, string Unit)[] units =
        [
            (TimeSpan.TicksPerDay, "d"),
            (TimeSpan.TicksPerHour, "h"),
            (TimeSpan.TicksPerMinute, "m"),
            (TimeSpan.TicksPerSecond, "s"),
        ];
        foreach (var (unitTicks, unit) in units)
        {
            if (ticks % unitTicks == 0)
            {
                return sign + (ticks / unitTicks).ToString(Invariant) + unit;
            }
        }

        return sign + ((decimal)ticks / TimeSpan.TicksPerMillisecond).ToString(Invariant) + "ms";
    }

    private static ParseOutcome ParseSize(string text)
    {
        var match = SizeRegex().Match(text);
        if (!match.Success)
        {
            return ParseOutcome.Fail($"'{text}' is not a size");
        }

        long? multiplier = match.Groups["u"].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" or "K" => 1_000,
            "MB" or "M" => 1_000_000,
            "GB" or "G" => 1_000_000_000,
            "TB" or "T" => 1_000_000_000_000,
            "KIB" or "KI" => 1L << 10,
            "MIB" or "MI" => 1L << 20,
            "GIB" or "GI" => 1L << 30,
            "TIB" or "TI" => 1L << 40,
            _ => null,
        };
        if (multiplier is null)
        {
            return ParseOutcome.Fail($"'{text}' is not a size: unknown unit '{match.Groups["u"].Value}'");
        }

        if (!decimal.TryParse(match.Groups["n"].Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, Invariant, out var number))
        {
            return ParseOutcome.Fail($"'{text}' is not a size");
        }

        if (multiplier == 1 && number != decimal.Truncate(number))
        {
            return ParseOutcome.Fail($"'{text}' is not a whole number of bytes");
        }

        var bytes = number * multiplier.Value;
        if (bytes > long.MaxValue || bytes < long.MinValue)
        {
            return ParseOutcome.Fail($"'{text}' is too large");
        }

        return ParseOutcome.Ok((long)decimal.Round(bytes, MidpointRounding.AwayFromZero));
    }

    private static ParseOutcome ParseInteger(string text)
    {
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, Invariant, out var value))
        {
            return ParseOutcome.Ok(value);
        }

        return IntegerRegex().IsMatch(text)
            ? ParseOutcome.Fail($"'{text}' is too large (the largest allowed is {int.MaxValue.ToString(Invariant)})")
            : ParseOutcome.Fail($"'{text}' is not a whole number");
    }

    private static ParseOutcome ParseBoolean(string text) => text.ToUpperInvariant() switch
    {
        "TRUE" or "YES" or "ON" or "1" => ParseOutcome.Ok(true),
        "FALSE" or "NO" or "OFF" or "0" => ParseOutcome.Ok(false),
        _ => ParseOutcome.Fail($"'{text}' is not true or false"),
    };

    [GeneratedRegex(@"^(?<neg>-)?(?:(?<n>\d+(?:\.\d+)?)(?<u>ms|s|m|h|d))+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DurationRegex();

    [GeneratedRegex(@"^(?<n>[-+]?\d+(?:\.\d+)?)\s*(?<u>[a-z]*)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizeRegex();

    [GeneratedRegex(@"^[-+]?\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerRegex();

    [GeneratedRegex(@"^(?<scheme>[a-z][a-z0-9+.-]*://)[*+](?=[:/]|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ListenWildcardRegex();
}
