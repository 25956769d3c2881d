using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;

namespace Dwcp.Demo.Generation;

/// <summary>Quantities of one line on one day, before any incident.</summary>
/// <param name="Consumed">ConsumedQuantity in the SKU's consumed unit.</param>
/// <param name="Pricing">PricingQuantity in the SKU's pricing unit.</param>
internal readonly record struct LineUsage(decimal Consumed, decimal Pricing)
{
    /// <summary>Whether the line produces a row.</summary>
    public bool HasUsage => Consumed > 0;
}

/// <summary>
/// The daily quantity of a usage line: a pure function of the seed, the line and the day (its random draws come
/// from a stream keyed by both), so any line-day can be computed on its own, in any order, with the same result.
/// Shapes use only +, -, * and / on doubles (exactly rounded IEEE operations) and one exact quantisation to decimal.
/// </summary>
internal sealed class UsageModel(int seed, Window window)
{
    private const double PeakLift = 1.3;

    /// <summary>The window the model works in.</summary>
    public Window Window { get; } = window;

    /// <summary>The usage of a line on a window day (zero when the line does not run that day).</summary>
    public LineUsage Compute(UsageLine line, int day)
    {
        if (!line.IsActive(day))
        {
            return default;
        }

        var date = Window.Date(day);
        var weekend = Window.IsWeekend(date);
        var rng = DemoRandom.For(seed, 2, (ulong)line.Index, (ulong)day);
        var noise = 1 + (line.Noise * rng.NextGaussian());
        noise = noise < 0.2 ? 0.2 : noise;
        var growth = EstateBuilder.Compound(line.MonthlyGrowth, day / 30.4375);
        var season = weekend ? line.WeekendFactor : 1.0;
        var peak = line.Peak && Window.IsPeakSeason(date) ? PeakLift : 1.0;

        switch (line.Fleet.Kind)
        {
            case LineKind.Instance:
                var hours = line.Schedule switch
                {
                    Schedule.AlwaysOn => 24,
                    Schedule.Weekdays => weekend ? 0 : 24,
                    _ => weekend ? 0 : 12,
                };
                decimal units = hours * line.SizeUnits;
                return new(units, units);
            case LineKind.Pool:
                var pool = Quantities.Quantize(line.BaseQuantity * 24 * growth * season * peak * noise, 2);
                return new(pool, pool);
            case LineKind.Storage:
                var gbHours = Quantities.Quantize(line.BaseQuantity * growth * noise * 24, 3);
                var gbMonths = Math.Round(gbHours / (24 * DateTime.DaysInMonth(date.Year, date.Month)), 10);
                return new(gbHours, gbMonths);
            default:
                var metered = Quantities.Quantize(line.BaseQuantity * growth * season * peak * noise, Decimals(line.Sku.PricingUnit));
                return new(metered, metered);
        }
    }

    /// <summary>Converts an extra consumed quantity into the line's pricing quantity on a date.</summary>
    public static decimal PricingOf(UsageLine line, decimal consumed, DateOnly date) =>
        line.Fleet.Kind == LineKind.Storage
            ? Math.Round(consumed / (24 * DateTime.DaysInMonth(date.Year, date.Month)), 10)
            : consumed;

    private static int Decimals(string unit) => unit switch
    {
        "Requests" or "Queries" or "Request Units" or "GB-Seconds" or "vCPU-Seconds" => 0,
        _ => 4,
    };
}
