using System.Collections.Frozen;

namespace Dwcp.Core.Costs;

/// <summary>One dated exchange rate: on <see cref="Date"/>, 1 <see cref="Base"/> buys <see cref="Rate"/> units of <see cref="Quote"/>.</summary>
/// <param name="Date">The day the rate applies to (a reference rate's publication day).</param>
/// <param name="Base">ISO 4217 code of the currency being priced (ECB: always EUR).</param>
/// <param name="Quote">ISO 4217 code of the currency the price is in.</param>
/// <param name="Rate">Units of <paramref name="Quote"/> per 1 <paramref name="Base"/>; positive.</param>
public sealed record ExchangeRate(DateOnly Date, string Base, string Quote, decimal Rate);

/// <summary>
/// A rate a converted answer used: amounts in <see cref="From"/> charged on <see cref="ChargeDate"/> were multiplied by
/// <see cref="Rate"/> to give <see cref="To"/>, using the rate published for <see cref="RateDate"/>.
/// </summary>
/// <param name="From">Billing currency of the charges.</param>
/// <param name="To">Reporting currency.</param>
/// <param name="ChargeDate">UTC day of the charges converted.</param>
/// <param name="RateDate">Day of the rate used (the charge day, or the latest earlier published day within the staleness limit).</param>
/// <param name="Rate">Multiplier from <paramref name="From"/> to <paramref name="To"/>.</param>
/// <param name="Via">The pivot currency of a cross rate (e.g. EUR for USD→GBP from ECB rates), or null for a direct or inverse rate.</param>
public sealed record RateUsed(string From, string To, DateOnly ChargeDate, DateOnly RateDate, decimal Rate, string? Via);

/// <summary>
/// An immutable table of dated exchange rates with the conversion rule every converted answer uses:
/// <list type="number">
/// <item>The same currency converts at exactly 1.</item>
/// <item>Otherwise the rate of the charge's day is used: direct (From→To), else inverse (1 / To→From), else a cross rate
/// through a pivot P that has both legs on that day (P→To / P→From).</item>
/// <item>A day without a published rate (reference rates are not published on weekends and holidays) takes the latest
/// earlier day that has one, at most <see cref="MaxStalenessDays"/> days back.</item>
/// <item>Anything else is a missing rate: never a silent 1.0.</item>
/// </list>
/// </summary>
public sealed class ExchangeRateTable
{
    /// <summary>Default for <see cref="MaxStalenessDays"/>: 7 days (covers weekends and holiday runs of reference rates).</summary>
    public const int DefaultMaxStalenessDays = 7;

    private readonly FrozenDictionary<(string Base, string Quote), SortedList<DateOnly, decimal>> _pairs;
    private readonly FrozenDictionary<string, string[]> _quotesByBase;
    private readonly string[] _bases;

    /// <summary>Builds the table. A later entry for the same day and pair replaces an earlier one.</summary>
    public ExchangeRateTable(IEnumerable<ExchangeRate> rates, int maxStalenessDays = DefaultMaxStalenessDays)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentOutOfRangeException.ThrowIfNegative(maxStalenessDays);
        MaxStalenessDays = maxStalenessDays;
        var pairs = new Dictionary<(string, string), SortedList<DateOnly, decimal>>();
        foreach (var r in rates)
        {
            if (r.Rate <= 0)
            {
                throw new ArgumentException($"The rate {r.Base}→{r.Quote} on {r.Date:yyyy-MM-dd} is {r.Rate}; rates must be positive.", nameof(rates));
            }

            var key = (r.Base.ToUpperInvariant(), r.Quote.ToUpperInvariant());
            if (!pairs.TryGetValue(key, out var list))
            {
                pairs[key] = list = [];
            }

            list[r.Date] = r.Rate;
        }

        Count = pairs.Values.Sum(l => l.Count);
        _pairs = pairs.ToFrozenDictionary();
        _quotesByBase = pairs.Keys.GroupBy(k => k.Item1, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.Select(k => k.Item2).Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        _bases = _quotesByBase.Keys.Order(StringComparer.Ordinal).ToArray();
        Currencies = pairs.Keys.SelectMany(k => new[] { k.Item1, k.Item2 }).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>An empty table: only same-currency conversions succeed.</summary>
    public static ExchangeRateTable Empty { get; } = new([]);

    /// <summary>How many days back a missing day may borrow a rate from.</summary>
    public int MaxStalenessDays { get; }

    /// <summary>Number of distinct (day, base, quote) rates.</summary>
    public int Count { get; }

    /// <summary>Every currency that appears in the table, sorted.</summary>
    public IReadOnlyList<string> Currencies { get; }

    /// <summary>Every rate, ordered by base, quote and day.</summary>
    public IEnumerable<ExchangeRate> All() =>
        _pairs.OrderBy(p => p.Key.Base, StringComparer.Ordinal).ThenBy(p => p.Key.Quote, StringComparer.Ordinal)
            .SelectMany(p => p.Value.Select(kv => new ExchangeRate(kv.Key, p.Key.Base, p.Key.Quote, kv.Value)));

    /// <summary>Finds the rate converting <paramref name="from"/> into <paramref name="to"/> for charges of <paramref name="day"/>.</summary>
    /// <returns>The rate used, or null when the table has none under the rule above.</returns>
    public RateUsed? Find(string from, string to, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        from = from.ToUpperInvariant();
        to = to.ToUpperInvariant();
        if (from == to)
        {
            return new RateUsed(from, to, day, day, 1m, null);
        }

        // Prefer the freshest day; on each day prefer direct, then inverse, then a cross rate.
        for (var back = 0; back <= MaxStalenessDays; back++)
        {
            var d = day.AddDays(-back);
            if (Exact(from, to, d) is { } direct)
            {
                return new RateUsed(from, to, day, d, direct, null);
            }

            if (Exact(to, from, d) is { } inverse)
            {
                return new RateUsed(from, to, day, d, 1m / inverse, null);
            }

            foreach (var pivot in _bases)
            {
                var quotes = _quotesByBase[pivot];
                if (Array.BinarySearch(quotes, from, StringComparer.Ordinal) >= 0 && Array.BinarySearch(quotes, to, StringComparer.Ordinal) >= 0
                    && Exact(pivot, from, d) is { } pf && Exact(pivot, to, d) is { } pt)
                {
                    return new RateUsed(from, to, day, d, pt / pf, pivot);
                }
            }
        }

        return null;
    }

    private decimal? Exact(string b, string q, DateOnly d) =>
        _pairs.TryGetValue((b, q), out var list) && list.TryGetValue(d, out var r) ? r : null;
}
