using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using Dwcp.Ingest.Native;
using Dwcp.Tests;
using Parquet;
using Parquet.Schema;

namespace Dwcp.Ingest.Tests.Native;

/// <summary>
/// AWS commitment semantics on generated legacy CUR, the same rows as CUR 2.0 CSV and Parquet, and gzip; expected
/// amortised costs are computed here from the raw columns with the documented rule.
/// </summary>
public partial class AwsCommitmentTests
{
    private static string Generate(int rows, string name = "cur.csv")
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), name);
        new CurSampleGenerator(seed: 7).WriteFile(path, rows);
        return path;
    }

    /// <summary>The documented amortisation rule, written against the raw legacy columns.</summary>
    private static decimal ExpectedEffective(RawCsv raw, string[] r) => raw.Get(r, "lineItem/LineItemType") switch
    {
        "DiscountedUsage" => RawCsv.Money(raw.Get(r, "reservation/EffectiveCost")),
        "SavingsPlanCoveredUsage" => RawCsv.Money(raw.Get(r, "savingsPlan/SavingsPlanEffectiveCost")),
        "SavingsPlanNegation" or "SavingsPlanUpfrontFee" => 0m,
        "SavingsPlanRecurringFee" => RawCsv.Money(raw.Get(r, "savingsPlan/TotalCommitmentToDate")) - RawCsv.Money(raw.Get(r, "savingsPlan/UsedCommitment")),
        "RIFee" => RawCsv.Money(raw.Get(r, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod")) + RawCsv.Money(raw.Get(r, "reservation/UnusedRecurringFee")),
        _ => RawCsv.Money(raw.Get(r, "lineItem/UnblendedCost")),
    };

    private static void AssertReconciles(RawCsv raw, List<Dwcp.Core.Focus.FocusRow> rows)
    {
        Assert.Equal(raw.Rows.Count, rows.Count);
        string Payer(string[] r) => raw.Get(r, "bill/PayerAccountId");
        DateOnly Day(string[] r) => RawCsv.Day(raw.Get(r, "lineItem/UsageStartDate"));
        RawCsv.AssertSameTotals(raw.Totals(Payer, Day, r => RawCsv.Money(raw.Get(r, "lineItem/UnblendedCost"))), RawCsv.Totals(rows, r => r.BilledCost));
        RawCsv.AssertSameTotals(raw.Totals(Payer, Day, r => ExpectedEffective(raw, r)), RawCsv.Totals(rows, r => r.EffectiveCost));
    }

    [Fact]
    public void Legacy_cur_amortises_commitments_and_loads_negative_lines()
    {
        var path = Generate(900);
        var raw = RawCsv.Read(path);
        var (rows, report) = RawCsv.ReadAll(path);
        Assert.Equal(0, report.ErrorCount);
        AssertReconciles(raw, rows);

        Assert.All(rows.Where(r => r.Extensions["x_lineItem/LineItemType"] == "SavingsPlanNegation"), r => Assert.Equal(0m, r.EffectiveCost));
        Assert.Contains(rows, r => r.BilledCost < 0 && r.ChargeCategory == "Credit");
        var covered = rows.First(r => r.Extensions["x_lineItem/LineItemType"] == "SavingsPlanCoveredUsage");
        Assert.Equal(("Spend", "Savings Plan", "Used", "Committed"), (covered.CommitmentDiscountCategory, covered.CommitmentDiscountType, covered.CommitmentDiscountStatus, covered.PricingCategory));
        var riFee = rows.First(r => r.Extensions["x_lineItem/LineItemType"] == "RIFee");
        Assert.Equal(("Purchase", "Recurring", 0.75m), (riFee.ChargeCategory, riFee.ChargeFrequency, riFee.EffectiveCost!.Value));
        Assert.Contains(rows, r => r.NormalizedTags.Any(t => t.Key == "user:env" && t.Value == "prod"));
    }

    [Fact]
    public void Gzip_cur_reads_like_the_plain_file()
    {
        var path = Generate(300);
        var gz = path + ".gz";
        using (var input = File.OpenRead(path))
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            input.CopyTo(output);
        }

        var (rows, report) = RawCsv.ReadAll(gz);
        Assert.Equal(IngestFormat.CsvGzip, report.FormatDetected);
        Assert.Equal(SourceFormat.AwsCur, report.SourceFormat);
        AssertReconciles(RawCsv.Read(path), rows);
    }

    [GeneratedRegex("(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])")]
    private static partial Regex WordStart();

    private static string Snake(string legacy) => string.Join("_", legacy.Split('/').Select(p => WordStart().Replace(p, "_$1$2").ToLowerInvariant()));

    private static (string[] Header, List<string[]> Rows) ToCur2(RawCsv raw)
    {
        var tagCols = raw.Header.Select((h, i) => (h, i)).Where(x => x.h.StartsWith("resourceTags/", StringComparison.Ordinal)).ToList();
        var keep = raw.Header.Select((h, i) => (h, i)).Where(x => !x.h.StartsWith("resourceTags/", StringComparison.Ordinal)).ToList();
        var header = keep.Select(x => Snake(x.h)).Append("resource_tags").ToArray();
        var rows = raw.Rows.Select(r =>
        {
            var tags = tagCols.Where(t => r[t.i].Length > 0).Select(t => $"\"{t.h["resourceTags/".Length..].Replace(':', '_')}\":\"{r[t.i]}\"");
            return keep.Select(x => r[x.i]).Append("{" + string.Join(",", tags) + "}").ToArray();
        }).ToList();
        return (header, rows);
    }

    [Fact]
    public void Cur2_csv_is_detected_and_reconciles()
    {
        var raw = RawCsv.Read(Generate(400));
        var (header, rows) = ToCur2(raw);
        var path = Path.Combine(RepoPaths.NewTempDir(), "cur2.csv");
        File.WriteAllText(path, string.Join("\n", new[] { string.Join(",", header) }.Concat(rows.Select(r => string.Join(",", r.Select(TestCsv.Quote))))) + "\n", new UTF8Encoding(false));

        var (focus, report) = RawCsv.ReadAll(path);
        Assert.Equal(SourceFormat.AwsCur2, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        AssertReconciles(raw, focus);
        Assert.Contains(focus, r => r.NormalizedTags.Any(t => t.Key == "user_env" && t.Value == "dev"));
        Assert.Contains("x_line_item_line_item_type", focus[0].Extensions.Keys);
    }

    [Fact]
    public async Task Cur2_parquet_is_detected_and_reconciles()
    {
        var raw = RawCsv.Read(Generate(400));
        var (header, rows) = ToCur2(raw);
        var path = Path.Combine(RepoPaths.NewTempDir(), "cur2.parquet");
        var money = new HashSet<string>(["line_item_unblended_cost", "reservation_effective_cost", "savings_plan_savings_plan_effective_cost"]);
        var fields = header.Select(h => money.Contains(h) ? (DataField)new DecimalDataField(h, 28, 12, isNullable: true) : new DataField<string>(h)).ToArray();
        await using (var fs = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), fs);
            foreach (var chunk in rows.Chunk(150))
            {
                using var group = writer.CreateRowGroup();
                for (var c = 0; c < header.Length; c++)
                {
                    if (money.Contains(header[c]))
                    {
                        await group.WriteAsync<decimal>(fields[c], chunk.Select(r => r[c].Length == 0 ? (decimal?)null : decimal.Parse(r[c], NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray());
                    }
                    else
                    {
                        await group.WriteAsync(fields[c], chunk.Select(r => r[c].Length == 0 ? null : r[c]).ToArray());
                    }
                }
            }
        }

        var (focus, report) = RawCsv.ReadAll(path);
        Assert.Equal(IngestFormat.Parquet, report.FormatDetected);
        Assert.Equal(SourceFormat.AwsCur2, report.SourceFormat);
        Assert.Equal(0, report.ErrorCount);
        AssertReconciles(raw, focus);
        Assert.Equal(400, focus[^1].SourceLine);
    }

    [Fact]
    public void Support_fees_refunds_and_credits_follow_the_documented_categories()
    {
        var header = CurSampleGenerator.Header;
        Dictionary<string, string> Line(string type, string product, string productName, string cost, string billType = "Anniversary") => new()
        {
            ["bill/PayerAccountId"] = "111122223333", ["bill/BillType"] = billType,
            ["bill/BillingPeriodStartDate"] = "2023-10-01T00:00:00.000Z", ["bill/BillingPeriodEndDate"] = "2023-11-01T00:00:00.000Z",
            ["lineItem/LineItemType"] = type, ["lineItem/UsageStartDate"] = "2023-10-01T00:00:00.000Z",
            ["lineItem/UsageEndDate"] = "2023-11-01T00:00:00.000Z", ["lineItem/ProductCode"] = product,
            ["product/ProductName"] = productName, ["lineItem/CurrencyCode"] = "USD", ["lineItem/UnblendedCost"] = cost,
        };
        var path = TestCsv.Write(TestCsv.File(header,
        [
            Line("Fee", "AWSSupportBusiness", "AWS Support (Business)", "100.0"),
            Line("Refund", "AmazonEC2", "Amazon Elastic Compute Cloud", "-12.5", "Refund"),
            Line("Credit", "AmazonEC2", "Amazon Elastic Compute Cloud", "-3.0E+1"),
        ]), "cur.csv");

        var (rows, report) = RawCsv.ReadAll(path);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(("Support", "Usage", "Recurring", 100.0m), (rows[0].ServiceName, rows[0].ChargeCategory, rows[0].ChargeFrequency, rows[0].EffectiveCost!.Value));
        Assert.Equal("AWS Support (Business)", rows[0].Extensions["x_product/ProductName"]);
        Assert.Equal(("Credit", "Correction", -12.5m), (rows[1].ChargeCategory, rows[1].ChargeClass, rows[1].BilledCost!.Value));
        Assert.Equal(new DateTime(2023, 10, 1, 0, 0, 0, DateTimeKind.Utc), rows[1].BillingPeriodStart);
        Assert.Equal(("Credit", null, -30m), (rows[2].ChargeCategory, rows[2].ChargeClass, rows[2].BilledCost!.Value));
        Assert.Equal(57.5m, rows.Sum(r => r.BilledCost!.Value));
    }
}
