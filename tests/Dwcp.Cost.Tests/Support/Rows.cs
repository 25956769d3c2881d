using Dwcp.Tests;
using System.Globalization;
using Dwcp.Core.Costs;
using Dwcp.Core.Focus;

namespace Dwcp.Cost.Tests;

/// <summary>Facts about test rows, computed without the product (the expectations of the tests).</summary>
internal static class Rows
{
    public static DateOnly Day(FocusRow r) => DateOnly.FromDateTime(r.ChargePeriodStart!.Value);

    public static bool InRange(FocusRow r, DateOnly from, DateOnly to) => Day(r) >= from && Day(r) <= to;

    public static string? Tag(FocusRow r, string key)
    {
        foreach (var kv in r.NormalizedTags)
        {
            if (kv.Key == key)
            {
                return kv.Value;
            }
        }

        return null;
    }

    public static decimal Measure(FocusRow r, CostMeasure m) => m switch
    {
        CostMeasure.Effective => r.EffectiveCost!.Value,
        CostMeasure.List => r.ListCost!.Value,
        _ => r.BilledCost!.Value,
    };

    public static string Currency(FocusRow r) => r.BillingCurrency!;

    /// <summary>Whether the scope lets a caller see the row, by the rule in docs/cost-queries.md.</summary>
    public static bool Visible(FocusRow r, CostScope scope)
    {
        if (scope.BillingAccounts is { } accounts && !accounts.Contains(r.BillingAccountId!))
        {
            return false;
        }

        foreach (var (key, values) in scope.TagValues)
        {
            if (Tag(r, key) is not { } v || !values.Contains(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A line as text, for comparing lines (their key lists compare by reference).</summary>
    public static string Text(CostLine l) => string.Join(" | ",
        l.PeriodStart?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-",
        string.Join(",", l.Keys.Select(k => k ?? "<null>")),
        l.Currency,
        l.BilledCost.ToString(CultureInfo.InvariantCulture),
        l.EffectiveCost.ToString(CultureInfo.InvariantCulture),
        l.ListCost.ToString(CultureInfo.InvariantCulture),
        l.RowCount.ToString(CultureInfo.InvariantCulture),
        l.IsOther ? "other" : "kept");

    /// <summary>The key of a line as text.</summary>
    public static string KeyText(IEnumerable<string?> keys) => string.Join(",", keys.Select(k => k ?? "<null>"));
}

/// <summary>
/// A seeded estate of rows across three accounts, seven services, two currencies, 45 days (two billing periods),
/// tagged Department (Eng, Ops or untagged) and Env.
/// </summary>
internal static class Estate
{
    public static readonly DateOnly Jan1 = new(2024, 1, 1);

    public static readonly string[] Accounts = ["A", "B", "C"];

    public static List<FocusRow> Make(int count = 700, int seed = 20240101)
    {
        var rng = new Random(seed);
        var rows = new List<FocusRow>(count);
        for (var i = 0; i < count; i++)
        {
            var service = rng.Next(0, 7);
            var billed = (rng.Next(1, 1_000_000) / 10_000m) * (service + 1);
            var effective = Math.Round(billed * (rng.Next(40, 101) / 100m), 6);
            var list = billed + (rng.Next(0, 50_000) / 1000m);
            var dept = rng.Next(0, 3) switch { 0 => "Eng", 1 => "Ops", _ => null };
            var tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["Env"] = rng.Next(0, 2) == 0 ? "prod" : "dev" };
            if (dept is not null)
            {
                tags["Department"] = dept;
            }

            rows.Add(TestRows.Make(
                Accounts[rng.Next(0, Accounts.Length)],
                Jan1.AddDays(rng.Next(0, 45)),
                "svc" + service.ToString(CultureInfo.InvariantCulture),
                billed,
                effective,
                list,
                currency: rng.Next(0, 4) == 0 ? "EUR" : "USD",
                region: rng.Next(0, 5) == 0 ? null : (rng.Next(0, 2) == 0 ? "us-east-1" : "eu-west-1"),
                tags: tags));
        }

        return rows;
    }
}
