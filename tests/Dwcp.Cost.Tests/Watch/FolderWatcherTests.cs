using Dwcp.Cost.Ingestion;
using Dwcp.Cost.Ingestion.Watch;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Watch;

/// <summary>
/// The folder watcher against a real DuckDB store: provider layouts written to a temporary folder, imported with
/// <see cref="FolderWatcher.ScanOnceAsync"/> (what <c>ingest --watch --once</c> runs), totals checked against sums read
/// from the delivered files with a separate CSV parser.
/// </summary>
public sealed class FolderWatcherTests : StoreTestBase
{
    private static readonly DateOnly From = new(2000, 1, 1);
    private static readonly DateOnly To = new(2100, 1, 1);
    private readonly string _drop = RepoPaths.NewTempDir("dwcp-watch");
    private readonly FixedClock _clock = new(DateTimeOffset.UtcNow.AddDays(1)); // every file written by the test is long settled

    private string StateFile => Path.Combine(DataDir, WatchState.FileName);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_drop, recursive: true);
    }

    private FolderWatcher Watcher(TimeProvider? time = null, int intervalSeconds = 30) => new(_drop, StateFile, (d, ct) =>
        new DeliveryImporter(Store).ImportAsync([.. d.Files.Select(f => f.Path)], new ImportOptions { RejectedDir = Path.Combine(DataDir, "rejected"), Description = "watch " + d.Label }, null, ct),
        new WatchOptions { Interval = TimeSpan.FromSeconds(intervalSeconds), Time = time ?? _clock });

    private async Task<(decimal Billed, long Rows)> Totals()
    {
        var totals = await Store.TotalsAsync(From, To, []);
        return (totals.Sum(t => t.BilledCost), totals.Sum(t => t.RowCount));
    }

    private static void AssertCents(decimal expected, decimal actual) => Assert.Equal(Math.Round(expected, 2), Math.Round(actual, 2));

    [Fact]
    public async Task An_aws_cur_delivery_is_imported_once_and_its_total_equals_the_files()
    {
        var files = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 2, rows: 400);
        var (sum, rows) = WatchFixtures.SumColumn(files, "lineItem/UnblendedCost");

        var report = await Watcher().ScanOnceAsync();

        var d = Assert.Single(report.Deliveries);
        Assert.Equal(DeliveryStatus.Imported, d.Status);
        Assert.Equal(DeliveryLayout.AwsCur, d.Layout);
        Assert.Equal("aws-cur:cur/myreport/" + WatchFixtures.CurPeriod, d.Key);
        Assert.Equal("asm-0001", d.Version);
        Assert.Equal(2, d.Import!.Files.Count);
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
        Assert.True(File.Exists(StateFile));
    }

    [Fact]
    public async Task A_newer_assembly_restates_the_period_and_totals_equal_the_second_delivery()
    {
        WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 2, rows: 300);
        Assert.Equal(DeliveryStatus.Imported, Assert.Single((await Watcher().ScanOnceAsync()).Deliveries).Status);

        var second = WatchFixtures.WriteCur(_drop, "asm-0002", seed: 50, files: 3, rows: 200);
        var (sum, rows) = WatchFixtures.SumColumn(second, "lineItem/UnblendedCost");
        var d = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);

        Assert.Equal(DeliveryStatus.Imported, d.Status);
        Assert.Equal("asm-0002", d.Version);
        Assert.Equal(3, d.Import!.Files.Count);
        Assert.True(d.Import.Load!.ReplacedPartitions > 0, d.Message);
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
    }

    [Fact]
    public async Task A_restated_assembly_that_repeats_an_unchanged_part_file_still_loads_all_its_rows()
    {
        var first = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 2, rows: 150);
        await Watcher().ScanOnceAsync();

        // Same seeds for part 1 (identical bytes), a new seed's part 2 is written by hand below.
        var second = WatchFixtures.WriteCur(_drop, "asm-0002", seed: 10, files: 2, rows: 150, skipFile: 2);
        WatchFixtures.WriteCurPart(second[1], seed: 99, rows: 120);
        Assert.Equal(File.ReadAllBytes(first[0]), File.ReadAllBytes(second[0]));
        var (sum, rows) = WatchFixtures.SumColumn(second, "lineItem/UnblendedCost");

        var d = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);

        Assert.Equal(DeliveryStatus.Imported, d.Status);
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
    }

    [Fact]
    public async Task A_partial_delivery_is_not_imported_until_its_missing_file_arrives()
    {
        var files = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 2, rows: 100, skipFile: 2);

        var waiting = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Waiting, waiting.Status);
        Assert.Contains("myreport-2.csv.gz", waiting.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await Totals()).Rows);

        WatchFixtures.WriteCurPart(files[1], seed: 12, rows: 100);
        var done = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Imported, done.Status);
        var (sum, rows) = WatchFixtures.SumColumn(files, "lineItem/UnblendedCost");
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
    }

    [Fact]
    public async Task A_file_still_growing_waits_until_its_size_has_been_stable_for_one_interval()
    {
        var files = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 1, rows: 50);
        var clock = new FixedClock(new DateTimeOffset(File.GetLastWriteTimeUtc(files[0]), TimeSpan.Zero));
        var watcher = Watcher(clock);

        Assert.Equal(DeliveryStatus.Waiting, Assert.Single((await watcher.ScanOnceAsync()).Deliveries).Status);
        clock.Now += TimeSpan.FromSeconds(10);
        Assert.Equal(DeliveryStatus.Waiting, Assert.Single((await watcher.ScanOnceAsync()).Deliveries).Status);
        clock.Now += TimeSpan.FromSeconds(25);
        Assert.Equal(DeliveryStatus.Imported, Assert.Single((await watcher.ScanOnceAsync()).Deliveries).Status);
    }

    [Fact]
    public async Task A_restarted_watcher_does_not_import_again()
    {
        WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 2, rows: 100);
        File.Copy(WatchFixtures.AzureSample, Path.Combine(_drop, "loose-azure.csv"));
        var first = await Watcher().ScanOnceAsync();
        Assert.Equal(2, first.ImportedCount);
        var loads = (await Store.GetInfoAsync()).Loads;

        var again = await Watcher().ScanOnceAsync(); // a new watcher: state comes from watch-state.json

        Assert.All(again.Deliveries, d => Assert.Equal(DeliveryStatus.Unchanged, d.Status));
        Assert.Equal(2, again.Deliveries.Count);
        Assert.Equal(loads, (await Store.GetInfoAsync()).Loads);
    }

    [Fact]
    public async Task Azure_manifest_runs_the_latest_complete_run_replaces_the_period()
    {
        WatchFixtures.WriteAzureRun(_drop, "run-a", "2023-09-20T06:00:00Z", rows: 11);
        var first = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Imported, first.Status);
        Assert.Equal(DeliveryLayout.AzureExport, first.Layout);
        Assert.Equal(11, (await Totals()).Rows);

        var later = WatchFixtures.WriteAzureRun(_drop, "run-b", "2023-09-21T06:00:00Z", rows: 6);
        var (sum, rows) = WatchFixtures.SumColumn([later], "Cost");
        var second = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);

        Assert.Equal(DeliveryStatus.Imported, second.Status);
        Assert.Equal("run-b", second.Version);
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
    }

    [Fact]
    public async Task An_azure_run_whose_blob_is_shorter_than_its_manifest_says_waits()
    {
        var file = WatchFixtures.WriteAzureRun(_drop, "run-a", "2023-09-20T06:00:00Z", rows: 11);
        var full = File.ReadAllBytes(file);
        File.WriteAllBytes(file, full[..(full.Length / 2)]);

        var d = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Waiting, d.Status);
        Assert.Contains("bytes", d.Message, StringComparison.Ordinal);

        File.WriteAllBytes(file, full);
        Assert.Equal(DeliveryStatus.Imported, Assert.Single((await Watcher().ScanOnceAsync()).Deliveries).Status);
    }

    [Fact]
    public async Task Older_azure_runs_without_a_manifest_the_latest_run_partition_wins()
    {
        var a = WatchFixtures.WriteAzureRun(_drop, "0a1b", "unused", rows: 11, withManifest: false);
        File.SetLastWriteTimeUtc(a, DateTime.UtcNow.AddHours(-3));
        var b = WatchFixtures.WriteAzureRun(_drop, "ff00", "unused", rows: 4, withManifest: false);
        File.SetLastWriteTimeUtc(b, DateTime.UtcNow.AddHours(-2));
        var (sum, rows) = WatchFixtures.SumColumn([b], "Cost");

        var d = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);

        Assert.Equal(DeliveryLayout.AzureExportLegacy, d.Layout);
        Assert.Equal("ff00", d.Version);
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);
    }

    [Fact]
    public async Task A_bad_file_is_reported_with_line_and_column_and_the_other_deliveries_still_load()
    {
        var good = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 1, rows: 80);
        var bad = Path.Combine(_drop, "dropped", "bad-cur.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        WatchFixtures.WriteBadCur(bad, rows: 20, badRow: 5);

        var report = await Watcher().ScanOnceAsync();

        Assert.True(report.HasFailures);
        var failed = Assert.Single(report.Deliveries, d => d.Status == DeliveryStatus.Failed);
        Assert.Equal("file:dropped/bad-cur.csv", failed.Key);
        Assert.Contains(failed.Errors, e => e.Contains("bad-cur.csv line 6", StringComparison.Ordinal) && e.Contains("lineItem/UnblendedCost", StringComparison.Ordinal));
        Assert.Equal(DeliveryStatus.Imported, Assert.Single(report.Deliveries, d => d.Key.StartsWith("aws-cur:", StringComparison.Ordinal)).Status);
        var (sum, rows) = WatchFixtures.SumColumn(good, "lineItem/UnblendedCost");
        var (billed, count) = await Totals();
        Assert.Equal(rows, count);
        AssertCents(sum, billed);

        // Not retried while unchanged; retried (and loaded) once the file is fixed.
        Assert.Equal(DeliveryStatus.FailedUnchanged, Assert.Single((await Watcher().ScanOnceAsync()).Deliveries, d => d.Key == failed.Key).Status);
        new Dwcp.Ingest.Native.CurSampleGenerator(7, "999988887777").WriteFile(bad, 20);
        Assert.Equal(DeliveryStatus.Imported, Assert.Single((await Watcher().ScanOnceAsync()).Deliveries, d => d.Key == failed.Key).Status);
        Assert.Equal(rows + 20, (await Totals()).Rows);
    }

    [Fact]
    public async Task The_loop_scans_again_after_each_interval_and_returns_when_cancelled()
    {
        WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 1, rows: 30);
        using var stop = new CancellationTokenSource();
        var reports = new List<WatchScanReport>();

        await Watcher(intervalSeconds: 1).RunAsync(r =>
        {
            reports.Add(r);
            if (reports.Count == 2)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token);

        Assert.Equal(2, reports.Count);
        Assert.Equal(DeliveryStatus.Imported, Assert.Single(reports[0].Deliveries).Status);
        Assert.Equal(DeliveryStatus.Unchanged, Assert.Single(reports[1].Deliveries).Status);
        Assert.Equal(30, (await Totals()).Rows);
    }

    [Fact]
    public async Task A_manifest_that_is_not_json_is_reported_with_line_and_column_once_and_retried_when_it_changes()
    {
        var files = WatchFixtures.WriteCur(_drop, "asm-0001", seed: 10, files: 1, rows: 40);
        var manifest = Path.Combine(_drop, "cur", "myreport", WatchFixtures.CurPeriod, "myreport-Manifest.json");
        var good = File.ReadAllText(manifest);
        File.Delete(Path.Combine(Path.GetDirectoryName(files[0])!, "myreport-Manifest.json"));
        File.WriteAllText(manifest, "{\n  \"assemblyId\": \"asm-0001\",\n  \"reportKeys\": [oops]\n}");

        var first = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Failed, first.Status);
        Assert.Contains(manifest + " line 3, column", first.Message, StringComparison.Ordinal);
        Assert.Equal(DeliveryStatus.FailedUnchanged, Assert.Single((await Watcher().ScanOnceAsync()).Deliveries).Status);

        File.WriteAllText(manifest, good);
        var fixedUp = Assert.Single((await Watcher().ScanOnceAsync()).Deliveries);
        Assert.Equal(DeliveryStatus.Imported, fixedUp.Status);
        Assert.Equal(40, (await Totals()).Rows);
        Assert.DoesNotContain("manifest:", File.ReadAllText(StateFile), StringComparison.Ordinal);
    }
}
