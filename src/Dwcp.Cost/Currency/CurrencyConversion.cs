using Dwcp.Core.Costs;

namespace Dwcp.Cost.Currency;

/// <summary>
/// Converts daily cost lines into one reporting currency and re-buckets them to the asked grain. Each daily line is
/// multiplied by the rate of its charge day (<see cref="ExchangeRateTable.Find"/>); money is never rounded on the
/// way, so a converted total equals Σ amount × rate over the source rows' days exactly (to decimal's 28 digits).
/// </summary>
internal static class CurrencyConversion
{
    /// <summary>Converted lines of one currency, with the rates used. Throws when any (currency, day) has no rate.</summary>
    public static (List<CostLine> Lines, IReadOnlyList<RateUsed> Rates) ConvertDays(IReadOnlyList<CostLine> dayLines, string to, ExchangeRateTable table)
    {
        var used = new Dictionary<(string, DateOnly), RateUsed>();
        var missing = new SortedSet<(string Currency, DateOnly Day)>();
        var lines = new List<CostLine>(dayLines.Count);
        foreach (var l in dayLines)
        {
            var day = l.PeriodStart ?? throw new InvalidOperationException("Conversion needs daily lines.");
            var key = (l.Currency, day);
            if (!used.TryGetValue(key, out var rate))
            {
                var found = table.Find(l.Currency, to, day);
                if (found is null)
                {
                    missing.Add(key);
                    continue;
                }

                used[key] = rate = found;
            }

            lines.Add(l with
            {
                Currency = to,
                BilledCost = l.BilledCost * rate.Rate,
                EffectiveCost = l.EffectiveCost * rate.Rate,
                ListCost = l.ListCost * rate.Rate,
            });
        }

        if (missing.Count > 0)
        {
            var (currency, date) = missing.Min;
            var others = missing.Count > 1 ? $" ({missing.Count - 1:N0} other currency-days lack one too, up to {missing.Max.Currency} on {missing.Max.Day:yyyy-MM-dd})" : string.Empty;
            throw new CostQueryException(CostQueryErrorKind.MissingExchangeRate,
                $"No exchange rate from {currency} to {to} for {date:yyyy-MM-dd}, nor on the {table.MaxStalenessDays} days before it{others}. " +
                "Import rates that cover these days with 'dwcp fx import FILE' (ECB reference-rate CSV or date,base,quote,rate), or ask without a reporting currency.");
        }

        var rates = used.Values.Where(r => r.From != r.To).OrderBy(r => r.From, StringComparer.Ordinal).ThenBy(r => r.ChargeDate).ToArray();
        return (lines, rates);
    }

    /// <summary>The start of the bucket a day falls in (weeks start on Monday, as in the stores; an hour's bucket day is its day).</summary>
    public static DateOnly? Bucket(DateOnly day, CostGrain grain) => grain switch
    {
        CostGrain.Day => day,
        CostGrain.Week => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        CostGrain.Month => new DateOnly(day.Year, day.Month, 1),
        CostGrain.Hour => day,
        _ => null,
    };

    /// <summary>
    /// Sums converted daily lines into buckets of <paramref name="grain"/>, folding keys outside <paramref name="keep"/>
    /// into "Other", ordered as the stores order: period, Other last, measure descending, keys (nulls last).
    /// </summary>
    public static List<CostLine> Regroup(IReadOnlyList<CostLine> converted, CostGrain grain, CostMeasure rankBy, HashSet<string>? keep)
    {
        var groups = new Dictionary<string, Acc>(StringComparer.Ordinal);
        foreach (var l in converted)
        {
            var isOther = keep is not null && !keep.Contains(KeyOf(l.Keys));
            var keys = isOther ? l.Keys.Select(_ => (string?)null).ToArray() : l.Keys;
            var period = Bucket(l.PeriodStart!.Value, grain);
            var hour = grain == CostGrain.Hour ? l.PeriodStartTime : null;
            var id = $"{period:yyyy-MM-dd}\u001e{hour:HH}\u001e{(isOther ? 1 : 0)}\u001e{KeyOf(keys)}";
            if (!groups.TryGetValue(id, out var acc))
            {
                groups[id] = acc = new Acc(period, hour, keys, isOther, l.Currency);
            }

            acc.Add(l);
        }

        return groups.Values.Select(a => a.ToLine())
            .OrderBy(l => l.PeriodStartTime ?? DateTime.MinValue)
            .ThenBy(l => l.IsOther)
            .ThenByDescending(l => l.Get(rankBy))
            .ThenBy(l => l.Keys, KeysComparer.Instance)
            .ToList();
    }

    /// <summary>A stable text form of a key tuple (null distinct from empty).</summary>
    public static string KeyOf(IReadOnlyList<string?> keys) => string.Join('\u001f', keys.Select(k => k is null ? "\u0000" : "\u0001" + k));

    private sealed class Acc(DateOnly? period, DateTime? hour, IReadOnlyList<string?> keys, bool isOther, string currency)
    {
        private decimal _billed, _effective, _list, _quantity;
        private long _rows;
        private string? _unit;
        private bool _quantityValid = true, _first = true;

        public void Add(CostLine l)
        {
            _billed += l.BilledCost;
            _effective += l.EffectiveCost;
            _list += l.ListCost;
            _rows += l.RowCount;

            // A quantity survives only when every day line has one, in the same unit.
            if (l.ConsumedQuantity is null || l.ConsumedUnit is null || (!_first && _unit != l.ConsumedUnit))
            {
                _quantityValid = false;
            }
            else
            {
                _quantity += l.ConsumedQuantity.Value;
                _unit = l.ConsumedUnit;
            }

            _first = false;
        }

        public CostLine ToLine() => new(period, keys, currency, _billed, _effective, _list,
            _quantityValid ? _quantity : null, _quantityValid ? _unit : null, _rows, isOther)
        {
            PeriodStartTime = hour,
        };
    }

    private sealed class KeysComparer : IComparer<IReadOnlyList<string?>>
    {
        public static readonly KeysComparer Instance = new();

        public int Compare(IReadOnlyList<string?>? x, IReadOnlyList<string?>? y)
        {
            for (var i = 0; i < Math.Min(x!.Count, y!.Count); i++)
            {
                var c = (x[i], y[i]) switch
                {
                    (null, null) => 0,
                    (null, _) => 1,
                    (_, null) => -1,
                    var (a, b) => string.CompareOrdinal(a, b),
                };
                if (c != 0)
                {
                    return c;
                }
            }

            return 0;
        }
    }
}
