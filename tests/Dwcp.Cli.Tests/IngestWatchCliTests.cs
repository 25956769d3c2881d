using System.Text.Json;
using Dwcp.Ingest.Native;
using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

/// <summary><c>dwcp ingest --watch DIR --once</c> run as a user would: exit codes, output, and no second import.</summary>
public sealed class IngestWatchCliTests
{
    private const string Period = "20231101-20231201";

    /// <summary>An AWS legacy CUR delivery (synthetic, AWS's documented layout), last written an hour ago.</summary>
    private static string WriteCurDelivery(string drop)
    {
        var period = Path.Combine(drop, "cur", "rep", Period);
        var assembly = Path.Combine(period, "asm-1");
        Directory.CreateDirectory(assembly);
        new CurSampleGenerator(3).WriteFile(Path.Combine(assembly, "rep-1.csv.gz"), 120);
        var manifest = JsonSerializer.Serialize(new
        {
            assemblyId = "asm-1",
            reportName = "rep",
            billingPeriod = new { start = "20231101T000000.000Z", end = "20231201T000000.000Z" },
            bucket = "example-bucket",
            reportKeys = new[] { $"cur/rep/{Period}/asm-1/rep-1.csv.gz" },
        });
        File.WriteAllText(Path.Combine(period, "rep-Manifest.json"), manifest);
        Age(drop);
        return assembly;
    }

    private static void Age(string dir)
    {
        foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-1));
        }
    }

    [Fact]
    public void Once_imports_ready_deliveries_reports_a_bad_file_with_exit_1_and_does_not_import_again()
    {
        var drop = RepoPaths.NewTempDir("dwcp-cli-drop");
        var data = RepoPaths.NewTempDir("dwcp-cli-watch");
        WriteCurDelivery(drop);
        var bad = Path.Combine(drop, "loose.csv");
        File.WriteAllText(bad, "this,is,not\na,billing,file\n");
        Age(drop);

        var first = CliRunner.Run(null, "ingest", "--watch", drop, "--once", "--data", data);

        Assert.True(first.ExitCode == 1, first.All);
        Assert.Contains($"aws-cur:cur/rep/{Period} (asm-1): Loaded 120 rows from 1 file", first.Out, StringComparison.Ordinal);
        Assert.Contains("file:loose.csv", first.Out, StringComparison.Ordinal);
        Assert.Contains("loose.csv line 1", first.Err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(data, "watch-state.json")));

        File.Delete(bad);
        var second = CliRunner.Run(null, "ingest", "--watch", drop, "--once", "--data", data, "--format", "json");

        Assert.True(second.ExitCode == 0, second.All);
        var deliveries = JsonDocument.Parse(second.Out).RootElement.GetProperty("deliveries");
        var d = Assert.Single(deliveries.EnumerateArray());
        Assert.Equal("Unchanged", d.GetProperty("status").GetString());
        Assert.Equal("asm-1", d.GetProperty("version").GetString());

        var cost = CliRunner.Run(null, "cost", "--data", data, "--from", "2023-11-01", "--to", "2023-11-30", "--format", "json");
        Assert.True(cost.ExitCode == 0, cost.All);
        var total = Assert.Single(JsonDocument.Parse(cost.Out).RootElement.GetProperty("totals").EnumerateArray());
        Assert.Equal(120, total.GetProperty("rowCount").GetInt64());
    }

    [Theory]
    [InlineData("--watch", "/no/such/folder", "--once")]
    [InlineData("--watch", "{drop}", "--interval", "0s", "--once")]
    [InlineData("--watch", "{drop}", "--interval", "soon", "--once")]
    [InlineData("--watch", "{drop}", "extra.csv")]
    [InlineData("extra.csv", "--once")]
    public void Usage_errors_exit_2(params string[] args)
    {
        var drop = RepoPaths.NewTempDir("dwcp-cli-drop");
        var r = CliRunner.Run(null, ["ingest", .. args.Select(a => a.Replace("{drop}", drop, StringComparison.Ordinal))]);

        Assert.True(r.ExitCode == 2, r.All);
        Assert.Contains("error:", r.Err, StringComparison.Ordinal);
    }
}
