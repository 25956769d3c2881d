using System.Globalization;
using Dwcp.Core.Focus;
using Dwcp.Demo.Catalog;
using Dwcp.Demo.Estate;

namespace Dwcp.Demo.Generation;

/// <summary>
/// Streams the rows of the window, one UTC day at a time: commitment purchases on the first day of a month, the
/// usage rows of every line in estate order (covered first fit by commitments), unused commitment rows, credits,
/// and on the last day of a month one tax row per billing account. Only one day's state is held in memory.
/// </summary>
internal sealed class RowStream(
    Window window,
    IReadOnlyList<UsageLine> lines,
    DailyResolver resolver,
    IReadOnlyList<Commitment> commitments)
{
    private sealed class Totals
    {
        public decimal Billed, List, Contracted;

        public void Add(FocusRow row)
        {
            if (row.BilledCost is { } billed && billed != 0)
            {
                Billed += billed;
                List += row.ListCost ?? 0;
                Contracted += row.ContractedCost ?? 0;
            }
        }
    }

    private readonly (ProviderCatalog Provider, BillingAccountDef Account)[] _accounts =
        [.. DemoCatalog.Providers.SelectMany(p => p.BillingAccounts.Select(a => (p, a)))];

    /// <summary>Every row, in order.</summary>
    public IEnumerable<FocusRow> Rows()
    {
        var eligible = lines.Select(l => commitments.Select((c, i) => (c, i)).Where(x => x.c.Eligible(l)).Select(x => x.i).ToArray()).ToArray();
        var remaining = new decimal[commitments.Count];
        var totals = _accounts.Select(_ => new Totals()).ToArray();
        var invoices = new string[_accounts.Length];
        var accountIndex = _accounts.Select((a, i) => (a.Account.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);

        for (var day = 0; day < window.Days; day++)
        {
            var date = window.Date(day);
            if (day == 0 || date.Day == 1)
            {
                for (var a = 0; a < _accounts.Length; a++)
                {
                    invoices[a] = InvoiceId(_accounts[a].Account, date);
                }

                foreach (var row in Purchases(date, invoices, accountIndex))
                {
                    totals[accountIndex[row.BillingAccountId!]].Add(row);
                    yield return row;
                }
            }

            for (var c = 0; c < commitments.Count; c++)
            {
                remaining[c] = commitments[c].IsActive(date) ? commitments[c].DailyQuantity : 0m;
            }

            foreach (var line in lines)
            {
                var lineDay = resolver.Resolve(line, day);
                if (!lineDay.Usage.HasUsage)
                {
                    continue;
                }

                Coverage? coverage = null;
                foreach (var c in eligible[line.Index])
                {
                    var need = commitments[c].Need(lineDay);
                    if (remaining[c] > 0 && need <= remaining[c])
                    {
                        remaining[c] -= need;
                        coverage = new Coverage(commitments[c], need, commitments[c].EffectiveCostOf(need));
                        break;
                    }
                }

                var a = accountIndex[line.BillingAccount.Id];
                var usage = RowFactory.Usage(new Billing(line.Provider, line.BillingAccount, invoices[a]), lineDay, date, coverage);
                totals[a].Add(usage);
                yield return usage;
            }

            for (var c = 0; c < commitments.Count; c++)
            {
                if (remaining[c] > 0)
                {
                    var commitment = commitments[c];
                    var a = accountIndex[commitment.BillingAccount.Id];
                    yield return RowFactory.Unused(new Billing(commitment.Provider, commitment.BillingAccount, invoices[a]), commitment, date, remaining[c]);
                }
            }

            foreach (var credit in Credits.All)
            {
                if (Credits.IsOn(credit, window.From, date))
                {
                    var a = accountIndex[credit.BillingAccountId];
                    var (provider, account) = _accounts[a];
                    var row = RowFactory.Credit(new Billing(provider, account, invoices[a]), provider.SubAccount(credit.SubAccount),
                        provider.Service(credit.Service), date, credit.Amount, credit.Description);
                    totals[a].Add(row);
                    yield return row;
                }
            }

            if (date == window.To || date.AddDays(1).Day == 1)
            {
                var (from, to) = window.MonthInWindow(date);
                for (var a = 0; a < _accounts.Length; a++)
                {
                    var (provider, account) = _accounts[a];
                    if (totals[a].Billed != 0)
                    {
                        yield return RowFactory.Tax(new Billing(provider, account, invoices[a]), from, to, TaxRate(provider, account, date),
                            totals[a].Billed, totals[a].List, totals[a].Contracted);
                    }

                    totals[a] = new Totals();
                }
            }
        }
    }

    private IEnumerable<FocusRow> Purchases(DateOnly date, string[] invoices, Dictionary<string, int> accountIndex)
    {
        var (monthFrom, monthTo) = window.MonthInWindow(date);
        foreach (var commitment in commitments)
        {
            var a = accountIndex[commitment.BillingAccount.Id];
            var billing = new Billing(commitment.Provider, commitment.BillingAccount, invoices[a]);
            if (commitment.Payment == CommitmentPayment.AllUpfront)
            {
                if (commitment.TermStart >= monthFrom && commitment.TermStart < monthTo)
                {
                    var termDays = commitment.TermEnd.DayNumber - commitment.TermStart.DayNumber;
                    yield return RowFactory.Purchase(billing, commitment, commitment.TermStart, commitment.TermStart.AddDays(1),
                        commitment.DailyQuantity * termDays);
                }

                continue;
            }

            var from = commitment.TermStart > monthFrom ? commitment.TermStart : monthFrom;
            var to = commitment.TermEnd < monthTo ? commitment.TermEnd : monthTo;
            if (to > from)
            {
                yield return RowFactory.Purchase(billing, commitment, from, to, commitment.DailyQuantity * (to.DayNumber - from.DayNumber));
            }
        }
    }

    /// <summary>The billing account's tax rate; Singapore GST was 8 % until the end of 2023.</summary>
    private static decimal TaxRate(ProviderCatalog provider, BillingAccountDef account, DateOnly date) =>
        provider.Provider == Core.CloudProvider.Alibaba && date.Year < 2024 ? 0.08m : account.TaxRate;

    private static string InvoiceId(BillingAccountDef account, DateOnly date)
    {
        var number = SplitMix64.Hash(string.Create(CultureInfo.InvariantCulture, $"{account.Id}|{date:yyyy-MM}")) % 1_000_000_000UL;
        return string.Create(CultureInfo.InvariantCulture, $"{account.InvoicePrefix}-{date:yyyyMM}-{number:D9}");
    }
}
