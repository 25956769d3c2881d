using System.IO.Compression;
using System.Text;
using Dwcp.Tests;

namespace Dwcp.Ingest.Tests;

/// <summary>Format detection by content, gzip, and files that were cut off.</summary>
public class FormatAndTruncationTests
{
    private static string Gzip(byte[] content, string name)
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), name);
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            gz.Write(content);
        }

        return path;
    }

    [Theory]
    [InlineData("focus.csv")]
    [InlineData("focus.csv.gz")]
    [InlineData("export")]
    public void Reads_gzip_by_its_magic_bytes_whatever_the_name(string name)
    {
        var path = Gzip(File.ReadAllBytes(RepoPaths.FocusSample), name);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal(IngestFormat.CsvGzip, report.FormatDetected);
        Assert.Equal(1000, rows.Count);
        Assert.Equal(0, report.ErrorCount);
        var (plain, _) = TestCsv.ReadAll(RepoPaths.FocusSample);
        Assert.Equal(plain.Sum(r => r.BilledCost!.Value), rows.Sum(r => r.BilledCost!.Value));
    }

    [Fact]
    public void A_plain_CSV_named_gz_is_read_as_CSV()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "focus.csv.gz");
        File.Copy(RepoPaths.FocusSample, path);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal(IngestFormat.Csv, report.FormatDetected);
        Assert.Equal(1000, rows.Count);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(3)]
    [InlineData(2)]
    public void A_truncated_gzip_stream_is_fatal_and_says_the_file_looks_truncated(int divisor)
    {
        var full = File.ReadAllBytes(Gzip(File.ReadAllBytes(RepoPaths.FocusSample), "full.csv.gz"));
        var path = Path.Combine(RepoPaths.NewTempDir(), "cut.csv.gz");
        File.WriteAllBytes(path, full[..(full.Length - (full.Length / divisor))]);

        var ex = Assert.Throws<IngestException>(() => TestCsv.ReadAll(path));

        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.Error.File);
    }

    [Fact]
    public void A_gzip_stream_missing_only_its_trailer_is_fatal()
    {
        var full = File.ReadAllBytes(Gzip(File.ReadAllBytes(RepoPaths.FocusSample), "full.csv.gz"));
        var path = Path.Combine(RepoPaths.NewTempDir(), "cut.csv.gz");
        File.WriteAllBytes(path, full[..^4]);

        using var reader = FocusFileReader.Open(path);
        var rows = new List<Dwcp.Core.Focus.FocusRow>();
        var ex = Assert.Throws<IngestException>(() =>
        {
            foreach (var row in reader.ReadRows())
            {
                rows.Add(row);
            }
        });

        Assert.Contains("looks truncated", ex.Message, StringComparison.Ordinal);
        Assert.Same(ex.Error, reader.Report.FatalError);
    }

    [Fact]
    public void A_CSV_cut_in_the_middle_of_a_record_reports_the_last_record_as_possibly_truncated()
    {
        var content = File.ReadAllText(RepoPaths.FocusSample);
        var lastLineStart = content.TrimEnd('\n').LastIndexOf('\n') + 1;
        // Cut after the 10th field of the last record: outside any quote.
        var cut = lastLineStart;
        for (var commas = 0; commas < 10; cut++)
        {
            if (content[cut] == ',')
            {
                commas++;
            }
        }

        var path = TestCsv.Write(content[..cut]);

        var (rows, report) = TestCsv.ReadAll(path);

        Assert.Equal(999, rows.Count);
        var error = Assert.Single(report.Errors);
        Assert.Equal(1001, error.Line);
        Assert.Contains("may be truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("11 fields but the header has 44", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CSV_cut_inside_a_quoted_field_is_fatal_and_names_the_line()
    {
        var content = File.ReadAllText(RepoPaths.FocusSample);
        var lastLineStart = content.TrimEnd('\n').LastIndexOf('\n') + 1;
        // Three characters into the first quoted field that is not the first field of the record.
        var cut = content.IndexOf(",\"", lastLineStart, StringComparison.Ordinal) + 5;
        Assert.True(cut > lastLineStart + 5);
        Assert.NotEqual('"', content[cut - 1]);
        var path = TestCsv.Write(content[..cut]);

        var ex = Assert.Throws<IngestException>(() => TestCsv.ReadAll(path));

        Assert.Equal(1001, ex.Error.Line);
        Assert.Contains("never closed", ex.Message, StringComparison.Ordinal);
        Assert.Contains("looks truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_file_is_fatal_and_says_it_is_not_a_CSV_or_Parquet_file()
    {
        var bytes = new byte[20_000];
        new Random(42).NextBytes(bytes);
        bytes[0] = (byte)'A';
        var path = Path.Combine(RepoPaths.NewTempDir(), "focus.csv");
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Contains("not a CSV, CSV.gz or Parquet file", ex.Message, StringComparison.Ordinal);
        Assert.Equal(path, ex.Error.File);
        Assert.NotNull(ex.Error.Hint);
    }

    [Fact]
    public void A_zip_archive_is_rejected_as_binary()
    {
        var dir = RepoPaths.NewTempDir();
        var path = Path.Combine(dir, "focus.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            zip.CreateEntryFromFile(RepoPaths.FocusSample, "focus.csv");
        }

        var ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));

        Assert.Contains("binary data", ex.Message, StringComparison.Ordinal);
        Assert.Contains(".zip must be extracted", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_and_a_missing_file_are_fatal_with_a_clear_message()
    {
        var empty = TestCsv.Write("");
        var missing = Path.Combine(RepoPaths.NewTempDir(), "nope.csv");

        var e1 = Assert.Throws<IngestException>(() => FocusFileReader.Open(empty));
        var e2 = Assert.Throws<IngestException>(() => FocusFileReader.Open(missing));

        Assert.Contains("empty", e1.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_UTF16_file_with_a_byte_order_mark_is_decoded()
    {
        var path = TestCsv.Write(TestCsv.File(TestCsv.Mandatory, [TestCsv.Row("4.5")]), encoding: new UnicodeEncoding(false, true));

        var (rows, _) = TestCsv.ReadAll(path);

        Assert.Equal(4.5m, Assert.Single(rows).BilledCost);
    }

    [Fact]
    public void A_single_100_MB_line_fails_fast_without_buffering_it()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "huge.csv");
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            var chunk = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("abcdefghi,", 100_000)));
            for (var written = 0L; written < 100_000_000; written += chunk.Length)
            {
                fs.Write(chunk);
            }
        }

        Assert.True(new FileInfo(path).Length >= 100_000_000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        IngestException ex;
        try
        {
            ex = Assert.Throws<IngestException>(() => FocusFileReader.Open(path));
        }
        finally
        {
            File.Delete(path);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, ex.Error.Line);
        Assert.Contains("longer than 1,048,576 characters", ex.Message, StringComparison.Ordinal);
        // Reading the whole line would take 200 MB of chars; the reader stops at about 1 M chars.
        Assert.True(allocated < 24_000_000, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void An_unclosed_quote_in_the_middle_of_a_file_hits_the_record_limit_and_says_so()
    {
        var good = TestCsv.Line(TestCsv.Mandatory, TestCsv.Row());
        var sb = new StringBuilder(string.Join(",", TestCsv.Mandatory)).Append('\n');
        sb.Append(good.Replace("Compute hours", "\"Compute hours", StringComparison.Ordinal)).Append('\n');
        for (var i = 0; i < 40_000; i++)
        {
            sb.Append(good).Append('\n');
        }

        var path = TestCsv.Write(sb.ToString());
        using var reader = FocusFileReader.Open(path, new FocusReaderOptions { MaxRecordChars = 100_000 });

        var ex = Assert.Throws<IngestException>(() => reader.ReadRows().ToList());

        Assert.Equal(2, ex.Error.Line);
        Assert.Contains("longer than 100,000 characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("quoted field", ex.Message, StringComparison.Ordinal);
    }
}
