using Dwcp.Cost.Ingestion.Watch;
using Dwcp.Tests;

namespace Dwcp.Cost.Tests.Watch;

/// <summary>Manifest parsing and the mapping of listed S3 keys and blob names onto the local copy of the bucket.</summary>
public sealed class ManifestParserTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-manifest");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Invalid_json_names_the_file_line_and_column()
    {
        var path = Path.Combine(_dir, "r-Manifest.json");
        File.WriteAllText(path, "{\n  \"assemblyId\": \"a\",\n  \"reportKeys\": [\"x.csv\",, ]\n}");

        var ex = Assert.Throws<ManifestException>(() => ManifestParsers.Parse(path));

        Assert.Contains(path + " line 3, column ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_json_file_without_a_known_list_says_which_fields_were_expected()
    {
        var path = Path.Combine(_dir, "manifest.json");
        File.WriteAllText(path, "{\"files\": []}");

        var ex = Assert.Throws<ManifestException>(() => ManifestParsers.Parse(path));

        Assert.Contains("reportKeys", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dataFiles", ex.Message, StringComparison.Ordinal);
        Assert.Contains("blobs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cur2_data_export_manifest_maps_its_s3_uris_under_the_export_data_folder()
    {
        // s3://bucket/<prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json lists
        // s3://bucket/<prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/<export>-00001.csv.gz (AWS Data Exports docs).
        var export = Path.Combine(_dir, "my-prefix", "cur2");
        var meta = Path.Combine(export, "metadata", "BILLING_PERIOD=2023-11");
        var data = Path.Combine(export, "data", "BILLING_PERIOD=2023-11");
        Directory.CreateDirectory(meta);
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(meta, "cur2-Manifest.json"), """
            {"executionId": "exec-42", "exportArn": "arn:aws:bcm-data-exports:us-east-1:111122223333:export/cur2-abc",
             "columns": [{"name": "line_item_unblended_cost", "type": "double"}],
             "dataFiles": ["s3://example-bucket/my-prefix/cur2/data/BILLING_PERIOD=2023-11/cur2-00001.csv.gz",
                           "s3://example-bucket/my-prefix/cur2/data/BILLING_PERIOD=2023-11/cur2-00002.csv.gz"],
             "billingPeriod": {"start": "2023-11-01T00:00:00.000Z", "end": "2023-12-01T00:00:00.000Z"}}
            """);
        File.WriteAllText(Path.Combine(data, "cur2-00001.csv.gz"), "x");
        WatchFixtures.Age(_dir);

        var scan = new DeliveryScanner(TimeSpan.FromSeconds(30)).Scan(_dir);

        var group = Assert.Single(scan.Groups);
        Assert.Equal("aws-export:my-prefix/cur2/BILLING_PERIOD=2023-11", group.Key);
        var d = Assert.Single(group.Candidates);
        Assert.Equal("exec-42", d.Version);
        Assert.Equal([Path.Combine(data, "cur2-00001.csv.gz"), Path.Combine(data, "cur2-00002.csv.gz")], d.Files.Select(f => f.Path));
        Assert.False(d.Ready);
        Assert.Contains("cur2-00002.csv.gz is listed but missing", d.WaitingFor, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_of_older_assemblies_and_data_folders_are_never_taken_as_loose_files()
    {
        WatchFixtures.WriteCur(_dir, "asm-1", seed: 1, files: 1, rows: 5);
        WatchFixtures.WriteCur(_dir, "asm-2", seed: 2, files: 1, rows: 5);
        File.Delete(Path.Combine(_dir, "cur", "myreport", WatchFixtures.CurPeriod, "asm-1", "myreport-Manifest.json"));
        WatchFixtures.Age(_dir);

        var scan = new DeliveryScanner(TimeSpan.FromSeconds(30)).Scan(_dir);

        var group = Assert.Single(scan.Groups);
        Assert.Equal("asm-2", group.Candidates[0].Version);
        Assert.True(group.Candidates[0].Ready);
    }
}
