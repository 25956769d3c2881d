using System.Globalization;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;
using Parquet;
using Parquet.Schema;

namespace Dwcp.Ingest.Tests;

/// <summary>Parquet files written here with Parquet.Net, read back through the same header and value rules.</summary>
public class ParquetTests
{
    private static readonly DateTime Sep1 = new(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>One column to write: its schema field and its values for each row group.</summary>
    private sealed record Col(Field Field, Func<int, Array> Values, Func<int, int[]>? Repetition = null);

    private static string WriteParquet(IReadOnlyList<Col> columns, int groups, string name = "focus.parquet")
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), name);
        var schema = new ParquetSchema(columns.Select(c => c.Field).ToArray());
        Task.Run(async () =>
        {
            await using var fs = File.Create(path);
            await using var writer = await ParquetWriter.CreateAsync(schema, fs);
            for (var g = 0; g < groups; g++)
            {
                using var rg = writer.CreateRowGroup();
                foreach (var c in columns)
                {
                    await WriteColumn(rg, c, g);
                }
            }
        }).GetAwaiter().GetResult();
        return path;
    }

    private static async Task WriteColumn(ParquetRowGroupWriter rg, Col c, int g)
    {
        switch (c.Field, c.Values(g))
        {
            case (MapField map, string?[] pairs):
                // pairs = alternating keys and values, repetition levels from c.Repetition
                var keys = pairs.Where((_, i) => i % 2 == 0).ToArray();
                var values = pairs.Where((_, i) => i % 2 == 1).ToArray();
                await rg.WriteAsync((DataField)map.Key, keys!, c.Repetition!(g));
                await rg.WriteAsync((DataField)map.Value, values!, c.Repetition!(g));
                break;
            case (DataField f, string?[] s):
                await rg.WriteAsync(f, s!);
                break;
            case (DataField f, decimal?[] d):
                await rg.WriteAsync<decimal>(f, d);
                break;
            case (DataField f, double?[] d):
                await rg.WriteAsync<double>(f, d);
                break;
            case (DataField f, long?[] l):
                await rg.WriteAsync<long>(f, l);
                break;
            case (DataField f, int?[] n):
                await rg.WriteAsync<int>(f, n);
                break;
            case (DataField f, bool?[] b):
                await rg.WriteAsync<bool>(f, b);
                break;
            case (DataField f, DateTime?[] t):
                await rg.WriteAsync<DateTime>(f, t);
                break;
            default:
                throw new NotSupportedException(c.Field.Name);
        }
    }

    /// <summary>Mandatory columns with typed values; 3 rows per group, BilledCost = group * 10 + row + 0.125.</summary>
    private static List<Col> TypedColumns()
    {
        static T[] Rows<T>(Func<int, T> f) => [f(0), f(1), f(2)];
        return
        [
            new(new DecimalDataField("BilledCost", 38, 15), g => Rows<decimal?>(r => (g * 10) + r + 0.125m)),
            new(new DataField<string>("billingaccountid"), _ => Rows<string?>(_ => "acct")),
            new(new DataField<string>("BillingAccountName"), _ => Rows<string?>(r => r == 1 ? null : "Main")),
            new(new DataField<string>("BillingCurrency"), _ => Rows<string?>(_ => "EUR")),
            new(new DateTimeDataField("BillingPeriodEnd", DateTimeFormat.Timestamp), _ => Rows<DateTime?>(_ => Sep1.AddMonths(1))),
            new(new DateTimeDataField("BillingPeriodStart", DateTimeFormat.DateAndTime), _ => Rows<DateTime?>(_ => Sep1)),
            new(new DataField<string>("ChargeCategory"), _ => Rows<string?>(_ => "usage")),
            new(new DataField<string>("ChargeClass"), _ => Rows<string?>(_ => null)),
            new(new DataField<string>("ChargeDescription"), _ => Rows<string?>(r => $"desc {r}")),
            new(new DataField<string>("ChargePeriodEnd"), _ => Rows<string?>(r => $"2024-09-0{r + 2}T00:00:00Z")),
            new(new DateTimeDataField("ChargePeriodStart", DateTimeFormat.Date), _ => Rows<DateTime?>(r => Sep1.AddDays(r))),
            new(new DataField<long?>("ContractedCost"), _ => Rows<long?>(r => r)),
            new(new DataField<double?>("EffectiveCost"), _ => Rows<double?>(r => 0.1 * (r + 1))),
            new(new DataField<string>("InvoiceIssuerName"), _ => Rows<string?>(_ => "Issuer")),
            new(new DataField<string>("ListCost"), _ => Rows<string?>(_ => "1.50")),
            new(new DataField<int?>("PricingQuantity"), _ => Rows<int?>(r => r == 2 ? null : 5)),
            new(new DataField<string>("PricingUnit"), _ => Rows<string?>(_ => "Hours")),
            new(new DataField<string>("ProviderName"), _ => Rows<string?>(_ => "Cloud")),
            new(new DataField<string>("PublisherName"), _ => Rows<string?>(_ => "Cloud")),
            new(new DataField<string>("ServiceCategory"), _ => Rows<string?>(_ => "Compute")),
            new(new DataField<string>("ServiceName"), _ => Rows<string?>(_ => "VMs")),
            new(new DataField<long?>("x_id"), g => Rows<long?>(r => (g * 100) + r)),
            new(new DataField<bool?>("x_flag"), _ => Rows<bool?>(r => r == 0 ? null : r == 1)),
            new(new MapField("Tags", new DataField<string>("key", false), new DataField<string>("value")),
                // row 0: two entries; row 1: one entry with a null value; row 2: an empty map (a null key)
                _ => new string?[] { "env", "prod", " team", "a\"b", "k", null, null, null },
                _ => [0, 1, 0, 0]),
        ];
    }

    [Fact]
    public void Reads_a_parquet_file_with_typed_columns_row_group_by_row_group()
    {
        var path = WriteParquet(TypedColumns(), groups: 2, name: "focus.csv");

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal(IngestFormat.Parquet, report.FormatDetected);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(6, rows.Count);
        Assert.Equal([0.125m, 1.125m, 2.125m, 10.125m, 11.125m, 12.125m], rows.Select(r => r.BilledCost!.Value));
        Assert.Equal([1L, 2, 3, 4, 5, 6], rows.Select(r => r.SourceLine));
        var r1 = rows[1];
        Assert.Equal("acct", r1.BillingAccountId);
        Assert.Null(r1.BillingAccountName);
        Assert.Equal(Sep1.AddMonths(1), r1.BillingPeriodEnd);
        Assert.Equal(Sep1, r1.BillingPeriodStart);
        Assert.Equal(Sep1.AddDays(1), r1.ChargePeriodStart);
        Assert.Equal(new DateTime(2024, 9, 3, 0, 0, 0, DateTimeKind.Utc), r1.ChargePeriodEnd);
        Assert.All(rows, r => Assert.Equal(DateTimeKind.Utc, r.BillingPeriodEnd!.Value.Kind));
        Assert.Equal("Usage", r1.ChargeCategory);
        Assert.Equal(1m, r1.ContractedCost);
        Assert.Equal(0.2m, r1.EffectiveCost);
        Assert.Equal("1.50", r1.ListCost!.Value.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(5m, r1.PricingQuantity);
        Assert.Null(rows[2].PricingQuantity);
        Assert.Equal("101", rows[4].Extensions["x_id"]);
        Assert.Equal([null, "true", "false"], rows.Take(3).Select(r => r.Extensions["x_flag"]));
        Assert.Equal(6, report.WarningCount(IngestWarningKind.FloatingPointConverted));
        Assert.Equal(6, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
    }

    [Fact]
    public void A_map_of_strings_becomes_JSON_Tags_with_NormalizedTags()
    {
        var path = WriteParquet(TypedColumns(), groups: 1);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal("{\"env\":\"prod\",\" team\":\"a\\\"b\"}", rows[0].Tags);
        Assert.Equal([new("env", "prod"), new("team", "a\"b")], rows[0].NormalizedTags);
        Assert.Equal("{\"k\":null}", rows[1].Tags);
        Assert.Equal([new("k", "null")], rows[1].NormalizedTags);
        Assert.Equal("{}", rows[2].Tags);
        Assert.Empty(rows[2].NormalizedTags);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.TagKeyTrimmed));
    }

    [Fact]
    public void A_bad_parquet_value_is_a_row_error_naming_row_group_row_and_column()
    {
        var columns = TypedColumns();
        var i = columns.FindIndex(c => c.Field.Name == "ListCost");
        columns[i] = new(new DataField<string>("ListCost"), g => g == 1 ? new string?[] { "1", "abc", "2" } : new string?[] { "1", "1", "1" });
        var path = WriteParquet(columns, groups: 2);
        var sidecar = Path.Combine(Path.GetDirectoryName(path)!, "rejected.csv");

        var (rows, report) = TestCsv.ReadAll(path, new FocusReaderOptions { SkipInvalidRows = true, RejectedRowsPath = sidecar });

        Assert.Equal(5, rows.Count);
        var e = Assert.Single(report.Errors);
        Assert.Equal((1, 1L, "ListCost", "abc", 0L), (e.RowGroup, e.Row, e.Column, e.Value, e.Line));
        Assert.StartsWith($"{path} row group 1, row 1, column ListCost: 'abc' is not a number.", e.ToString(), StringComparison.Ordinal);
        var lines = File.ReadAllLines(sidecar);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("5,ListCost: 'abc' is not a number.,11.125,acct,,EUR,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void A_parquet_file_without_a_mandatory_column_is_fatal()
    {
        var columns = TypedColumns().Where(c => c.Field.Name != "EffectiveCost").ToList();
        var path = WriteParquet(columns, groups: 1);

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Contains("missing 1 mandatory FOCUS column: EffectiveCost.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parquet_column_of_an_unusable_type_is_fatal_and_named()
    {
        var columns = TypedColumns();
        var i = columns.FindIndex(c => c.Field.Name == "BilledCost");
        columns[i] = new(new DateTimeDataField("BilledCost", DateTimeFormat.DateAndTime), _ => new DateTime?[] { Sep1, Sep1, Sep1 });
        var path = WriteParquet(columns, groups: 1);

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Equal("BilledCost", ex.Error.Column);
        Assert.Contains("cannot hold a decimal number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_parquet_file_is_fatal()
    {
        var full = File.ReadAllBytes(WriteParquet(TypedColumns(), groups: 2));
        var path = Path.Combine(RepoPaths.NewTempDir(), "cut.parquet");
        File.WriteAllBytes(path, full[..(full.Length / 2)]);

        var ex = Assert.Throws<IngestException>(() => TestCsv.ReadAll(path));

        Assert.Contains("truncated or corrupt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_sample_converted_to_parquet_reads_to_the_same_sums()
    {
        using var parser = new TextFieldParser(RepoPaths.FocusSample) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var raw = new List<string[]>();
        while (!parser.EndOfData)
        {
            raw.Add(parser.ReadFields()!);
        }

        var columns = header.Select((h, i) => new Col(new DataField<string>(h), _ => raw.Select(r => r[i] == "NULL" ? null : r[i]).ToArray())).ToList();
        var path = WriteParquet(columns, groups: 1);
        var billed = Array.IndexOf(header, "BilledCost");
        var expected = raw.Sum(r => decimal.Parse(r[billed], CultureInfo.InvariantCulture));

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal(1000, rows.Count);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(expected, rows.Sum(r => r.BilledCost!.Value));
        Assert.Equal(7, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
        Assert.Equal(raw.Select(r => r[Array.IndexOf(header, "Id")]), rows.Select(r => r.Extensions["Id"]));
    }

    [Fact]
    public void Parquet_timestamps_without_a_time_zone_are_taken_as_UTC_and_counted()
    {
        var columns = TypedColumns();
        var i = columns.FindIndex(c => c.Field.Name == "BillingPeriodStart");
        var naive = DateTime.SpecifyKind(Sep1.AddHours(5), DateTimeKind.Unspecified);
        columns[i] = new(new DataField<DateTime?>("BillingPeriodStart"), _ => new DateTime?[] { naive, naive, naive });
        var path = WriteParquet(columns, groups: 1);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.All(rows, r => Assert.Equal(Sep1.AddHours(5), r.BillingPeriodStart));
        Assert.All(rows, r => Assert.Equal(DateTimeKind.Utc, r.BillingPeriodStart!.Value.Kind));
        Assert.Equal(3, report.WarningCount(IngestWarningKind.TimestampWithoutTimeZone));
    }
}
