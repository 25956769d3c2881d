using System.Text;
using Dwcp.Ingest.Native;
using Dwcp.Tests;

namespace Dwcp.Ingest.Tests.Native;

/// <summary>Format detection, --source-format, unknown headers, mixed currencies and the Azure MCA layout.</summary>
public class DetectionAndErrorTests
{
    [Theory]
    [InlineData("aws/sample-anonymous-aws-export-dataset.csv", SourceFormat.AwsCur)]
    [InlineData("azure/EA_ActualCost_Small.csv", SourceFormat.AzureEa)]
    [InlineData("oci/reports_cost-csv_0000000030000269.csv", SourceFormat.Oci)]
    [InlineData("gcp/gcp-billing-export.csv", SourceFormat.Gcp)]
    [InlineData("gcp/gcp-billing-export.jsonl", SourceFormat.Gcp)]
    [InlineData("ibm/ibm-instance-usage.csv", SourceFormat.Ibm)]
    [InlineData("alibaba/alibaba-instance-bill.csv", SourceFormat.Alibaba)]
    public void Each_format_is_detected_from_its_header(string file, SourceFormat expected)
    {
        using var reader = BillingFileReader.Open(RawCsv.Native(file.Split('/')));
        Assert.Equal(expected, reader.Format);
        Assert.Equal(expected, reader.Report.SourceFormat);
    }

    [Fact]
    public void Focus_files_go_through_the_focus_reader_and_a_provider_focus_format_can_be_named()
    {
        var (rows, report) = RawCsv.ReadAll(RepoPaths.FocusSample);
        Assert.Equal(SourceFormat.Focus, report.SourceFormat);
        Assert.Equal(1000, rows.Count);

        var (same, named) = RawCsv.ReadAll(RepoPaths.FocusSample, new BillingReaderOptions { SourceFormat = SourceFormat.AzureFocus });
        Assert.Equal(SourceFormat.AzureFocus, named.SourceFormat);
        Assert.Equal(rows.Sum(r => r.BilledCost), same.Sum(r => r.BilledCost));
    }

    [Theory]
    [InlineData("x_ServiceCode", SourceFormat.AwsFocus)]
    [InlineData("x_SkuMeterCategory", SourceFormat.AzureFocus)]
    [InlineData("oci_ReferenceNumber", SourceFormat.OciFocus)]
    [InlineData("x_Anything", SourceFormat.Focus)]
    public void Provider_focus_exports_are_recognised_by_their_extension_columns(string extra, SourceFormat expected)
    {
        var header = TestCsv.Mandatory.Append(extra).ToArray();
        var path = TestCsv.Write(TestCsv.File(header, [TestCsv.Row()]));
        using var reader = BillingFileReader.Open(path);
        Assert.Equal(expected, reader.Format);
        Assert.Equal(1.25m, Assert.Single(reader.ReadRows()).BilledCost);
    }

    [Fact]
    public void A_named_native_format_is_used_without_detection()
    {
        var (rows, report) = RawCsv.ReadAll(RawCsv.Native("oci", "reports_cost-csv_0000000030000269.csv"),
            new BillingReaderOptions { SourceFormat = SourceFormats.Parse("oci") });
        Assert.Equal(SourceFormat.Oci, report.SourceFormat);
        Assert.Equal(506, rows.Count);
    }

    [Fact]
    public void A_json_line_that_is_not_an_object_is_a_row_error_and_goes_to_the_sidecar_whole()
    {
        var lines = File.ReadAllLines(RawCsv.Native("gcp", "gcp-billing-export.jsonl")).Take(3).ToList();
        lines.Insert(2, "");
        lines.Insert(3, "{\"billing_account_id\": \"x\", oops}");
        var path = TestCsv.Write(string.Join("\n", lines) + "\n", "gcp.jsonl");
        var sidecar = Path.Combine(Path.GetDirectoryName(path)!, "rejected.csv");

        var (rows, report) = RawCsv.ReadAll(path, new BillingReaderOptions { SkipInvalidRows = true, RejectedRowsPath = sidecar });
        Assert.Equal(3, rows.Count);
        var error = Assert.Single(report.Errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("not valid JSON", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, rows[^1].SourceLine);
        var written = File.ReadAllLines(sidecar);
        Assert.Equal("_dwcp_line,_dwcp_error,json", written[0]);
        Assert.StartsWith("4,", written[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_requested_format_whose_columns_are_missing_is_refused_with_the_missing_columns()
    {
        var ex = Assert.Throws<IngestException>(() => BillingFileReader.Open(RawCsv.Native("aws", "sample-anonymous-aws-export-dataset.csv"),
            new BillingReaderOptions { SourceFormat = SourceFormat.AwsCur2 }));
        Assert.Equal(1, ex.Error.Line);
        Assert.Contains("aws-cur2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line_item_unblended_cost", ex.Message, StringComparison.Ordinal);
        Assert.Equal(SourceFormat.AwsCur2, SourceFormats.Parse("AWS-CUR2"));
        Assert.Throws<ArgumentException>(() => SourceFormats.Parse("aws-cur3"));
    }

    [Fact]
    public void An_unknown_header_lists_the_formats_tried_and_the_closest_match()
    {
        var path = TestCsv.Write("SubscriptionId,Date,MeterCategory,ChargeType,Cost,Quantity\nsub,9/2/2023,Storage,Usage,1.0,1\n", "mystery.csv");
        var ex = Assert.Throws<IngestException>(() => BillingFileReader.Open(path));
        Assert.Equal(1, ex.Error.Line);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        foreach (var name in new[] { "focus", "aws-cur", "aws-cur2", "azure-ea", "gcp", "oci", "ibm", "alibaba" })
        {
            Assert.Contains(name + " ", ex.Message, StringComparison.Ordinal);
        }

        Assert.Contains("Closest match: azure-ea, missing BillingAccountId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_billing_currency_is_fatal_and_names_file_line_and_column()
    {
        var lines = File.ReadAllLines(RawCsv.Native("gcp", "gcp-billing-export.csv")).ToList();
        lines[7] = lines[7].Replace(",EUR,", ",USD,", StringComparison.Ordinal);
        var path = TestCsv.Write(string.Join("\n", lines) + "\n", "gcp.csv");

        using var reader = BillingFileReader.Open(path);
        var ex = Assert.Throws<IngestException>(() => reader.ReadRows().ToList());
        Assert.Equal(8, ex.Error.Line);
        Assert.Equal("currency", ex.Error.Column);
        Assert.Contains("'USD' here but 'EUR' on line 2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing of this file was loaded", ex.Message, StringComparison.Ordinal);
        Assert.Same(ex.Error, reader.Report.FatalError);
    }

    [Fact]
    public void A_bad_number_is_a_row_error_naming_the_source_column()
    {
        var lines = File.ReadAllLines(RawCsv.Native("oci", "reports_cost-csv_0000000030000269.csv")).Take(4).ToList();
        lines[2] = lines[2].Replace(",2.323760000E-9,", ",2,3E-9x,", StringComparison.Ordinal).Replace(",2,3E-9x,", ",abc,", StringComparison.Ordinal);
        var path = TestCsv.Write(string.Join("\n", lines) + "\n", "oci.csv");
        var (rows, report) = RawCsv.ReadAll(path, new BillingReaderOptions { SkipInvalidRows = true });
        Assert.Equal(2, rows.Count);
        var error = Assert.Single(report.Errors);
        Assert.Equal(3, error.Line);
        Assert.Equal("cost/myCost", error.Column);
        Assert.Contains("'abc' is not a number", error.ToString(), StringComparison.Ordinal);
    }

    private static readonly string[] McaHeader =
    [
        "invoiceId", "billingAccountId", "billingAccountName", "billingProfileId", "billingProfileName", "billingPeriodStartDate",
        "billingPeriodEndDate", "subscriptionId", "subscriptionName", "date", "meterCategory", "meterName", "quantity", "unitPrice",
        "paygPrice", "costInBillingCurrency", "billingCurrency", "chargeType", "pricingModel", "frequency", "benefitId", "benefitName", "tags",
    ];

    [Fact]
    public void Azure_mca_amortized_file_shows_unused_commitment_and_reconciles()
    {
        string Row(string date, string charge, string model, string cost, string benefit = "") =>
            $"G001,acct,Contoso,BP-1,Contoso Profile,11/01/2023,11/30/2023,sub-1,Prod,{date},Virtual Machines,D2 v3,2,0.1,0.12,{cost},EUR,{charge},{model},UsageBased,{benefit},{(benefit.Length > 0 ? "ri-1" : "")},\"\"\"env\"\": \"\"prod\"\"\"";
        var csv = new StringBuilder(string.Join(",", McaHeader)).Append('\n')
            .Append(Row("11/05/2023", "Usage", "OnDemand", "0.24")).Append('\n')
            .Append(Row("2023-11-05", "Usage", "Reservation", "0.18", "/reservations/ri-1")).Append('\n')
            .Append(Row("11/06/2023", "UnusedReservation", "Reservation", "0.06", "/reservations/ri-1")).Append('\n')
            .Append(Row("11/06/2023", "Refund", "OnDemand", "-1.5E-1")).Append('\n')
            .Append(Row("11/06/2023", "RoundingAdjustment", "", "-0.0001")).Append('\n');
        var path = TestCsv.Write(csv.ToString(), "mca-amortized.csv");

        var (rows, report) = RawCsv.ReadAll(path);
        Assert.Equal(SourceFormat.AzureMca, report.SourceFormat);
        Assert.Equal("amortized", report.SourceVariant);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal("BP-1", r.BillingAccountId));
        Assert.Equal(0.24m + 0.18m + 0.06m - 0.15m - 0.0001m, rows.Sum(r => r.EffectiveCost!.Value));
        Assert.Equal(0.24m - 0.15m - 0.0001m, rows.Sum(r => r.BilledCost!.Value));
        var unused = Assert.Single(rows, r => r.CommitmentDiscountStatus == "Unused");
        Assert.Equal((0m, 0.06m, "Usage"), (unused.BilledCost!.Value, unused.EffectiveCost!.Value, unused.ChargeCategory));
        Assert.Equal(("Purchase", "Correction"), (rows[3].ChargeCategory, rows[3].ChargeClass));
        Assert.Equal("Adjustment", rows[4].ChargeCategory);
        Assert.Equal(rows[0].ChargePeriodStart, rows[1].ChargePeriodStart);
        Assert.Equal("G001", rows[0].InvoiceId);
        Assert.Equal("{\"env\": \"prod\"}", rows[0].Tags);
    }
}
