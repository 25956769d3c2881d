using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;

namespace Dwcp.Demo.Generation;

/// <summary>The SKU and prices a line is billed at on a day (its own, or another one during a SKU incident).</summary>
internal sealed record PriceSet(SkuDef Sku, string SkuId, string SkuPriceId, decimal ListUnitPrice, decimal ContractedUnitPrice)
{
    /// <summary>The line's own SKU and prices.</summary>
    public static PriceSet Of(UsageLine line) => new(line.Sku, line.SkuId, line.SkuPriceId, line.ListUnitPrice, line.ContractedUnitPrice);
}

/// <summary>One line on one day, incidents applied: quantities, SKU and the uncommitted costs.</summary>
internal readonly record struct LineDay(UsageLine Line, LineUsage Usage, PriceSet Prices)
{
    /// <summary>ListUnitPrice x PricingQuantity, rounded to 10 places.</summary>
    public decimal ListCost => Math.Round(Prices.ListUnitPrice * Usage.Pricing, 10);

    /// <summary>ContractedUnitPrice x PricingQuantity, rounded to 10 places (also the billed cost when not committed).</summary>
    public decimal ContractedCost => Math.Round(Prices.ContractedUnitPrice * Usage.Pricing, 10);
}

/// <summary>A change injected into some lines over some days.</summary>
internal sealed class IncidentEffect
{
    /// <summary>First window day affected.</summary>
    public required int StartDay { get; init; }

    /// <summary>Last window day affected (inclusive).</summary>
    public required int EndDay { get; init; }

    /// <summary>Extra consumed quantity per affected line, one entry per incident day (additive incidents).</summary>
    public IReadOnlyDictionary<int, decimal[]> ExtraConsumed { get; init; } = new Dictionary<int, decimal[]>();

    /// <summary>SKU the affected lines move to, keyed by line (SKU-change incidents).</summary>
    public IReadOnlyDictionary<int, PriceSet> Swaps { get; init; } = new Dictionary<int, PriceSet>();

    /// <summary>Every affected line index, ascending (never in dictionary order).</summary>
    public IEnumerable<int> Lines => ExtraConsumed.Keys.Concat(Swaps.Keys).Order();
}

/// <summary>Resolves line-days: the model's usage plus any incident effect on that line and day.</summary>
internal sealed class DailyResolver
{
    private readonly List<IncidentEffect>?[] _effects;

    public DailyResolver(UsageModel model, int lineCount, IEnumerable<IncidentEffect> effects)
    {
        Model = model;
        _effects = new List<IncidentEffect>?[lineCount];
        foreach (var effect in effects)
        {
            foreach (var line in effect.Lines)
            {
                (_effects[line] ??= []).Add(effect);
            }
        }
    }

    /// <summary>The usage model underneath.</summary>
    public UsageModel Model { get; }

    /// <summary>The line on a window day.</summary>
    public LineDay Resolve(UsageLine line, int day)
    {
        var usage = Model.Compute(line, day);
        var prices = PriceSet.Of(line);
        if (_effects[line.Index] is { } effects)
        {
            foreach (var effect in effects)
            {
                if (day < effect.StartDay || day > effect.EndDay)
                {
                    continue;
                }

                if (effect.ExtraConsumed.TryGetValue(line.Index, out var extra))
                {
                    var consumed = usage.Consumed + extra[day - effect.StartDay];
                    usage = new(consumed, UsageModel.PricingOf(line, consumed, Model.Window.Date(day)));
                }

                if (effect.Swaps.TryGetValue(line.Index, out var swap) && usage.HasUsage)
                {
                    prices = swap;
                }
            }
        }

        return new(line, usage, prices);
    }
}
