using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Dwcp.Ingest.Native;

/// <summary>
/// Writes synthetic AWS legacy CUR files (the 94-column layout of the real sample plus two tag columns) for tests and
/// benchmarks: seeded, so the same seed gives the same bytes. Line item types cycle through Usage, DiscountedUsage,
/// SavingsPlanCoveredUsage, SavingsPlanNegation, RIFee, Tax and Credit, with negative amounts where AWS has them.
/// </summary>
public sealed class CurSampleGenerator
{
    private static readonly string[] Columns =
    [
        "identity/LineItemId", "identity/TimeInterval", "bill/InvoiceId", "bill/InvoicingEntity", "bill/BillingEntity", "bill/BillType",
        "bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageAccountId",
        "lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode", "lineItem/UsageType",
        "lineItem/Operation", "lineItem/AvailabilityZone", "lineItem/ResourceId", "lineItem/UsageAmount", "lineItem/CurrencyCode",
        "lineItem/UnblendedRate", "lineItem/UnblendedCost", "lineItem/LineItemDescription", "lineItem/LegalEntity",
        "product/ProductName", "product/region", "product/regionCode", "product/location", "product/sku", "pricing/RateId",
        "pricing/currency", "pricing/publicOnDemandCost", "pricing/publicOnDemandRate", "pricing/term", "pricing/unit",
        "reservation/ReservationARN", "reservation/EffectiveCost", "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
        "reservation/UnusedRecurringFee", "savingsPlan/SavingsPlanARN", "savingsPlan/SavingsPlanEffectiveCost",
        "savingsPlan/TotalCommitmentToDate", "savingsPlan/UsedCommitment", "resourceTags/user:env", "resourceTags/user:team",
    ];

    private static readonly string[] Types = ["Usage", "Usage", "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage", "SavingsPlanNegation", "RIFee", "Tax", "Credit"];
    private static readonly (string Code, string Name, string Unit)[] Products =
    [
        ("AmazonEC2", "Amazon Elastic Compute Cloud", "Hrs"), ("AmazonS3", "Amazon Simple Storage Service", "GB-Mo"),
        ("AmazonRDS", "Amazon Relational Database Service", "Hrs"), ("AWSLambda", "AWS Lambda", "Requests"),
    ];

    private readonly Random _random;
    private readonly string _payer;

    /// <summary>Creates a generator; <paramref name="seed"/> fixes every value.</summary>
    public CurSampleGenerator(int seed, string payerAccountId = "111122223333")
    {
        _random = new Random(seed);
        _payer = payerAccountId;
    }

    /// <summary>The header cells, in order.</summary>
    public static IReadOnlyList<string> Header => Columns;

    /// <summary>Writes a header and <paramref name="rows"/> rows for November 2023 to <paramref name="path"/> (gzip when it ends in .gz).</summary>
    /// <returns>The sum of <c>lineItem/UnblendedCost</c> written, exactly.</returns>
    public decimal WriteFile(string path, long rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionLevel.Fastest) : file;
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        return Write(writer, rows);
    }

    /// <summary>Writes a header and <paramref name="rows"/> rows to <paramref name="writer"/>; returns the sum of UnblendedCost.</summary>
    public decimal Write(TextWriter writer, long rows)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteLine(string.Join(",", Columns));
        decimal total = 0;
        var cells = new string[Columns.Length];
        for (long i = 0; i < rows; i++)
        {
            total += NextRow(i, cells);
            for (var c = 0; c < cells.Length; c++)
            {
                if (c > 0)
                {
                    writer.Write(',');
                }

                var v = cells[c];
                if (v.Contains(',', StringComparison.Ordinal))
                {
                    writer.Write('"');
                    writer.Write(v);
                    writer.Write('"');
                }
                else
                {
                    writer.Write(v);
                }
            }

            writer.Write('\n');
        }

        return total;
    }

    private decimal NextRow(long i, string[] cells)
    {
        Array.Fill(cells, "");
        var type = Types[i % Types.Length];
        var product = Products[_random.Next(Products.Length)];
        var day = 1 + (int)(i % 30);
        var hour = (int)(i / 30 % 24);
        var start = new DateTime(2023, 11, day, hour, 0, 0, DateTimeKind.Utc);
        var amount = Math.Round((decimal)_random.NextDouble() * 10, 6);
        var rate = Math.Round((decimal)_random.NextDouble(), 8) + 0.00000001m;
        var cost = type switch
        {
            "DiscountedUsage" => 0m,
            "SavingsPlanNegation" or "Credit" => -Math.Round(amount * rate, 10),
            _ => Math.Round(amount * rate, 10),
        };
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        string D(decimal v) => v.ToString(CultureInfo.InvariantCulture);
        string T(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        cells[0] = "li" + I(i);
        cells[1] = T(start) + "/" + T(start.AddHours(1));
        cells[2] = "INV-2023-11";
        cells[3] = "Amazon Web Services, Inc.";
        cells[4] = "AWS";
        cells[5] = "Anniversary";
        cells[6] = _payer;
        cells[7] = "2023-11-01T00:00:00.000Z";
        cells[8] = "2023-12-01T00:00:00.000Z";
        cells[9] = I(100000000000 + (i % 7));
        cells[10] = type;
        cells[11] = T(start);
        cells[12] = T(start.AddHours(1));
        cells[13] = product.Code;
        cells[14] = "USE1-" + product.Unit;
        cells[15] = "Run";
        cells[16] = "us-east-1a";
        cells[17] = "arn:aws:ec2:us-east-1:" + cells[9] + ":instance/i-" + I(i % 5000);
        cells[18] = D(amount);
        cells[19] = "USD";
        cells[20] = D(rate);
        cells[21] = D(cost);
        cells[22] = type + " of " + product.Name + ", row " + I(i);
        cells[23] = "Amazon Web Services, Inc.";
        cells[24] = product.Name;
        cells[25] = "us-east-1";
        cells[26] = "us-east-1";
        cells[27] = "US East (N. Virginia)";
        cells[28] = "SKU" + I(i % 97);
        cells[29] = I(1000 + (i % 97));
        cells[30] = "USD";
        cells[31] = D(Math.Round(amount * rate * 1.2m, 10));
        cells[32] = D(rate * 1.2m);
        cells[33] = type is "DiscountedUsage" or "RIFee" ? "Reserved" : "OnDemand";
        cells[34] = product.Unit;
        if (type is "DiscountedUsage" or "RIFee")
        {
            cells[35] = "arn:aws:ec2:us-east-1:" + _payer + ":reserved-instances/ri-1";
            cells[36] = type == "DiscountedUsage" ? D(Math.Round(amount * rate * 0.6m, 10)) : "";
            cells[37] = type == "RIFee" ? "0.5" : "";
            cells[38] = type == "RIFee" ? "0.25" : "";
        }

        if (type is "SavingsPlanCoveredUsage" or "SavingsPlanNegation")
        {
            cells[39] = "arn:aws:savingsplans::" + _payer + ":savingsplan/sp-1";
            cells[40] = type == "SavingsPlanCoveredUsage" ? D(Math.Round(amount * rate * 0.7m, 10)) : "";
        }

        cells[43] = i % 3 == 0 ? "" : i % 3 == 1 ? "prod" : "dev";
        cells[44] = "team-" + I(i % 11);
        return cost;
    }
}
