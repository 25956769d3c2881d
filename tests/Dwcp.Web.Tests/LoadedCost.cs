using Dwcp.Core.Focus;

namespace Dwcp.Web.Tests;

/// <summary>The part of a loaded FOCUS row the browser tests compute their expectations from.</summary>
public sealed record LoadedCost(DateOnly Day, string? Provider, string? Service, string? Currency, decimal Billed)
{
    /// <summary>Keeps the charge day (UTC date of ChargePeriodStart), provider, service, currency and billed cost of a row.</summary>
    public static LoadedCost Of(FocusRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var start = row.ChargePeriodStart ?? throw new InvalidOperationException("A test row has no ChargePeriodStart.");
        return new LoadedCost(DateOnly.FromDateTime(start), row.ProviderName, row.ServiceName, row.BillingCurrency, row.BilledCost ?? 0m);
    }
}

/// <summary>Expected figures, computed in the test from the rows it loaded (decimal, exact), never from the server.</summary>
public sealed class CostExpectations(IReadOnlyList<LoadedCost> rows)
{
    public IReadOnlyList<LoadedCost> Rows { get; } = rows;

    public DateOnly FirstDay => Rows.Min(r => r.Day);

    public DateOnly LastDay => Rows.Max(r => r.Day);

    /// <summary>
    /// The dashboard's default range: the last full calendar month of data (data ending on a month's last day → that
    /// month; otherwise the month before), its start clamped to the first data day.
    /// </summary>
    public (DateOnly From, DateOnly To) LastFullMonth()
    {
        var last = LastDay;
        var to = last.AddDays(1).Day == 1 ? last : new DateOnly(last.Year, last.Month, 1).AddDays(-1);
        if (to < FirstDay)
        {
            to = last;
        }

        var from = new DateOnly(to.Year, to.Month, 1);
        return (from < FirstDay ? FirstDay : from, to);
    }

    public IEnumerable<LoadedCost> In(DateOnly from, DateOnly to) => Rows.Where(r => r.Day >= from && r.Day <= to);

    /// <summary>Sum of BilledCost over the inclusive range, optionally leaving out rows of some ProviderName values.</summary>
    public decimal Total(DateOnly from, DateOnly to, params string[] withoutProviders) =>
        In(from, to).Where(r => !withoutProviders.Contains(r.Provider)).Sum(r => r.Billed);

    /// <summary>
    /// Provider + service groups of the range by billed cost, largest first (ties by provider, then service,
    /// ordinal), each with its total.
    /// </summary>
    public IReadOnlyList<(string? Provider, string? Service, decimal Cost)> ServicesByCost(DateOnly from, DateOnly to) =>
        In(from, to)
            .GroupBy(r => (r.Provider, r.Service))
            .Select(g => (g.Key.Provider, g.Key.Service, Cost: g.Sum(r => r.Billed)))
            .OrderByDescending(x => x.Cost)
            .ThenBy(x => x.Provider ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(x => x.Service ?? string.Empty, StringComparer.Ordinal)
            .ToList();
}
