using System.Globalization;
using System.Text.Json;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

/// <summary><c>dwcp anomalies --min-impact --min-share</c> and <c>analytics.anomalies.min_impact/min_share</c>: the materiality floor.</summary>
public sealed class AnomalyMaterialityCliTests
{
    private static readonly DateOnly Start = new(2024, 1, 1);

    /// <summary>Lambda: a flat 5.00 a day; on <see cref="SmallDay"/> it is 13.00 (+8, below the default floor of 10).</summary>
    private static readonly DateOnly SmallDay = Start.AddDays(45);

    /// <summary>EC2: a flat 200.00 a day; on <see cref="LargeDay"/> it is 500.00 (+300, above the default floor of max(10, 20)).</summary>
    private static readonly DateOnly LargeDay = Start.AddDays(50);

    private const int Days = 60;

    private static decimal Lambda(int t) => Start.AddDays(t) == SmallDay ? 13.00m : 5.00m;

    private static decimal Ec2(int t) => Start.AddDays(t) == LargeDay ? 500.00m : 200.00m;

    private static async Task<string> DataAsync()
    {
        var data = RepoPaths.NewTempDir("dwcp-materiality-cli");
        await using var store = DuckDbCostStore.Open(data);
        await using var load = await store.BeginLoadAsync(new LoadRequest("test"));
        for (var t = 0; t < Days; t++)
        {
            load.Append(TestRows.Make("acct", Start.AddDays(t), "AWS Lambda", Lambda(t), resource: "fn-1"));
            load.Append(TestRows.Make("acct", Start.AddDays(t), "Amazon EC2", Ec2(t), resource: "i-1"));
        }

        load.AddFile("rows", Guid.NewGuid().ToString("N"), 2 * Days);
        await load.CommitAsync();
        return data;
    }

    /// <summary>The expectation of a one-day deviation on a flat series: the median of the 28 days before it (docs/anomalies.md, clean baseline).</summary>
    private static decimal MedianBefore(Func<int, decimal> series, DateOnly day)
    {
        var index = day.DayNumber - Start.DayNumber;
        var window = Enumerable.Range(index - 28, 28).Select(series).Order().ToArray();
        return (window[13] + window[14]) / 2;
    }

    private static List<(string Day, string Service, decimal Expected, decimal Actual)> List(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.All);
        return JsonDocument.Parse(r.Out).RootElement.GetProperty("anomalies").EnumerateArray()
            .Select(a => (a.GetProperty("timestamp").GetString()!, a.GetProperty("service").GetString()!, a.GetProperty("expected_cost").GetDecimal(), a.GetProperty("actual_cost").GetDecimal()))
            .ToList();
    }

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_deviation_below_the_default_floor_is_reported_only_once_the_floor_is_lowered()
    {
        var data = await DataAsync();
        string[] range = ["--data", data, "--from", "2024-02-01", "--to", "2024-02-29", "--format", "json"];
        var small = (Day(SmallDay), "AWS Lambda", MedianBefore(Lambda, SmallDay), 13.00m);
        var large = (Day(LargeDay), "Amazon EC2", MedianBefore(Ec2, LargeDay), 500.00m);
        Assert.Equal(5.00m, small.Item3);

        // Defaults: the +300 EC2 day passes max(10, 0.1 × 200); the +8 Lambda day is below max(10, 0.1 × 5) = 10.
        var defaults = List(CliRunner.Run(null, ["anomalies", .. range]));
        Assert.Equal([large], defaults);

        // Lowered floor max(1, 0 × 5) = 1: the Lambda day is reported too, largest impact first.
        var lowered = List(CliRunner.Run(null, ["anomalies", .. range, "--min-impact", "1", "--min-share", "0"]));
        Assert.Equal([large, small], lowered);

        // Only the share lowered: the floor is still max(10, 0 × 5) = 10 > 8. The edge: 8 ≥ max(8, 0.5) but 8 < 8.01.
        Assert.Equal([large], List(CliRunner.Run(null, ["anomalies", .. range, "--min-share", "0"])));
        Assert.Equal([large, small], List(CliRunner.Run(null, ["anomalies", .. range, "--min-impact", "8"])));
        Assert.Equal([large], List(CliRunner.Run(null, ["anomalies", .. range, "--min-impact", "8.01"])));

        // The largest relative floor, a whole normal day: 300 ≥ 1 × 200 and 8 ≥ 1 × 5, so both pass.
        Assert.Equal([large, small], List(CliRunner.Run(null, ["anomalies", .. range, "--min-impact", "0", "--min-share", "1"])));
    }

    [Fact]
    public async Task The_configuration_sets_the_floor_and_the_options_override_it()
    {
        var data = await DataAsync();
        string[] args = ["anomalies", "--data", data, "--from", "2024-02-01", "--to", "2024-02-29", "--format", "json"];
        var env = new Dictionary<string, string> { ["DWCP_ANOMALIES_MIN_IMPACT"] = "1", ["DWCP_ANOMALIES_MIN_SHARE"] = "0" };

        var configured = List(CliRunner.RunWithEnv(null, env, args));
        Assert.Equal([Day(LargeDay), Day(SmallDay)], configured.Select(a => a.Day));

        var overridden = List(CliRunner.RunWithEnv(null, env, [.. args, "--min-impact", "10"]));
        Assert.Equal([Day(LargeDay)], overridden.Select(a => a.Day));

        var bad = CliRunner.RunWithEnv(null, new Dictionary<string, string> { ["DWCP_ANOMALIES_MIN_SHARE"] = "1.5" }, args);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("DWCP_ANOMALIES_MIN_SHARE", bad.Err, StringComparison.Ordinal);
        Assert.Contains("between 0 and 1", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Through_a_running_server_the_options_become_the_GraphQL_arguments()
    {
        var data = await DataAsync();
        string[] args = ["anomalies", "--data", data, "--from", "2024-02-01", "--to", "2024-02-29", "--format", "json"];
        var inProcess = CliRunner.Run(null, [.. args, "--min-impact", "1", "--min-share", "0"]);
        Assert.Equal(2, List(inProcess).Count);

        using var server = CliRunner.Start(null, null, "serve", "--data", data, "--urls", "http://127.0.0.1:0");
        try
        {
            for (var i = 0; i < 600 && !File.Exists(Path.Combine(data, "server.json")); i++)
            {
                Assert.False(server.HasExited, "the server exited");
                await Task.Delay(100);
            }

            var viaServer = CliRunner.Run(null, [.. args, "--min-impact", "1", "--min-share", "0"]);
            Assert.True(viaServer.ExitCode == 0, viaServer.All);
            Assert.Equal(inProcess.Out, viaServer.Out);
            Assert.Equal([Day(LargeDay)], List(CliRunner.Run(null, args)).Select(a => a.Day));
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("--min-impact", "-1", "0 or more")]
    [InlineData("--min-impact", "ten", "0 or more")]
    [InlineData("--min-share", "1.5", "between 0 and 1")]
    [InlineData("--min-share", "-0.1", "between 0 and 1")]
    [InlineData("--min-share", "NaN", "between 0 and 1")]
    public void A_bad_floor_exits_2_naming_the_option_and_its_range(string option, string value, string range)
    {
        var r = CliRunner.Run(null, "anomalies", "--data", RepoPaths.NewTempDir("dwcp-materiality-bad"), option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{option} '{value}'", r.Err, StringComparison.Ordinal);
        Assert.Contains(range, r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void The_help_describes_both_options()
    {
        var help = CliRunner.Run(null, "anomalies", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--min-impact <AMOUNT>", help.Out, StringComparison.Ordinal);
        Assert.Contains("--min-share <FRACTION>", help.Out, StringComparison.Ordinal);
        Assert.Contains("min_impact", help.Out, StringComparison.Ordinal);
    }
}
