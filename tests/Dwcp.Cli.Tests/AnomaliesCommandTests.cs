using System.Text.Json;
using Dwcp.Core.Focus;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

/// <summary><c>dwcp anomalies</c> and <c>dwcp anomalies feedback</c>, in-process and through a running server.</summary>
public sealed class AnomaliesCommandTests
{
    private static readonly DateOnly Start = new(2024, 1, 1);

    /// <summary>90 days of EC2 in two regions with seeded noise; on day 70 one resource in eu-west-1 adds 3,000.</summary>
    private static async Task<string> DataWithSpikeAsync()
    {
        var data = RepoPaths.NewTempDir("dwcp-anomalies-cli");
        var rng = new Random(17);
        await using var store = DuckDbCostStore.Open(data);
        await using var load = await store.BeginLoadAsync(new LoadRequest("test"));
        var n = 0;
        for (var t = 0; t < 90; t++)
        {
            foreach (var (region, resource) in new[] { ("us-east-1", "i-1"), ("us-east-1", "i-2"), ("eu-west-1", "i-3"), ("eu-west-1", "i-4") })
            {
                var cost = Math.Round(200m + (decimal)(rng.NextDouble() * 20), 2) + (t == 70 && resource == "i-3" ? 3000m : 0m);
                load.Append(TestRows.Make("acct", Start.AddDays(t), "Amazon EC2", cost, region: region, resource: resource));
                n++;
            }
        }

        load.AddFile("rows", Guid.NewGuid().ToString("N"), n);
        await load.CommitAsync();
        return data;
    }

    [Fact]
    public async Task Lists_explains_and_takes_feedback_in_process_and_through_the_server()
    {
        var data = await DataWithSpikeAsync();
        var json = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "json");
        Assert.True(json.ExitCode == 0, json.All);
        var first = JsonDocument.Parse(json.Out).RootElement.GetProperty("anomalies")[0];
        Assert.Equal("2024-03-11", first.GetProperty("timestamp").GetString());
        Assert.Equal("Amazon EC2", first.GetProperty("service").GetString());
        var actual = first.GetProperty("actual_cost").GetDecimal();
        Assert.InRange(actual, 3800m, 3880m);
        Assert.InRange(first.GetProperty("expected_cost").GetDecimal(), 800m, 880m);
        var top = first.GetProperty("root_causes")[0];
        Assert.Equal(("resource", "i-3"), (top.GetProperty("dimension").GetString(), top.GetProperty("value").GetString()));
        var id = first.GetProperty("id").GetString()!;

        var csv = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "csv");
        Assert.Equal(0, csv.ExitCode);
        var lines = csv.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,timestamp,provider,service,billing_account_id,currency,expected_cost,actual_cost,", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(id + ",2024-03-11,AWS,Amazon EC2,", lines[1], StringComparison.Ordinal);

        var table = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31");
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("resource=i-3", table.Out, StringComparison.Ordinal);
        Assert.Contains(id, table.Out, StringComparison.Ordinal); // the table shows the id (piped output is 240 columns wide)

        // Through a running server: the same JSON, and feedback lands in the server's data folder.
        using var server = CliRunner.Start(null, null, "serve", "--data", data, "--urls", "http://127.0.0.1:0");
        try
        {
            for (var i = 0; i < 600 && !File.Exists(Path.Combine(data, "server.json")); i++)
            {
                Assert.False(server.HasExited, "the server exited");
                await Task.Delay(100);
            }

            var viaServer = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "json");
            Assert.True(viaServer.ExitCode == 0, viaServer.All);
            Assert.Equal(json.Out, viaServer.Out);

            var marked = CliRunner.Run(null, "anomalies", "feedback", id, "--kind", "expected", "--note", "load test", "--data", data);
            Assert.True(marked.ExitCode == 0, marked.All);
            Assert.Contains("as expected", marked.Err, StringComparison.Ordinal);
            var after = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "json");
            Assert.DoesNotContain(id, after.Out, StringComparison.Ordinal);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var stored = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "anomaly-feedback.json"))).RootElement[0];
        Assert.Equal((id, "expected", "load test"), (stored.GetProperty("id").GetString(), stored.GetProperty("kind").GetString(), stored.GetProperty("note").GetString()));
        var suppressed = CliRunner.Run(null, "anomalies", "--data", data, "--from", "2024-03-01", "--to", "2024-03-31", "--format", "csv", "--include-suppressed");
        Assert.Contains(",true,resource,i-3,", suppressed.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_gets_exit_code_2_and_help_exit_code_0()
    {
        var data = await DataWithSpikeAsync();
        var help = CliRunner.Run(null, "anomalies", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--fp-rate", help.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run(null, "anomalies", "feedback", "--help").ExitCode);

        var fp = CliRunner.Run(null, "anomalies", "--data", data, "--fp-rate", "2");
        Assert.Equal(2, fp.ExitCode);
        Assert.Contains("between 0 and 1", fp.Err, StringComparison.Ordinal);
        var date = CliRunner.Run(null, "anomalies", "--data", data, "--from", "March");
        Assert.Equal(2, date.ExitCode);
        Assert.Contains("YYYY-MM-DD", date.Err, StringComparison.Ordinal);
        var id = CliRunner.Run(null, "anomalies", "feedback", "not-an-id", "--kind", "real", "--data", data);
        Assert.Equal(2, id.ExitCode);
        Assert.Contains("is not an anomaly id", id.Err, StringComparison.Ordinal);
        Assert.Equal(2, CliRunner.Run(null, "anomalies", "feedback", "x", "--kind", "maybe", "--data", data).ExitCode);
    }
}
