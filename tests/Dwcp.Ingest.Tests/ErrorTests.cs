using System.Globalization;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Ingest.Tests;

/// <summary>Header errors (fatal), row errors (reported, row skipped) and the rejected-rows sidecar.</summary>
public class ErrorTests
{
    private static readonly string[] Header = TestCsv.Mandatory;

    [Fact]
    public void A_missing_mandatory_column_is_fatal_and_every_missing_column_is_listed()
    {
        var header = Header.Where(h => h is not "BilledCost" and not "ServiceName").ToArray();
        var path = TestCsv.Write(TestCsv.File(header, [TestCsv.Row()]));

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Equal(1, ex.Error.Line);
        Assert.Equal(path, ex.Error.File);
        Assert.Contains("missing 2 mandatory FOCUS columns: BilledCost, ServiceName.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1.0, 1.1 and 1.2", ex.Error.Hint, StringComparison.Ordinal);
        Assert.StartsWith($"{path} line 1: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_column_is_fatal_even_in_another_case()
    {
        var header = Header.Append(" billedcost").ToArray();
        var path = TestCsv.Write(TestCsv.File(header, [TestCsv.Row()]));

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Equal(1, ex.Error.Line);
        Assert.Contains("twice", ex.Message, StringComparison.Ordinal);
        Assert.Contains("columns 1 and 22", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_numeric_cost_is_a_row_error_with_file_line_column_and_value()
    {
        var path = TestCsv.Write(TestCsv.File(Header, [TestCsv.Row("1"), TestCsv.Row("2"), TestCsv.Row("abc"), TestCsv.Row("4")]));

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal([1m, 2m, 4m], rows.Select(r => r.BilledCost!.Value));
        Assert.Equal(4, report.RowsRead);
        Assert.Equal(1, report.RowsRejected);
        var e = Assert.Single(report.Errors);
        Assert.Equal((path, 4L, "BilledCost", "abc"), (e.File, e.Line, e.Column, e.Value));
        Assert.Equal(
            $"{path} line 4, column BilledCost: 'abc' is not a number. Fix the value or re-run with --skip-invalid-rows to load the other rows.",
            e.ToString());
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-3", "-3")]
    [InlineData("1E-05", "0.00001")]
    [InlineData(" 2.50 ", "2.50")]
    [InlineData("0.000000000000001", "0.000000000000001")]
    [InlineData("12345678901234567890.123", "12345678901234567890.123")]
    [InlineData("+7", "7")]
    public void Numbers_are_read_in_invariant_culture_with_full_precision(string text, string expected)
    {
        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [TestCsv.Row(text)])));

        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(expected, rows[0].BilledCost!.Value.ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("1,5")]
    [InlineData("12abc")]
    [InlineData("NaN")]
    [InlineData("1e400")]
    [InlineData("$1.00")]
    [InlineData("-")]
    public void Text_that_is_not_an_invariant_number_is_rejected(string text)
    {
        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [TestCsv.Row(text)])));

        Assert.Empty(rows);
        Assert.Equal(text, Assert.Single(report.Errors).Value);
    }

    [Fact]
    public void An_unparseable_date_is_a_row_error_naming_the_column()
    {
        var bad = TestCsv.Row();
        bad["ChargePeriodStart"] = "31/09/2024";
        var impossible = TestCsv.Row();
        impossible["BillingPeriodEnd"] = "2024-02-30T00:00:00Z";
        var path = TestCsv.Write(TestCsv.File(Header, [bad, TestCsv.Row(), impossible]));

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Single(rows);
        Assert.Equal(2, report.ErrorCount);
        Assert.Equal(("ChargePeriodStart", 2L, "31/09/2024"), (report.Errors[0].Column, report.Errors[0].Line, report.Errors[0].Value));
        Assert.Equal(("BillingPeriodEnd", 4L), (report.Errors[1].Column, report.Errors[1].Line));
        Assert.Contains("is not a date-time", report.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BilledCost")]
    [InlineData("BillingCurrency")]
    [InlineData("ChargePeriodEnd")]
    [InlineData("BillingAccountId")]
    public void A_null_in_a_column_needed_for_reconciliation_rejects_the_row(string column)
    {
        var row = TestCsv.Row();
        row[column] = "NULL";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [row])));

        Assert.Empty(rows);
        var e = Assert.Single(report.Errors);
        Assert.Equal(column, e.Column);
        Assert.Contains("must not be null", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ProviderName")]
    [InlineData("ServiceCategory")]
    [InlineData("InvoiceIssuerName")]
    [InlineData("ContractedCost")]
    public void A_null_in_other_non_nullable_columns_is_only_a_warning(string column)
    {
        var row = TestCsv.Row();
        row[column] = "";

        var (rows, report) = TestCsv.ReadAll(TestCsv.Write(TestCsv.File(Header, [row])));

        Assert.Single(rows);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(1, report.WarningCount(IngestWarningKind.NullInNonNullableColumn));
        Assert.Equal(column, report.Warnings[IngestWarningKind.NullInNonNullableColumn].FirstColumn);
    }

    [Fact]
    public void Without_skip_reading_stops_after_MaxErrors_errors()
    {
        var rows = Enumerable.Range(0, 50).Select(i => TestCsv.Row(i % 2 == 0 ? "bad" : "1")).ToList();
        var path = TestCsv.Write(TestCsv.File(Header, rows));

        var (good, report) = TestCsv.ReadAll(path, new FocusReaderOptions { MaxErrors = 5 });

        Assert.True(report.StoppedEarly);
        Assert.Equal(5, report.ErrorCount);
        Assert.Equal(5, report.Errors.Count);
        Assert.Equal(4, good.Count);
        Assert.Equal(10, report.Errors[^1].Line);
    }

    [Fact]
    public void With_skip_all_rows_are_read_errors_are_counted_beyond_MaxErrors_and_good_rows_are_yielded()
    {
        var rows = Enumerable.Range(0, 50).Select(i => TestCsv.Row(i % 2 == 0 ? "bad" : i.ToString(CultureInfo.InvariantCulture))).ToList();
        var path = TestCsv.Write(TestCsv.File(Header, rows));

        var (good, report) = TestCsv.ReadAll(path, new FocusReaderOptions { SkipInvalidRows = true, MaxErrors = 5 });

        Assert.False(report.StoppedEarly);
        Assert.Equal(25, report.ErrorCount);
        Assert.Equal(5, report.Errors.Count);
        Assert.Equal(25, good.Count);
        Assert.Equal(Enumerable.Range(0, 50).Where(i => i % 2 == 1).Sum(), good.Sum(r => r.BilledCost!.Value));
    }

    [Fact]
    public void Skip_invalid_rows_writes_the_rejected_rows_with_line_and_reasons_to_the_sidecar()
    {
        var header = Header.Append("x_note").ToArray();
        var bad1 = TestCsv.Row("abc");
        bad1["x_note"] = "has, comma and \"quote\"";
        var bad2 = TestCsv.Row("2");
        bad2["ChargePeriodStart"] = "yesterday";
        bad2["BillingCurrency"] = "NULL";
        var good = TestCsv.Row("3");
        var path = TestCsv.Write(TestCsv.File(header, [bad1, good, bad2]));
        var sidecar = Path.Combine(Path.GetDirectoryName(path)!, "rejected", "focus.rejected.csv");

        var (rows, report) = TestCsv.ReadAll(path, new FocusReaderOptions { SkipInvalidRows = true, RejectedRowsPath = sidecar });

        Assert.Equal(3m, Assert.Single(rows).BilledCost);
        Assert.Equal(sidecar, report.RejectedRowsFile);
        using var parser = new TextFieldParser(sidecar) { HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var sideHeader = parser.ReadFields()!;
        Assert.Equal(new[] { "_dwcp_line", "_dwcp_error" }.Concat(header), sideHeader);
        var r1 = parser.ReadFields()!;
        var r2 = parser.ReadFields()!;
        Assert.True(parser.EndOfData);
        Assert.Equal("2", r1[0]);
        Assert.Equal("BilledCost: 'abc' is not a number.", r1[1]);
        Assert.Equal(TestCsv.Line(header, bad1), TestCsv.Line(header, header.Select((h, i) => (h, r1[i + 2])).ToDictionary()));
        Assert.Equal("has, comma and \"quote\"", r1[^1]);
        Assert.Equal("4", r2[0]);
        Assert.Contains("BillingCurrency: The value is missing", r2[1], StringComparison.Ordinal);
        Assert.Contains("ChargePeriodStart: 'yesterday' is not a date-time", r2[1], StringComparison.Ordinal);
        Assert.Equal("NULL", r2[2 + Array.IndexOf(header, "BillingCurrency")]);
    }

    [Fact]
    public void No_sidecar_is_created_when_no_row_is_rejected()
    {
        var path = TestCsv.Write(TestCsv.File(Header, [TestCsv.Row()]));
        var sidecar = Path.Combine(Path.GetDirectoryName(path)!, "rejected.csv");

        var (_, report) = TestCsv.ReadAll(path, new FocusReaderOptions { SkipInvalidRows = true, RejectedRowsPath = sidecar });

        Assert.False(File.Exists(sidecar));
        Assert.Null(report.RejectedRowsFile);
    }

    [Fact]
    public void ReadRows_can_only_be_enumerated_once()
    {
        using var reader = FocusFileReader.Open(TestCsv.Write(TestCsv.File(Header, [TestCsv.Row()])));
        _ = reader.ReadRows().ToList();

        Assert.Throws<InvalidOperationException>(() => reader.ReadRows());
    }

    [Fact]
    public void Cancellation_stops_reading()
    {
        var path = TestCsv.Write(TestCsv.File(Header, Enumerable.Range(0, 5000).Select(_ => TestCsv.Row())));
        using var cts = new CancellationTokenSource();
        using var reader = FocusFileReader.Open(path);
        var count = 0;

        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var _ in reader.ReadRows(cts.Token))
            {
                if (++count == 100)
                {
                    cts.Cancel();
                }
            }
        });
        Assert.InRange(count, 100, 2048);
    }
}
