using System.Globalization;
using System.IO.Compression;
using Dwcp.Cost.Ingestion;
using Dwcp.Ingest;
using Dwcp.Storage;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Cost.Tests;

/// <summary>Importing billing files as one delivery: all of it lands, or (with a rejected file) none of it.</summary>
public sealed class BillingImporterTests : StoreTestBase
{
    private static readonly DateOnly Year2024Start = new(2024, 1, 1);
    private static readonly DateOnly Year2024End = new(2024, 12, 31);

    private readonly string _work = RepoPaths.NewTempDir("dwcp-import");

    private string RejectedDir => Path.Combine(DataDir, "rejected");

    private ImportOptions Options(bool skipInvalidRows = false) => new() { RejectedDir = RejectedDir, SkipInvalidRows = skipInvalidRows };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>Sum of BilledCost and number of rows whose BilledCost is a number, read with VisualBasic's CSV parser.</summary>
    private static (decimal Billed, int Rows, int Unparsable) SumBilled(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields()!;
        var cost = Array.IndexOf(header, "BilledCost");
        Assert.True(cost >= 0);
        decimal sum = 0;
        int rows = 0, bad = 0;
        while (!parser.EndOfData)
        {
            var f = parser.ReadFields()!;
            if (decimal.TryParse(f[cost], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                sum += v;
                rows++;
            }
            else
            {
                bad++;
            }
        }

        return (sum, rows, bad);
    }

    private async Task<(decimal Billed, long Rows)> StoreTotal()
    {
        var totals = await Store.TotalsAsync(Year2024Start, Year2024End, []);
        return (totals.Sum(t => t.BilledCost), totals.Sum(t => t.RowCount));
    }

    /// <summary>The sample with the BilledCost of the record on physical line <paramref name="line"/> replaced.</summary>
    private string SampleWithBadCost(string name, int line, string value)
    {
        var lines = File.ReadAllLines(RepoPaths.FocusSample);
        var fields = lines[line - 1].Split(',', 3);
        Assert.Equal("NULL", fields[0]); // AvailabilityZone: no comma before BilledCost on this line
        Assert.True(decimal.TryParse(fields[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _));
        lines[line - 1] = string.Join(',', fields[0], value, fields[2]);
        var path = Path.Combine(_work, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>The sample with one account renamed, so that its rows are a different partition.</summary>
    private string SampleForOtherAccount(string name)
    {
        var path = Path.Combine(_work, name);
        File.WriteAllLines(path, File.ReadAllLines(RepoPaths.FocusSample)
            .Select(l => l.Replace("\"1234567890123\"", "\"9999999999999\"", StringComparison.Ordinal)));
        return path;
    }

    [Fact]
    public async Task Importing_the_real_sample_commits_and_its_total_equals_the_file_to_the_last_decimal()
    {
        var expected = SumBilled(RepoPaths.FocusSample);
        Assert.Equal(1000, expected.Rows);
        Assert.Equal(0, expected.Unparsable);

        var result = await new BillingImporter(Store).ImportAsync([RepoPaths.FocusSample], Options());

        Assert.True(result.Committed, result.Message);
        Assert.False(result.HasRejections);
        var file = Assert.Single(result.Files);
        Assert.Equal(FileImportStatus.Loaded, file.Status);
        Assert.Equal(Path.GetFullPath(RepoPaths.FocusSample), file.Path);
        Assert.Equal(FileHasher.Sha256Hex(RepoPaths.FocusSample), file.Sha256);
        Assert.Equal(1000, file.RowsRead);
        Assert.Equal(1000, file.RowsLoaded);
        Assert.Equal(0, file.RowsRejected);
        Assert.Empty(file.Errors);
        Assert.NotNull(result.Load);
        Assert.Equal(1000, result.Load.RowCount);

        Assert.Equal((expected.Billed, 1000L), await StoreTotal());
        Assert.Equal(expected.Billed, (await Store.ListPartitionsAsync()).Sum(p => p.BilledCost));
    }

    [Fact]
    public async Task Importing_the_same_file_again_changes_nothing_and_says_it_is_already_loaded()
    {
        var importer = new BillingImporter(Store);
        var first = await importer.ImportAsync([RepoPaths.FocusSample], Options());
        Assert.True(first.Committed);
        var before = await StoreTotal();
        var partitions = await Store.ListPartitionsAsync();

        var again = await importer.ImportAsync([RepoPaths.FocusSample], Options());

        Assert.False(again.Committed);
        Assert.Null(again.Load);
        var file = Assert.Single(again.Files);
        Assert.Equal(FileImportStatus.AlreadyLoaded, file.Status);
        Assert.Equal(first.Load!.LoadId, file.AlreadyLoadedIn);
        Assert.Contains("already loaded", again.Message, StringComparison.Ordinal);
        Assert.Equal(before, await StoreTotal());
        Assert.Equal(partitions, await Store.ListPartitionsAsync());
    }

    [Fact]
    public async Task A_copy_of_a_loaded_file_under_another_name_is_also_already_loaded()
    {
        var importer = new BillingImporter(Store);
        Assert.True((await importer.ImportAsync([RepoPaths.FocusSample], Options())).Committed);
        var copy = Path.Combine(_work, "copy-of-sample.csv");
        File.Copy(RepoPaths.FocusSample, copy);

        var again = await importer.ImportAsync([copy], Options());
        Assert.False(again.Committed);
        Assert.Equal(FileImportStatus.AlreadyLoaded, Assert.Single(again.Files).Status);
    }

    [Fact]
    public async Task A_delivery_with_one_bad_file_loads_nothing_and_names_the_bad_line_and_column()
    {
        var importer = new BillingImporter(Store);
        Assert.True((await importer.ImportAsync([RepoPaths.FocusSample], Options())).Committed);
        var before = await StoreTotal();
        var partitionsBefore = await Store.ListPartitionsAsync();

        var good = SampleForOtherAccount("good.csv");
        var bad = SampleWithBadCost("bad.csv", line: 6, value: "abc");
        var result = await importer.ImportAsync([good, bad], Options());

        Assert.False(result.Committed);
        Assert.True(result.HasRejections);
        Assert.Null(result.Load);
        Assert.Contains("Nothing was loaded", result.Message, StringComparison.Ordinal);

        var goodResult = Assert.Single(result.Files, f => f.Path == Path.GetFullPath(good));
        Assert.Equal(FileImportStatus.NotLoaded, goodResult.Status);
        Assert.Equal(0, goodResult.RowsLoaded);
        Assert.Empty(goodResult.Errors);

        var badResult = Assert.Single(result.Files, f => f.Path == Path.GetFullPath(bad));
        Assert.Equal(FileImportStatus.Rejected, badResult.Status);
        Assert.Equal(0, badResult.RowsLoaded);
        var error = Assert.Single(badResult.Errors);
        Assert.Equal(6, error.Line);
        Assert.Equal("BilledCost", error.Column);
        Assert.Equal("abc", error.Value);
        Assert.Contains("line 6, column BilledCost", error.ToString(), StringComparison.Ordinal);

        // Nothing landed: totals, partitions and the good file's lineage are as before.
        Assert.Equal(before, await StoreTotal());
        Assert.Equal(partitionsBefore, await Store.ListPartitionsAsync());
        Assert.Null(await Store.FindLiveFileAsync(FileHasher.Sha256Hex(good)));
        Assert.DoesNotContain(await Store.ListPartitionsAsync(), p => p.BillingAccountId == "9999999999999");
    }

    [Fact]
    public async Task A_rejected_delivery_into_an_empty_store_leaves_it_empty()
    {
        var bad = SampleWithBadCost("bad.csv", line: 3, value: "$12.50");
        var result = await new BillingImporter(Store).ImportAsync([RepoPaths.FocusSample, bad], Options());
        Assert.False(result.Committed);
        Assert.Equal(FileImportStatus.NotLoaded, Assert.Single(result.Files, f => f.Path == Path.GetFullPath(RepoPaths.FocusSample)).Status);
        Assert.Equal(FileImportStatus.Rejected, Assert.Single(result.Files, f => f.Path == Path.GetFullPath(bad)).Status);
        Assert.Empty(await Store.TotalsAsync(Year2024Start, Year2024End, []));
        Assert.Empty(await Store.ListPartitionsAsync());
        Assert.Equal(0, (await Store.GetInfoAsync()).VisibleRows);
    }

    [Fact]
    public async Task With_skip_invalid_rows_the_good_rows_land_and_the_bad_row_goes_to_a_sidecar()
    {
        var good = SampleForOtherAccount("good.csv");
        var bad = SampleWithBadCost("bad.csv", line: 6, value: "abc");
        var expectedGood = SumBilled(good);
        var expectedBad = SumBilled(bad);
        Assert.Equal(1, expectedBad.Unparsable);

        var result = await new BillingImporter(Store).ImportAsync([good, bad], Options(skipInvalidRows: true));

        Assert.True(result.Committed, result.Message);
        Assert.False(result.HasRejections);
        var goodResult = Assert.Single(result.Files, f => f.Path == Path.GetFullPath(good));
        Assert.Equal(FileImportStatus.Loaded, goodResult.Status);
        Assert.Equal(1000, goodResult.RowsLoaded);
        Assert.Null(goodResult.RejectedRowsFile);

        var badResult = Assert.Single(result.Files, f => f.Path == Path.GetFullPath(bad));
        Assert.Equal(FileImportStatus.Loaded, badResult.Status);
        Assert.Equal(1000, badResult.RowsRead);
        Assert.Equal(999, badResult.RowsLoaded);
        Assert.Equal(1, badResult.RowsRejected);
        Assert.Equal(6, Assert.Single(badResult.Errors).Line);

        Assert.NotNull(badResult.RejectedRowsFile);
        Assert.True(File.Exists(badResult.RejectedRowsFile), badResult.RejectedRowsFile);
        Assert.Equal(Path.GetFullPath(RejectedDir), Path.GetDirectoryName(Path.GetFullPath(badResult.RejectedRowsFile)));
        var sidecar = File.ReadAllLines(badResult.RejectedRowsFile);
        Assert.Equal(2, sidecar.Length);
        Assert.StartsWith("_dwcp_line,_dwcp_error,", sidecar[0], StringComparison.Ordinal);
        Assert.StartsWith("6,", sidecar[1], StringComparison.Ordinal);
        Assert.Contains("abc", sidecar[1], StringComparison.Ordinal);

        Assert.Equal((expectedGood.Billed + expectedBad.Billed, (long)(expectedGood.Rows + expectedBad.Rows)), await StoreTotal());
        Assert.Equal(1999, result.Load!.RowCount);
    }

    [Fact]
    public async Task A_gzip_csv_in_a_folder_imports_like_the_plain_file()
    {
        var dir = Path.Combine(_work, "delivery");
        Directory.CreateDirectory(dir);
        await using (var gz = new GZipStream(File.Create(Path.Combine(dir, "sample.csv.gz")), CompressionLevel.Fastest))
        await using (var source = File.OpenRead(RepoPaths.FocusSample))
        {
            await source.CopyToAsync(gz);
        }

        var result = await new BillingImporter(Store).ImportAsync([dir], Options());
        Assert.True(result.Committed, result.Message);
        Assert.Equal("focus (csvgzip)", Assert.Single(result.Files).Format);
        Assert.Equal((SumBilled(RepoPaths.FocusSample).Billed, 1000L), await StoreTotal());
    }

    [Fact]
    public async Task An_empty_folder_imports_nothing_and_says_so()
    {
        var dir = Path.Combine(_work, "empty");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "README.md"), "not billing data");
        var result = await new BillingImporter(Store).ImportAsync([dir], Options());
        Assert.False(result.Committed);
        Assert.Empty(result.Files);
        Assert.Contains("No billing files found", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpandPaths_picks_billing_files_recursively_in_sorted_order()
    {
        var root = Path.Combine(_work, "tree");
        var wanted = new[]
        {
            Path.Combine(root, "b.csv"),
            Path.Combine(root, "a.parquet"),
            Path.Combine(root, "B-upper.CSV"),
            Path.Combine(root, "sub", "c.csv.gz"),
            Path.Combine(root, "sub", "deeper", "d.csv"),
            Path.Combine(root, "sub", "deeper", "e.PARQUET"),
            Path.Combine(root, "z", "0.csv"),
        };
        var unwanted = new[]
        {
            Path.Combine(root, "notes.md"),
            Path.Combine(root, "data.json"),
            Path.Combine(root, "csv"),
            Path.Combine(root, "sub", "b.csv.load3.rejected.csv"),
            Path.Combine(root, "sub", "manifest.xml"),
        };
        foreach (var f in wanted.Concat(unwanted))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(f)!);
            File.WriteAllText(f, "x");
        }

        var files = BillingImporter.ExpandPaths([root]);

        Assert.Equal(wanted.Select(Path.GetFullPath).Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public void ExpandPaths_keeps_the_order_of_its_arguments_and_lists_a_file_once()
    {
        var root = Path.Combine(_work, "args");
        var folder = Path.Combine(root, "folder");
        Directory.CreateDirectory(folder);
        var inFolder = Path.Combine(folder, "x.csv");
        var loose = Path.Combine(root, "loose.data");
        File.WriteAllText(inFolder, "x");
        File.WriteAllText(loose, "x");

        // A file named explicitly is taken whatever its extension; a file reached twice is listed once.
        var files = BillingImporter.ExpandPaths([loose, folder, inFolder]);

        Assert.Equal([Path.GetFullPath(loose), Path.GetFullPath(inFolder)], files);
    }

    [Fact]
    public void ExpandPaths_of_a_missing_path_throws_FileNotFoundException_naming_it()
    {
        var missing = Path.Combine(_work, "no-such-delivery", "focus.csv");
        var ex = Assert.Throws<FileNotFoundException>(() => BillingImporter.ExpandPaths([RepoPaths.FocusSample, missing]));
        Assert.Equal(missing, ex.FileName);
        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Importing_a_missing_path_throws_before_anything_is_written()
    {
        var missing = Path.Combine(_work, "missing.csv");
        await Assert.ThrowsAsync<FileNotFoundException>(() => new BillingImporter(Store).ImportAsync([RepoPaths.FocusSample, missing], Options()));
        Assert.Empty(await Store.ListPartitionsAsync());
        Assert.Equal(0, (await Store.GetInfoAsync()).Loads);
    }

    [Fact]
    public async Task A_newer_delivery_of_a_partition_replaces_the_older_one()
    {
        var importer = new BillingImporter(Store);
        Assert.True((await importer.ImportAsync([RepoPaths.FocusSample], Options())).Committed);

        // Restate: the same file with one BilledCost changed (same partitions, new content).
        var restated = SampleWithBadCost("restated.csv", line: 2, value: "1000.5");
        var result = await importer.ImportAsync([restated], Options());
        Assert.True(result.Committed, result.Message);
        Assert.True(result.Load!.ReplacedPartitions > 0);
        Assert.Equal((SumBilled(restated).Billed, 1000L), await StoreTotal());
        Assert.Null(await Store.FindLiveFileAsync(FileHasher.Sha256Hex(RepoPaths.FocusSample)));
        Assert.IsType<ImportedFile>(await Store.FindLiveFileAsync(FileHasher.Sha256Hex(restated)));
    }
}
