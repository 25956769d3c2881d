using System.Globalization;
using System.Text.Json;
using Dwcp.Ingest.Native;

namespace Dwcp.Ingest.Tests.Native;

/// <summary>The synthetic GCP, IBM and Alibaba fixtures, reconciled with totals computed here from the raw files.</summary>
public class SyntheticFormatTests
{
    private static decimal CreditSum(string json)
    {
        if (json.Length == 0)
        {
            return 0m;
        }

        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Sum(c => decimal.Parse(c.GetProperty("amount").GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Gcp_csv_nets_credits_into_billed_and_effective_cost()
    {
        var path = RawCsv.Native("gcp", "gcp-billing-export.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.Gcp, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(raw.Rows.Count, rows.Count);
        var net = raw.Totals(r => raw.Get(r, "billing_account_id"), r => RawCsv.Day(raw.Get(r, "usage_start_time")),
            r => RawCsv.Money(raw.Get(r, "cost")) + CreditSum(raw.Get(r, "credits")));
        RawCsv.AssertSameTotals(net, RawCsv.Totals(rows, r => r.BilledCost));
        RawCsv.AssertSameTotals(net, RawCsv.Totals(rows, r => r.EffectiveCost));
        Assert.Equal(raw.Rows.Sum(r => RawCsv.Money(raw.Get(r, "cost"))), rows.Sum(r => r.ContractedCost!.Value));

        // Invoice month 202311 starts at midnight Pacific (PDT): 07:00 UTC; December starts in PST: 08:00 UTC.
        Assert.All(rows, r => Assert.Equal(new DateTime(2023, 11, 1, 7, 0, 0, DateTimeKind.Utc), r.BillingPeriodStart));
        Assert.All(rows, r => Assert.Equal(new DateTime(2023, 12, 1, 8, 0, 0, DateTimeKind.Utc), r.BillingPeriodEnd));
        Assert.Equal(["Adjustment", "Credit", "Purchase", "Tax", "Usage"], rows.Select(r => r.ChargeCategory).Distinct().Order());
        Assert.Equal("Correction", Assert.Single(rows, r => r.ChargeCategory == "Credit").ChargeClass);
        Assert.Contains(rows, r => r.BilledCost < 0);
        var labelled = rows[1];
        Assert.Equal("{\"env\":\"prod\",\"team\":\"t1\"}", labelled.Tags);
        Assert.Equal(0.000125m, rows[5].ContractedCost);
    }

    [Fact]
    public void Gcp_newline_delimited_json_gives_the_same_rows_as_the_csv()
    {
        var (csv, _) = RawCsv.ReadAll(RawCsv.Native("gcp", "gcp-billing-export.csv"));
        var (json, report) = RawCsv.ReadAll(RawCsv.Native("gcp", "gcp-billing-export.jsonl"));

        Assert.Equal(IngestFormat.JsonLines, report.FormatDetected);
        Assert.Equal(SourceFormat.Gcp, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(csv.Count, json.Count);
        for (var i = 0; i < csv.Count; i++)
        {
            Assert.Equal(csv[i].BilledCost, json[i].BilledCost);
            Assert.Equal(csv[i].EffectiveCost, json[i].EffectiveCost);
            Assert.Equal(csv[i].ChargePeriodStart, json[i].ChargePeriodStart);
            Assert.Equal(csv[i].ChargeCategory, json[i].ChargeCategory);
            Assert.Equal(csv[i].Tags, json[i].Tags);
            Assert.Equal(csv[i].SubAccountId, json[i].SubAccountId);
            Assert.Equal(i + 1, json[i].SourceLine);
        }
    }

    [Fact]
    public void Ibm_usage_report_bills_the_billable_cost_and_lists_the_rated_cost()
    {
        var path = RawCsv.Native("ibm", "ibm-instance-usage.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.Ibm, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(12, rows.Count);
        string Account(string[] r) => raw.Get(r, "account_id");
        DateOnly Month(string[] r) => DateOnly.ParseExact(raw.Get(r, "month") + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var billed = raw.Totals(Account, Month, r => raw.Get(r, "billable") == "false" ? 0m : RawCsv.Money(raw.Get(r, "cost")));
        var list = raw.Totals(Account, Month, r => RawCsv.Money(raw.Get(r, "rated_cost")));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));
        RawCsv.AssertSameTotals(list, RawCsv.Totals(rows, r => r.ListCost));
        Assert.Contains(rows, r => r.BilledCost < 0);
    }

    [Fact]
    public void Alibaba_bill_details_bill_the_pretax_amount_per_account_and_day()
    {
        var path = RawCsv.Native("alibaba", "alibaba-instance-bill.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.Alibaba, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(15, rows.Count);
        var billed = raw.Totals(r => raw.Get(r, "BillAccountID"), r => RawCsv.Day(raw.Get(r, "BillingDate")), r => RawCsv.Money(raw.Get(r, "PretaxAmount")));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));
        // The amount payable is also the sum of what paid it (cash coupons, prepaid cards, payment, outstanding).
        var paid = raw.Totals(r => raw.Get(r, "BillAccountID"), r => RawCsv.Day(raw.Get(r, "BillingDate")),
            r => RawCsv.Money(raw.Get(r, "DeductedByCashCoupons")) + RawCsv.Money(raw.Get(r, "DeductedByPrepaidCard")) +
                 RawCsv.Money(raw.Get(r, "PaymentAmount")) + RawCsv.Money(raw.Get(r, "OutstandingAmount")));
        RawCsv.AssertSameTotals(paid, RawCsv.Totals(rows, r => r.BilledCost));
        var refund = Assert.Single(rows, r => r.ChargeClass == "Correction");
        Assert.True(refund.BilledCost < 0);
        Assert.Equal("{\"env\":\"prod\",\"team\":\"data\"}", rows[0].Tags);
        Assert.Equal(raw.Rows.Count(r => raw.Get(r, "Item") == "SubscriptionOrder"), rows.Count(r => r.ChargeCategory == "Purchase" && r.ChargeClass is null));
    }
}
