using System.Globalization;
using System.Text;

namespace Dwcp.Ingest.Tests;

/// <summary>RFC 4180 details: BOM, line ends, quotes, quoted newlines and line numbers, header rules.</summary>
public class CsvParsingTests
{
    private static readonly string[] Header = TestCsv.Mandatory;

    [Fact]
    public void Strips_a_UTF8_byte_order_mark_before_the_header()
    {
        var content = TestCsv.File(Header, [TestCsv.Row("2.5")]);
        var path = TestCsv.Write(content, encoding: new UTF8Encoding(true));
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(path)[..3]);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Single(rows);
        Assert.Equal(2.5m, rows[0].BilledCost);
        Assert.Empty(rows[0].Extensions);
        Assert.Equal(0, report.ErrorCount);
    }

    [Fact]
    public void Reads_CRLF_line_ends_and_counts_lines_right()
    {
        var content = TestCsv.File(Header, [TestCsv.Row("1"), TestCsv.Row("2"), TestCsv.Row("3")], "\r\n");

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal([1m, 2m, 3m], rows.Select(r => r.BilledCost!.Value));
        Assert.Equal([2L, 3L, 4L], rows.Select(r => r.SourceLine));
        Assert.Equal("VMs", rows[2].ServiceName);
    }

    [Fact]
    public void A_file_without_a_final_line_break_keeps_its_last_row()
    {
        var content = TestCsv.File(Header, [TestCsv.Row("1"), TestCsv.Row("2")]).TrimEnd('\n');

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal(2, rows.Count);
        Assert.Equal(0, report.ErrorCount);
    }

    [Fact]
    public void Quoted_newlines_stay_in_the_value_and_rows_report_the_physical_line_where_they_start()
    {
        var multi = TestCsv.Row("1");
        multi["ChargeDescription"] = "line one\nline two\r\nline three";
        var content = TestCsv.File(Header, [TestCsv.Row("0"), multi, TestCsv.Row("2")]);
        // Independent count: line of each record = 1 + newlines before it.
        var lines = content.Split('\n');
        var expectedThird = Array.FindIndex(lines, l => l.StartsWith("2,", StringComparison.Ordinal)) + 1;

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal("line one\nline two\r\nline three", rows[1].ChargeDescription);
        Assert.Equal([2L, 3L, (long)expectedThird], rows.Select(r => r.SourceLine));
        Assert.Equal(6, expectedThird);
    }

    [Fact]
    public void Errors_after_a_quoted_newline_name_the_right_line()
    {
        var multi = TestCsv.Row("1");
        multi["ChargeDescription"] = "a\nb\nc";
        var bad = TestCsv.Row("abc");
        var content = TestCsv.File(Header, [multi, bad]);

        var (_, report) = TestCsv.ReadAll(TestCsv.Write(content));

        var error = Assert.Single(report.Errors);
        Assert.Equal(5, error.Line);
        Assert.Equal("BilledCost", error.Column);
    }

    [Fact]
    public void Doubled_quotes_and_commas_inside_quotes_are_read_as_text()
    {
        var row = TestCsv.Row();
        row["ChargeDescription"] = "He said \"hi\", then left";
        row["ServiceName"] = "\"quoted\"";
        var content = TestCsv.File(Header, [row]);
        Assert.Contains("\"He said \"\"hi\"\", then left\"", content, StringComparison.Ordinal);

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal("He said \"hi\", then left", rows[0].ChargeDescription);
        Assert.Equal("\"quoted\"", rows[0].ServiceName);
    }

    [Fact]
    public void Quoted_numbers_are_numbers()
    {
        var content = TestCsv.File(Header, [TestCsv.Row()]).Replace(",1.50,", ",\"1.50\",", StringComparison.Ordinal);

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal(0, report.ErrorCount);
        Assert.Equal("1.50", rows[0].ListCost!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Header_columns_may_come_in_any_order_with_any_case_and_spaces()
    {
        var shuffled = Header.Reverse().Select((h, i) => i % 3 == 0 ? h.ToUpperInvariant() : i % 3 == 1 ? $"  {h.ToLowerInvariant()} " : h).ToArray();
        var values = TestCsv.Row("7.77");
        var content = string.Join(",", shuffled) + "\n" + TestCsv.Line(shuffled, values) + "\n";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        var row = Assert.Single(rows);
        Assert.Equal(7.77m, row.BilledCost);
        Assert.Equal("acct-1", row.BillingAccountId);
        Assert.Equal(new DateTime(2024, 9, 1, 0, 0, 0, DateTimeKind.Utc), row.ChargePeriodStart);
        Assert.Equal("Compute", row.ServiceCategory);
        Assert.Empty(row.Extensions);
        Assert.Equal(0, report.ErrorCount);
    }

    [Fact]
    public void A_FOCUS_1_0_header_maps_onto_the_1_2_row_with_the_newer_columns_null()
    {
        string[] v10Extra = ["AvailabilityZone", "ChargeFrequency", "CommitmentDiscountCategory", "CommitmentDiscountId",
            "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit",
            "ContractedUnitPrice", "ListUnitPrice", "PricingCategory", "RegionId", "RegionName", "ResourceId", "ResourceName",
            "ResourceType", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags"];
        var header = Header.Concat(v10Extra).ToArray();
        Assert.Equal(43, header.Length);
        var values = TestCsv.Row();
        values["RegionId"] = "eu-west-1";
        values["ChargeFrequency"] = "Usage-Based";
        values["Tags"] = "{\"team\":\"a\"}";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(header, [values])));

        var row = Assert.Single(rows);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal("eu-west-1", row.RegionId);
        Assert.Null(row.InvoiceId);
        Assert.Null(row.BillingAccountType);
        Assert.Null(row.CapacityReservationId);
        Assert.Null(row.PricingCurrencyEffectiveCost);
        Assert.Equal([new("team", "a")], row.NormalizedTags);
    }

    [Fact]
    public void Unknown_columns_go_to_Extensions_under_the_name_as_delivered_and_are_never_dropped()
    {
        var header = Header.Append("x_CostCenter").Append(" Project Code ").ToArray();
        var values = TestCsv.Row();
        values["x_CostCenter"] = "CC-1";
        values["Project Code"] = "NULL";

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(header, [values])));

        var row = Assert.Single(rows);
        Assert.Equal("CC-1", row.Extensions["x_CostCenter"]);
        Assert.Equal("NULL", row.Extensions[" Project Code "]);
        Assert.Equal(2, row.Extensions.Count);
    }

    [Fact]
    public void An_unquoted_empty_cell_is_a_plain_null_and_a_quoted_one_is_counted()
    {
        var header = Header.Append("RegionId").Append("x_note").ToArray();
        var line = TestCsv.Line(Header, TestCsv.Row());
        var content = string.Join(",", header) + "\n" + line + ",,\n" + line + ",\"\",\"\"\n";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.All(rows, r => Assert.Null(r.RegionId));
        Assert.Null(rows[0].Extensions["x_note"]);
        Assert.Equal("", rows[1].Extensions["x_note"]);
        // ChargeClass is an unquoted empty cell on both rows; only the quoted RegionId counts.
        Assert.Equal(1, report.WarningCount(IngestWarningKind.EmptyStringAsNull));
    }

    [Fact]
    public void Blank_lines_between_records_are_skipped_and_counted()
    {
        var content = TestCsv.File(Header, [TestCsv.Row("1"), TestCsv.Row("2")]).Replace("\n2,", "\n\n\n2,", StringComparison.Ordinal);

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal(2, rows.Count);
        Assert.Equal(5, rows[1].SourceLine);
        Assert.Equal(2, report.WarningCount(IngestWarningKind.BlankLineSkipped));
        Assert.Equal(2, report.RowsRead);
    }

    [Fact]
    public void Text_after_a_closing_quote_rejects_the_row()
    {
        var good = TestCsv.Line(Header, TestCsv.Row());
        var bad = good.Replace("Compute hours", "\"Compute\" hours", StringComparison.Ordinal);
        var content = string.Join(",", Header) + "\n" + bad + "\n" + good + "\n";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Single(rows);
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("ChargeDescription", error.Message, StringComparison.Ordinal);
        Assert.Contains("closing quote", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_with_too_many_fields_is_a_row_error()
    {
        var good = TestCsv.Line(Header, TestCsv.Row());
        var content = string.Join(",", Header) + "\n" + good + ",extra\n" + good + "\n";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Single(rows);
        var error = Assert.Single(report.Errors);
        Assert.Equal(2, error.Line);
        Assert.Contains("22 fields but the header has 21", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("truncated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Long_quoted_fields_spanning_many_buffer_refills_are_read_whole()
    {
        var row = TestCsv.Row();
        var longText = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"part {i}, \"q\"\n"));
        row["ChargeDescription"] = longText;
        var content = TestCsv.File(Header, [row, TestCsv.Row("9")]);
        var expectedLine = 2 + longText.Count(c => c == '\n') + 1;

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal(longText, rows[0].ChargeDescription);
        Assert.Equal(expectedLine, rows[1].SourceLine);
    }

    [Theory]
    [InlineData(1, "\n")]
    [InlineData(2, "\r\n")]
    [InlineData(3, "\r\n")]
    public void Random_text_with_quotes_and_line_breaks_reads_back_exactly_across_buffer_refills(int seed, string newline)
    {
        var rnd = new Random(seed);
        string[] pieces = ["a", "bc", ",", "\"", "\"\"", "\n", "\r\n", "\r", " ", "é", "NULL", "x,y", "'"];
        var header = Header.Append("x_text").ToArray();
        var good = TestCsv.Line(Header, TestCsv.Row());
        var sb = new StringBuilder(string.Join(",", header)).Append(newline);
        var expected = new List<(string Text, long Line)>();
        long line = 2;
        for (var i = 0; i < 4000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, rnd.Next(0, 30)).Select(_ => pieces[rnd.Next(pieces.Length)]));
            if (text.Length == 0)
            {
                text = "-";
            }

            var cell = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            sb.Append(good).Append(',').Append(cell).Append(newline);
            expected.Add((text, line));
            line += 1 + text.Count(c => c == '\n');
        }

        Assert.True(sb.Length > 4 * 65536);

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(sb.ToString()));

        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(expected.Select(e => e.Text), rows.Select(r => r.Extensions["x_text"]));
        Assert.Equal(expected.Select(e => e.Line), rows.Select(r => r.SourceLine));
    }

    [Fact]
    public void High_cardinality_columns_keep_every_distinct_value()
    {
        var header = Header.Append("ResourceId").Append("x_id").ToArray();
        var rows = Enumerable.Range(0, 10_000).Select(i =>
        {
            var r = TestCsv.Row();
            r["ResourceId"] = "res-" + (i % 3000).ToString(CultureInfo.InvariantCulture);
            r["x_id"] = i.ToString(CultureInfo.InvariantCulture);
            r["ChargeCategory"] = i % 2 == 0 ? "Usage" : "usage";
            return (IReadOnlyDictionary<string, string>)r;
        }).ToList();

        var (read, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(header, rows)));

        Assert.Equal(rows.Select(r => r["ResourceId"]), read.Select(r => r.ResourceId));
        Assert.Equal(rows.Select(r => r["x_id"]), read.Select(r => r.Extensions["x_id"]));
        Assert.All(read, r => Assert.Equal("Usage", r.ChargeCategory));
        Assert.Equal(5000, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_kept_as_text()
    {
        var content = TestCsv.File(Header, [TestCsv.Row()]).Replace("Compute hours", "12\" pipe", StringComparison.Ordinal);

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal("12\" pipe", Assert.Single(rows).ChargeDescription);
        Assert.Equal(0, report.ErrorCount);
    }

    [Fact]
    public void Lone_CR_line_ends_separate_records()
    {
        var content = TestCsv.File(Header, [TestCsv.Row("1"), TestCsv.Row("2")], "\r");

        var (rows, _) = TestCsv.ReadAll(TestCsv.Write(content));

        Assert.Equal([1m, 2m], rows.Select(r => r.BilledCost!.Value));
        Assert.Equal([2L, 3L], rows.Select(r => r.SourceLine));
    }
}
