using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Dwcp.Ingest.Native;
using Dwcp.Tests;
using Microsoft.VisualBasic.FileIO;

namespace Dwcp.Cost.Tests.Watch;

/// <summary>A clock that stands still where the test puts it.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Writes synthetic provider deliveries in the layouts the providers document (see README.md here), and sums their
/// cost columns with a separate CSV parser, so expected totals come from the files, not from the code under test.
/// </summary>
internal static class WatchFixtures
{
    public const string CurPeriod = "20231101-20231201";

    public static string AzureSample => RepoPaths.Of("data", "samples", "native", "azure", "EA_ActualCost_Small.csv");

    /// <summary>
    /// An AWS legacy CUR delivery: <c>&lt;root&gt;/cur/myreport/&lt;period&gt;/&lt;assembly&gt;/myreport-N.csv.gz</c>, a manifest
    /// copy in the assembly folder and the period-level manifest naming the assembly (AWS's "create new report version").
    /// </summary>
    /// <returns>The data files written (or, for <paramref name="skipFile"/>, to be written).</returns>
    public static IReadOnlyList<string> WriteCur(string root, string assembly, int seed, int files, int rows, int? skipFile = null, string payer = "111122223333")
    {
        var period = Path.Combine(root, "cur", "myreport", CurPeriod);
        var dir = Path.Combine(period, assembly);
        Directory.CreateDirectory(dir);
        var paths = new List<string>();
        var keys = new List<string>();
        for (var i = 1; i <= files; i++)
        {
            var name = $"myreport-{i}.csv.gz";
            var path = Path.Combine(dir, name);
            paths.Add(path);
            keys.Add($"cur/myreport/{CurPeriod}/{assembly}/{name}");
            if (i != skipFile)
            {
                new CurSampleGenerator(seed + i, payer).WriteFile(path, rows);
            }
        }

        var manifest = JsonSerializer.Serialize(new
        {
            assemblyId = assembly,
            account = payer,
            columns = CurSampleGenerator.Header.Select(h => new { category = h.Split('/')[0], name = h.Split('/')[1] }),
            charset = "UTF-8",
            compression = "GZIP",
            contentType = "text/csv",
            reportId = "0123456789abcdef",
            reportName = "myreport",
            billingPeriod = new { start = "20231101T000000.000Z", end = "20231201T000000.000Z" },
            bucket = "example-cur-bucket",
            reportKeys = keys,
            additionalArtifactKeys = Array.Empty<object>(),
        });
        File.WriteAllText(Path.Combine(dir, "myreport-Manifest.json"), manifest);
        File.WriteAllText(Path.Combine(period, "myreport-Manifest.json"), manifest);
        return paths;
    }

    /// <summary>Writes one CUR part file that a manifest listed but that was missing.</summary>
    public static void WriteCurPart(string path, int seed, int rows, string payer = "111122223333") => new CurSampleGenerator(seed, payer).WriteFile(path, rows);

    /// <summary>
    /// An Azure export run with a manifest: <c>&lt;root&gt;/exports/costs/daily/&lt;period&gt;/&lt;ts&gt;/&lt;runId&gt;/part_0_0001.csv</c>
    /// holding the first <paramref name="rows"/> rows of the real EA sample.
    /// </summary>
    public static string WriteAzureRun(string root, string runId, string submitted, int rows, bool withManifest = true, string period = "20230901-20230930")
    {
        var dir = withManifest
            ? Path.Combine(root, "exports", "costs", "daily", period, submitted.Replace("-", "", StringComparison.Ordinal)[..8] + "0000", runId)
            : Path.Combine(root, "exports", "costs", "legacy", period, runId);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, withManifest ? "part_0_0001.csv" : $"legacy_{runId}.csv");
        var lines = File.ReadAllLines(AzureSample);
        File.WriteAllLines(file, lines.Take(rows + 1));
        if (withManifest)
        {
            var blob = $"costs/daily/{period}/{Path.GetFileName(Path.GetDirectoryName(dir))}/{runId}/part_0_0001.csv";
            File.WriteAllText(Path.Combine(dir, "manifest.json"), JsonSerializer.Serialize(new
            {
                manifestVersion = "2024-04-01",
                byteCount = new FileInfo(file).Length,
                blobCount = 1,
                dataRowCount = rows,
                exportConfig = new { exportName = "daily", type = "ActualCost", timeFrame = "MonthToDate" },
                deliveryConfig = new { partitionData = true, dataOverwriteBehavior = "CreateNewReport", fileFormat = "Csv", compressionMode = "None" },
                runInfo = new { executionType = "Scheduled", submittedTime = submitted, runId, startDate = "2023-09-01T00:00:00", endDate = "2023-09-30T00:00:00Z" },
                blobs = new[] { new { blobName = blob, byteCount = new FileInfo(file).Length, dataRowCount = rows } },
            }));
        }

        return file;
    }

    /// <summary>Sum and count of one column over CSV files (plain or gzip), read with the VB CSV parser.</summary>
    public static (decimal Sum, int Rows) SumColumn(IEnumerable<string> paths, string column)
    {
        decimal sum = 0;
        var rows = 0;
        foreach (var path in paths)
        {
            using var file = File.OpenRead(path);
            using Stream stream = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var parser = new TextFieldParser(stream, Encoding.UTF8) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
            parser.SetDelimiters(",");
            var header = parser.ReadFields()!.Select(h => h.Trim('\uFEFF')).ToArray();
            var i = Array.IndexOf(header, column);
            Assert.True(i >= 0, $"{column} not in {path}");
            while (!parser.EndOfData)
            {
                var f = parser.ReadFields()!;
                sum += f[i].Length == 0 ? 0m : decimal.Parse(f[i], NumberStyles.Float, CultureInfo.InvariantCulture);
                rows++;
            }
        }

        return (sum, rows);
    }

    /// <summary>Writes a plain CUR CSV whose UnblendedCost on data row <paramref name="badRow"/> (1-based) is not a number.</summary>
    public static void WriteBadCur(string path, int rows, int badRow)
    {
        var sb = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        new CurSampleGenerator(7, "999988887777").Write(sb, rows);
        var lines = sb.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        var col = Array.IndexOf(header, "lineItem/UnblendedCost");
        using var parser = new TextFieldParser(new StringReader(lines[badRow])) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var cells = parser.ReadFields()!;
        cells[col] = "twelve";
        lines[badRow] = string.Join(',', cells.Select(c => c.Contains(',', StringComparison.Ordinal) ? $"\"{c}\"" : c));
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
    }

    /// <summary>Sets every file under <paramref name="dir"/> as last written an hour ago (a finished upload).</summary>
    public static void Age(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", System.IO.SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-1));
        }
    }
}
