using System.Globalization;
using System.IO.Compression;
using Dwcp.Core.Focus;
using Dwcp.Tests;

namespace Dwcp.Ingest.Tests;

/// <summary>FocusCsvWriter output, and write-then-read round trips.</summary>
public class FocusCsvWriterTests
{
    private static void AssertSameValues(FocusRow expected, FocusRow actual)
    {
        Assert.Equal(expected.Strings, actual.Strings);
        Assert.Equal(
            expected.Decimals.Select(d => d?.ToString(CultureInfo.InvariantCulture)),
            actual.Decimals.Select(d => d?.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(expected.DateTimes, actual.DateTimes);
        Assert.Equal(expected.Extensions.OrderBy(kv => kv.Key), actual.Extensions.OrderBy(kv => kv.Key));
        Assert.Equal(expected.NormalizedTags, actual.NormalizedTags);
    }

    private static List<FocusRow> RandomRows(int count, int seed)
    {
        var rnd = new Random(seed);
        // FOCUS strings never hold "" (the reader turns it into null); extensions may.
        var texts = new[] { "plain", "with, comma", "with \"quotes\"", "multi\nline", " padded ", "ünïcödé ✓", "x" };
        var rows = new List<FocusRow>();
        for (var i = 0; i < count; i++)
        {
            var row = new FocusRow();
            foreach (var c in FocusColumns.All)
            {
                if (rnd.Next(5) == 0 && !c.IsMandatory)
                {
                    continue; // null
                }

                switch (c.DataType)
                {
                    case FocusDataType.Decimal:
                        row.Decimals[c.Slot] = new decimal(rnd.Next(), rnd.Next(1000), 0, rnd.Next(2) == 0, (byte)rnd.Next(0, 16));
                        break;
                    case FocusDataType.DateTime:
                        var ticks = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks + (rnd.NextInt64(0, 365L * 24 * 3600) * TimeSpan.TicksPerSecond);
                        row.DateTimes[c.Slot] = new DateTime(ticks + (rnd.Next(3) == 0 ? rnd.Next(10_000_000) : 0), DateTimeKind.Utc);
                        break;
                    case FocusDataType.Json:
                        row.Strings[c.Slot] = "{\"k\": \"v" + rnd.Next(3) + "\", \"n\": 1}";
                        break;
                    default:
                        row.Strings[c.Slot] = c.Name switch
                        {
                            "ChargeCategory" => "Usage",
                            "ChargeClass" => "Correction",
                            "ChargeFrequency" => "Recurring",
                            "PricingCategory" => "Committed",
                            "CommitmentDiscountCategory" => "Spend",
                            "CommitmentDiscountStatus" or "CapacityReservationStatus" => "Unused",
                            "ServiceCategory" => "Storage",
                            _ => texts[rnd.Next(texts.Length)],
                        };
                        break;
                }
            }

            if (row.Tags is { } tags)
            {
                row.NormalizedTags = [new("k", "v" + tags[8]), new("n", "1")];
            }

            row.Extensions["x_one"] = rnd.Next(4) switch { 0 => null, 1 => "", _ => texts[rnd.Next(texts.Length)] };
            row.Extensions["x two"] = i.ToString(CultureInfo.InvariantCulture);
            rows.Add(row);
        }

        return rows;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rows_written_and_read_back_have_identical_values(bool gzip)
    {
        var rows = RandomRows(300, seed: 7);
        var path = Path.Combine(RepoPaths.NewTempDir(), gzip ? "out.csv.gz" : "out.csv");
        using (var writer = new FocusCsvWriter(path, ["x_one", "x two"], gzip))
        {
            writer.WriteAll(rows);
            Assert.Equal(300, writer.RowsWritten);
        }

        var (read, report) = TestCsv.ReadAll(path);

        Assert.Equal(gzip ? IngestFormat.CsvGzip : IngestFormat.Csv, report.FormatDetected);
        Assert.Equal(0, report.ErrorCount);
        Assert.Equal(rows.Count, read.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            AssertSameValues(rows[i], read[i]);
        }
    }

    [Fact]
    public void The_sample_written_as_FOCUS_1_2_reads_back_to_the_same_values_without_its_quirks()
    {
        var (sample, _) = TestCsv.ReadAll(RepoPaths.FocusSample);
        var path = Path.Combine(RepoPaths.NewTempDir(), "sample12.csv");
        using (var writer = new FocusCsvWriter(path, ["Id"]))
        {
            writer.WriteAll(sample);
        }

        var (read, report) = TestCsv.ReadAll(path);

        Assert.Equal(1000, read.Count);
        for (var i = 0; i < read.Count; i++)
        {
            AssertSameValues(sample[i], read[i]);
        }

        Assert.Equal(0, report.WarningCount(IngestWarningKind.NullLiteral));
        Assert.Equal(0, report.WarningCount(IngestWarningKind.TimestampWithoutTimeZone));
        Assert.Equal(0, report.WarningCount(IngestWarningKind.AllowedValueCaseFixed));
        Assert.Equal(0, report.WarningCount(IngestWarningKind.EmptyStringAsNull));
    }

    [Fact]
    public void Output_has_the_57_columns_in_catalogue_order_ISO_timestamps_and_empty_nulls()
    {
        var row = new FocusRow
        {
            BilledCost = 0.00000080000m,
            ChargePeriodStart = new DateTime(2024, 9, 1, 22, 0, 0, DateTimeKind.Utc),
            ChargeDescription = "a, \"b\"",
            ServiceName = "",
        };
        row.Extensions["x_a"] = "1";
        using var ms = new MemoryStream();
        using (var writer = new FocusCsvWriter(ms, ["x_a"], leaveOpen: true))
        {
            writer.Write(row);
        }

        var lines = System.Text.Encoding.UTF8.GetString(ms.ToArray()).Split('\n');

        Assert.Equal(string.Join(",", FocusColumns.All.Select(c => c.Name)) + ",x_a", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        var expected = new string[58];
        Array.Fill(expected, "");
        expected[FocusColumns.BilledCostOrdinal] = "0.00000080000";
        expected[FocusColumns.ChargePeriodStartOrdinal] = "2024-09-01T22:00:00Z";
        expected[FocusColumns.ChargeDescriptionOrdinal] = "\"a, \"\"b\"\"\"";
        expected[FocusColumns.ServiceNameOrdinal] = "\"\"";
        expected[57] = "1";
        Assert.Equal(string.Join(",", expected), lines[1]);
    }

    [Fact]
    public void Gzip_output_is_a_valid_gzip_stream()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "g.csv.gz");
        using (var writer = new FocusCsvWriter(path, gzip: true))
        {
            writer.Write(new FocusRow { BilledCost = 1m });
        }

        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var text = new StreamReader(gz);
        Assert.StartsWith("AvailabilityZone,BilledCost,", text.ReadLine(), StringComparison.Ordinal);
        Assert.StartsWith(",1,", text.ReadLine(), StringComparison.Ordinal);
        Assert.Null(text.ReadLine());
    }

    [Fact]
    public void Extension_names_that_clash_with_FOCUS_columns_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new FocusCsvWriter(new MemoryStream(), ["billedcost"]));
    }

    [Fact]
    public void Sha256Hex_hashes_the_bytes_of_a_file()
    {
        var path = TestCsv.Write("abc");

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileHasher.Sha256Hex(path));
    }
}
