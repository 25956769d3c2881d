using Dwcp.Ingest.Native;

namespace Dwcp.Ingest.Tests.Native;

/// <summary>The real provider samples converted to FOCUS, reconciled with totals computed here from the raw CSV.</summary>
public class RealSampleTests
{
    [Fact]
    public void Aws_cur_sample_converts_every_row_and_reconciles_per_account_and_day()
    {
        var path = RawCsv.Native("aws", "sample-anonymous-aws-export-dataset.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.AwsCur, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(1281, raw.Rows.Count);
        Assert.Equal(1281, rows.Count);
        var billed = raw.Totals(r => raw.Get(r, "bill/PayerAccountId"), r => RawCsv.Day(raw.Get(r, "lineItem/UsageStartDate")),
            r => RawCsv.Money(raw.Get(r, "lineItem/UnblendedCost")));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));
        // The sample has only Usage and Tax lines, whose amortised cost is their unblended cost.
        Assert.All(raw.Rows, r => Assert.Contains(raw.Get(r, "lineItem/LineItemType"), new[] { "Usage", "Tax" }));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.EffectiveCost));
        Assert.Equal(12, rows.Count(r => r.ChargeCategory == "Tax"));
        Assert.Equal(1269, rows.Count(r => r.ChargeCategory == "Usage"));
    }

    [Fact]
    public void Aws_cur_rows_keep_unmapped_columns_and_carry_lineage()
    {
        var path = RawCsv.Native("aws", "sample-anonymous-aws-export-dataset.csv");
        var raw = RawCsv.Read(path);
        var (rows, _) = RawCsv.ReadAll(path);
        var first = rows[0];
        Assert.Equal(raw.Get(raw.Rows[0], "identity/LineItemId"), first.Extensions["x_identity/LineItemId"]);
        Assert.Equal("Tax", first.Extensions["x_lineItem/LineItemType"]);
        Assert.Equal(2, first.SourceLine);
        Assert.Equal(new DateTime(2023, 11, 1, 0, 0, 0, DateTimeKind.Utc), first.BillingPeriodStart);
        Assert.Equal(new DateTime(2023, 12, 1, 0, 0, 0, DateTimeKind.Utc), first.BillingPeriodEnd);
        Assert.Equal("AWS CloudTrail", first.ServiceName);
        Assert.Equal("USD", first.BillingCurrency);
        Assert.False(first.Extensions.ContainsKey("x_lineItem/UnblendedCost"));
    }

    [Theory]
    [InlineData("sample-anonymous-ea-export-dataset.csv", "CostInBillingCurrency", 27, "actual")]
    [InlineData("EA_ActualCost_Small.csv", "Cost", 11, "actual")]
    public void Azure_ea_actual_files_bill_their_cost_per_account_and_day(string file, string costColumn, int count, string variant)
    {
        var path = RawCsv.Native("azure", file);
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.AzureEa, report.SourceFormat);
        Assert.Equal(variant, report.SourceVariant);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(count, raw.Rows.Count);
        Assert.Equal(count, rows.Count);
        var billed = raw.Totals(r => raw.Get(r, "BillingAccountId"), r => RawCsv.Day(raw.Get(r, "Date")), r => RawCsv.Money(raw.Get(r, costColumn)));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.EffectiveCost));
    }

    [Fact]
    public void Azure_ea_amortized_file_reconciles_effective_cost_and_bills_only_uncommitted_rows()
    {
        var path = RawCsv.Native("azure", "EA_AmortizedCost_Small.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal("amortized", report.SourceVariant);
        Assert.Equal(28, rows.Count);
        Assert.Equal(0, report.ErrorCount);
        string Account(string[] r) => raw.Get(r, "BillingAccountId");
        DateOnly Day(string[] r) => RawCsv.Day(raw.Get(r, "Date"));
        var effective = raw.Totals(Account, Day, r => RawCsv.Money(raw.Get(r, "Cost")));
        var billed = raw.Totals(Account, Day, r =>
            raw.Get(r, "PricingModel") is "Reservation" or "SavingsPlan" ? 0m : RawCsv.Money(raw.Get(r, "Cost")));
        RawCsv.AssertSameTotals(effective, RawCsv.Totals(rows, r => r.EffectiveCost));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));

        var reservation = Assert.Single(rows, r => r.PricingCategory == "Committed" && r.CommitmentDiscountType == "Reservation");
        Assert.Equal("Used", reservation.CommitmentDiscountStatus);
        Assert.Equal("Usage", reservation.CommitmentDiscountCategory);
        var savingsPlan = Assert.Single(rows, r => r.CommitmentDiscountType == "Savings Plan");
        Assert.Equal("Spend", savingsPlan.CommitmentDiscountCategory);
        Assert.Equal("Compute_SavingsPlan_11-07-2022_09-55", savingsPlan.CommitmentDiscountName);
    }

    [Fact]
    public void Azure_actual_or_amortized_is_found_from_the_rows_when_the_name_does_not_say()
    {
        var dir = Dwcp.Tests.RepoPaths.NewTempDir();
        var amortized = Path.Combine(dir, "export-1.csv");
        var actual = Path.Combine(dir, "export-2.csv");
        File.Copy(RawCsv.Native("azure", "EA_AmortizedCost_Small.csv"), amortized);
        File.Copy(RawCsv.Native("azure", "EA_ActualCost_Small.csv"), actual);

        Assert.Equal("amortized", RawCsv.ReadAll(amortized).Report.SourceVariant);
        Assert.Equal("actual", RawCsv.ReadAll(actual).Report.SourceVariant);
        Assert.Equal("actual", RawCsv.ReadAll(amortized, new BillingReaderOptions { AzureCostKind = AzureCostKind.Actual }).Report.SourceVariant);
    }

    [Fact]
    public void Azure_reservation_purchase_is_a_purchase_and_tags_become_a_json_object()
    {
        var (rows, _) = RawCsv.ReadAll(RawCsv.Native("azure", "EA_ActualCost_Small.csv"));
        var purchase = Assert.Single(rows, r => r.ChargeCategory == "Purchase");
        Assert.Equal(3.25m, purchase.BilledCost);
        Assert.Equal("Recurring", purchase.ChargeFrequency);
        Assert.Equal("Reservation", purchase.CommitmentDiscountType);
        Assert.Equal(new DateTime(2023, 10, 1, 0, 0, 0, DateTimeKind.Utc), purchase.BillingPeriodEnd);

        var (sample, _) = RawCsv.ReadAll(RawCsv.Native("azure", "sample-anonymous-ea-export-dataset.csv"));
        var tagged = sample[0];
        Assert.Equal("{\"tagA\": \"valueA\",\"tagB\": \"valueB\",\"tagC\": \"valueC\"}", tagged.Tags);
        Assert.Equal(["tagA", "tagB", "tagC"], tagged.NormalizedTags.Select(t => t.Key));
        Assert.Equal(new DateTime(2023, 9, 2, 0, 0, 0, DateTimeKind.Utc), tagged.ChargePeriodStart);
        Assert.Equal("CAD", tagged.BillingCurrency);
        Assert.Equal(3, sample.Count(r => r.PricingCategory == "Dynamic"));
    }

    [Fact]
    public void Oci_cost_report_reconciles_per_tenancy_and_day_with_tags()
    {
        var path = RawCsv.Native("oci", "reports_cost-csv_0000000030000269.csv");
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);

        Assert.Equal(SourceFormat.Oci, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(506, raw.Rows.Count);
        Assert.Equal(506, rows.Count);
        var billed = raw.Totals(r => raw.Get(r, "lineItem/tenantId"), r => RawCsv.Day(raw.Get(r, "lineItem/intervalUsageStart")),
            r => RawCsv.Money(raw.Get(r, "cost/myCost")));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.BilledCost));
        RawCsv.AssertSameTotals(billed, RawCsv.Totals(rows, r => r.EffectiveCost));

        var first = rows[0];
        Assert.Equal(new DateTime(2023, 11, 13, 10, 0, 0, DateTimeKind.Utc), first.ChargePeriodStart);
        Assert.Equal(new DateTime(2023, 11, 1, 0, 0, 0, DateTimeKind.Utc), first.BillingPeriodStart);
        Assert.Contains(first.NormalizedTags, t => t.Key == "Oracle-Tags.CreatedBy" && t.Value == "default/user3@example.com");
        Assert.Equal("Databases", first.ServiceCategory);
        // A tiny cost written with an exponent keeps every digit.
        Assert.Equal(0.00000000232376m, rows[1].BilledCost);
    }
}
