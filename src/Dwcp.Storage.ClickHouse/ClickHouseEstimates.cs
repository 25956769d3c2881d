using System.Globalization;
using Dwcp.Core.Costs;

namespace Dwcp.Storage.ClickHouse;

/// <summary>
/// The optional columns of an aggregation line (after <c>row_count</c>): sums of squares of a sampled answer, turned
/// into estimates with intervals by the same formula as the DuckDB store (<see cref="CostEstimate.Scale"/>), and the
/// p95/p99 of per-row cost.
/// </summary>
internal static class ClickHouseEstimates
{
    /// <summary>Completes a line read by <c>ReadLine</c> from its row.</summary>
    public static CostLine Complete(CostLine line, string?[] row, CostAggregation spec)
    {
        var first = spec.GroupBy.Count + 12;
        if (spec.Sample is { } ratio)
        {
            var (b, bi) = CostEstimate.Scale(ratio, line.BilledCost, Double(row[first]));
            var (e, ei) = CostEstimate.Scale(ratio, line.EffectiveCost, Double(row[first + 1]));
            var (l, li) = CostEstimate.Scale(ratio, line.ListCost, Double(row[first + 2]));
            line = line with
            {
                BilledCost = b,
                EffectiveCost = e,
                ListCost = l,
                ConsumedQuantity = line.ConsumedQuantity is { } q ? CostEstimate.Scale(ratio, q, 0).Estimate : null,
                RowCount = CostEstimate.ScaleCount(ratio, line.RowCount),
                Estimate = new CostEstimate(ratio, line.RowCount, bi, ei, li),
            };
            first += 3;
        }

        if (spec.Percentiles)
        {
            line = line with { Percentiles = new CostPercentiles(Double(row[first]), Double(row[first + 1])) };
        }

        return line;
    }

    private static double Double(string? s) => s is null or "nan" or "-nan" ? 0 : double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
