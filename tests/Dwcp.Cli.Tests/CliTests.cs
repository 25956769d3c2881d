using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Dwcp.Tests;

namespace Dwcp.Cli.Tests;

public sealed class CliTests
{
    private static readonly string Sample = RepoPaths.FocusSample;

    private static string NewData() => RepoPaths.NewTempDir("dwcp-cli");

    private static JsonElement CostJson(string data, params string[] extra)
    {
        var r = CliRunner.Run(null, ["cost", "--data", data, "--format", "json", .. extra]);
        Assert.True(r.ExitCode == 0, r.All);
        return JsonDocument.Parse(r.Out).RootElement;
    }

    [Theory]
    [InlineData]
    [InlineData("serve")]
    [InlineData("ingest")]
    [InlineData("demo")]
    [InlineData("cost")]
    [InlineData("fx", "import")]
    [InlineData("fx", "list")]
    [InlineData("tags", "coverage")]
    [InlineData("detect")]
    [InlineData("forecast")]
    public void Every_command_has_help_and_exits_0(params string[] command)
    {
        var r = CliRunner.Run(null, [.. command, "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out, StringComparison.Ordinal);
        Assert.Contains("--data", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cost", "--bogus")]
    [InlineData("cost", "--format", "xml")]
    [InlineData("cost", "--from", "2024-13-01", "--to", "2024-12-31")]
    [InlineData("cost", "--from", "2024-02-01", "--to", "2024-01-01")]
    [InlineData("cost", "--from", "2024-01-01", "--to", "2024-01-31", "--group-by", "colour")]
    [InlineData("ingest")]
    [InlineData("ingest", "x.csv", "--source-format", "lotus-123")]
    [InlineData("cost", "--from", "2024-01-01", "--to", "2024-01-31", "--currency", "DOLLARS")]
    [InlineData("detect", "--input", "/no/such/file.csv", "--output", "/tmp/x.csv")]
    [InlineData("detect", "--output", "/tmp/x.csv")]
    [InlineData("fx", "import", "/no/such/rates.csv")]
    [InlineData("forecast", "--input", "/no/such/long.csv", "--output", "/tmp/x.csv", "--horizon", "3")]
    [InlineData("forecast", "--output", "/tmp/x.csv", "--horizon", "3")]
    [InlineData("tags", "coverage", "--from", "2024-01-01", "--to", "2024-01-31")]
    [InlineData("cost", "--store", "mysql://db:3306")]
    [InlineData("cost", "--store", "clickhouse://")]
    [InlineData("frobnicate")]
    public void Usage_errors_exit_2_with_a_message(params string[] args)
    {
        var r = CliRunner.Run(null, [.. args, "--data", NewData()]);
        Assert.True(r.ExitCode == 2, r.All);
        Assert.Contains("error", r.Err, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Ingesting_the_real_sample_gives_totals_equal_to_the_file_to_the_last_decimal()
    {
        var data = NewData();
        var r = CliRunner.Run(null, "ingest", Sample, "--data", data);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("Loaded 1,000 rows", r.Out, StringComparison.Ordinal);

        var expected = SampleSums.BilledByProvider(Sample);
        var json = CostJson(data, "--from", "2024-09-01", "--to", "2024-10-31", "--group-by", "provider");
        var lines = json.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("keys")[0].GetString()!, l => l.GetProperty("billedCost").GetDecimal());
        Assert.Equal(expected.OrderBy(kv => kv.Key), lines.OrderBy(kv => kv.Key));
        Assert.Equal(expected.Values.Sum(), json.GetProperty("totals")[0].GetProperty("billedCost").GetDecimal());

        var again = CliRunner.Run(null, "ingest", Sample, "--data", data);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("Nothing to do", again.Out, StringComparison.Ordinal);
        Assert.Equal(expected.Values.Sum(), CostJson(data, "--from", "2024-09-01", "--to", "2024-10-31").GetProperty("totals")[0].GetProperty("billedCost").GetDecimal());
    }

    [Fact]
    public void Csv_output_has_a_header_and_one_line_per_group()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var r = CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-10-31", "--group-by", "provider", "--format", "csv");
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("period,Provider,currency,billed_cost,effective_cost,list_cost,savings,usage,usage_unit,rows,is_other", lines[0]);
        Assert.Equal(3, lines.Length - 1);
        Assert.Equal(1000, lines.Skip(1).Sum(l => int.Parse(l.Split(',')[9], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_bad_file_exits_1_names_the_problem_and_leaves_the_store_unchanged()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var before = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31").GetProperty("totals")[0].GetProperty("billedCost").GetDecimal();

        var dir = RepoPaths.NewTempDir("dwcp-bad");
        var lines = File.ReadAllLines(Sample);
        var noCost = Path.Combine(dir, "missing-column.csv");
        File.WriteAllLines(noCost, lines.Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 1))));
        var badNumber = Path.Combine(dir, "bad-number.csv");
        File.WriteAllLines(badNumber, lines.Select((l, i) => i == 5 ? l.Replace(",0.0", ",abc0.0", StringComparison.Ordinal) : l));
        var truncated = Path.Combine(dir, "truncated.csv");
        File.WriteAllText(truncated, string.Join('\n', lines.Take(300)) + "\n" + lines[300][..40]);
        var binary = Path.Combine(dir, "binary.csv");
        File.WriteAllBytes(binary, Enumerable.Range(0, 5000).Select(i => (byte)(i * 7 % 256)).ToArray());

        foreach (var (file, expect) in new[] { (noCost, "BilledCost"), (badNumber, "line 6"), (truncated, "truncated"), (binary, "not") })
        {
            // Each bad file goes together with a good one: nothing of the delivery may land.
            var good = Path.Combine(dir, "good-" + Path.GetFileName(file));
            File.WriteAllLines(good, lines.Select(l => l.Replace("\"1234567890123\"", "\"9999999999999\"", StringComparison.Ordinal)));
            var r = CliRunner.Run(null, "ingest", good, file, "--data", data);
            Assert.True(r.ExitCode == 1, $"{Path.GetFileName(file)}: {r.All}");
            Assert.Contains(expect, r.All, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Nothing was loaded", r.Out, StringComparison.Ordinal);
            Assert.Equal(before, CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31").GetProperty("totals")[0].GetProperty("billedCost").GetDecimal());
        }
    }

    [Fact]
    public void Skip_invalid_rows_loads_the_good_rows_and_writes_the_bad_ones_with_reasons()
    {
        var data = NewData();
        var dir = RepoPaths.NewTempDir("dwcp-skip");
        var lines = File.ReadAllLines(Sample);
        var file = Path.Combine(dir, "two-bad.csv");
        File.WriteAllLines(file, lines.Select((l, i) => i is 3 or 7 ? l.Replace("\"2024-09-01 00:00:00\"", "\"yesterday\"", StringComparison.Ordinal) : l));
        var r = CliRunner.Run(null, "ingest", file, "--skip-invalid-rows", "--data", data);
        Assert.True(r.ExitCode == 0, r.All);
        var rejected = Directory.GetFiles(Path.Combine(data, "rejected"));
        var sidecar = File.ReadAllLines(Assert.Single(rejected));
        Assert.Equal(3, sidecar.Length);
        Assert.StartsWith("_dwcp_line,_dwcp_error,", sidecar[0], StringComparison.Ordinal);
        Assert.StartsWith("4,", sidecar[1], StringComparison.Ordinal);
        Assert.Contains("yesterday", sidecar[1], StringComparison.Ordinal);
        var total = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31").GetProperty("totals")[0];
        Assert.Equal(998, total.GetProperty("rowCount").GetInt64());
    }

    [Fact]
    public void A_newer_delivery_restates_the_periods_it_contains()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var dir = RepoPaths.NewTempDir("dwcp-restate");
        var lines = File.ReadAllLines(Sample);
        // A restated AWS September: the SunBird account's rows only, every BilledCost doubled.
        var header = lines[0].Split(',');
        var costIdx = Array.IndexOf(header, "\"BilledCost\"");
        var restated = lines.Skip(1).Where(l => l.Contains("\"1234567890123\"", StringComparison.Ordinal) && l.Contains("\"2024-09-01 00:00:00\"", StringComparison.Ordinal))
            .Select(l =>
            {
                var f = l.Split(',');
                if (f.Length != header.Length)
                {
                    return null;
                }

                f[costIdx] = (decimal.Parse(f[costIdx], CultureInfo.InvariantCulture) * 2).ToString(CultureInfo.InvariantCulture);
                return string.Join(',', f);
            }).Where(l => l is not null).ToList();
        Assert.NotEmpty(restated);
        var file = Path.Combine(dir, "restated.csv");
        File.WriteAllLines(file, new[] { lines[0] }.Concat(restated!)!);
        var r = CliRunner.Run(null, "ingest", file, "--data", data);
        Assert.True(r.ExitCode == 0, r.All);
        Assert.Contains("restated", r.Out, StringComparison.Ordinal);

        var byAccount = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31", "--group-by", "billing-account")
            .GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("keys")[0].GetString()!, l => l.GetProperty("billedCost").GetDecimal());
        var expectedRestated = restated.Sum(l => decimal.Parse(l!.Split(',')[costIdx], CultureInfo.InvariantCulture));
        Assert.Equal(expectedRestated, byAccount["1234567890123"]);
    }

    [Fact]
    public void A_gzip_named_csv_with_BOM_and_CRLF_loads_like_the_plain_file()
    {
        var data = NewData();
        var dir = RepoPaths.NewTempDir("dwcp-gz");
        var file = Path.Combine(dir, "looks-plain.csv");
        using (var gz = new GZipStream(File.Create(file), CompressionLevel.Fastest))
        {
            var text = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(string.Join("\r\n", File.ReadAllLines(Sample)) + "\r\n")).ToArray();
            gz.Write(text);
        }

        var r = CliRunner.Run(null, "ingest", file, "--data", data);
        Assert.True(r.ExitCode == 0, r.All);
        var total = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31").GetProperty("totals")[0];
        Assert.Equal(SampleSums.BilledByProvider(Sample).Values.Sum(), total.GetProperty("billedCost").GetDecimal());
    }

    [Fact]
    public void A_mistyped_config_key_exits_2_naming_the_key_and_line()
    {
        var dir = RepoPaths.NewTempDir("dwcp-cfg");
        File.WriteAllText(Path.Combine(dir, "dwcp.yaml"), "analytics:\n  api:\n    query_timeout: 10s\n    max_result: 5\n");
        var r = CliRunner.Run(dir, "cost", "--data", Path.Combine(dir, "data"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("line 4", r.Err, StringComparison.Ordinal);
        Assert.Contains("max_result", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Scope_from_the_command_line_restricts_the_answer()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var all = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31", "--group-by", "billing-account")
            .GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("keys")[0].GetString()!, l => l.GetProperty("billedCost").GetDecimal());
        var one = all.Keys.First();
        var scoped = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31", "--scope", "account=" + one);
        Assert.Equal(all[one], scoped.GetProperty("totals")[0].GetProperty("billedCost").GetDecimal());
        Assert.Equal("account=" + one, scoped.GetProperty("scope").GetString());
    }

    [Fact]
    public void Fx_import_then_cost_in_a_reporting_currency_converts_each_day_at_its_rate()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var native = CostJson(data, "--from", "2024-09-01", "--to", "2024-09-30");
        var days = Enumerable.Range(0, 30).Select(d => new DateOnly(2024, 9, 1).AddDays(d)).ToArray();
        var rates = Path.Combine(data, "rates.csv");
        File.WriteAllText(rates, "date,base,quote,rate\n" + string.Concat(days.Select((d, i) =>
            string.Create(CultureInfo.InvariantCulture, $"{d:yyyy-MM-dd},USD,EUR,{0.9m + (i / 1000m)}\n"))));
        var import = CliRunner.Run(null, "fx", "import", rates, "--data", data);
        Assert.True(import.ExitCode == 0, import.All);
        Assert.Contains("30 new", import.Out, StringComparison.Ordinal);

        var converted = CostJson(data, "--from", "2024-09-01", "--to", "2024-09-30", "--currency", "EUR", "--grain", "day");
        Assert.Equal("EUR", converted.GetProperty("reportingCurrency").GetString());
        var byDay = CostJson(data, "--from", "2024-09-01", "--to", "2024-09-30", "--grain", "day");
        var expected = byDay.GetProperty("lines").EnumerateArray().Sum(l =>
            l.GetProperty("billedCost").GetDecimal() * (0.9m + ((DateOnly.Parse(l.GetProperty("periodStart").GetString()!, CultureInfo.InvariantCulture).Day - 1) / 1000m)));
        var total = converted.GetProperty("totals")[0].GetProperty("billedCost").GetDecimal();
        Assert.Equal(Math.Round(expected, 2), Math.Round(total, 2));
        Assert.Equal(native.GetProperty("totals")[0].GetProperty("rowCount").GetInt64(), converted.GetProperty("totals")[0].GetProperty("rowCount").GetInt64());

        var missing = CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-09-30", "--currency", "GBP");
        Assert.True(missing.ExitCode == 2, missing.All);
        Assert.Contains("No exchange rate from USD to GBP", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Cost_by_hour_gives_UTC_hour_buckets_that_add_up_to_the_daily_answer()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var hours = CliRunner.Run(null, "cost", "--data", data, "--from", "2024-09-01", "--to", "2024-09-30", "--grain", "hour", "--format", "csv");
        Assert.True(hours.ExitCode == 0, hours.All);
        var rows = hours.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:00Z$", r[0]));
        var byDay = CostJson(data, "--from", "2024-09-01", "--to", "2024-09-30", "--grain", "day");
        var dayTotal = byDay.GetProperty("lines").EnumerateArray().Sum(l => l.GetProperty("billedCost").GetDecimal());
        Assert.Equal(dayTotal, rows.Sum(r => decimal.Parse(r[2], NumberStyles.Float, CultureInfo.InvariantCulture)));
        var bad = CliRunner.Run(null, "cost", "--data", data, "--grain", "minute");
        Assert.True(bad.ExitCode == 2, bad.All);
        Assert.Contains("hour", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_writes_one_scored_row_per_input_row_and_bad_values_exit_1()
    {
        var dir = NewData();
        var input = Path.Combine(dir, "series.csv");
        var rng = new Random(3);
        File.WriteAllLines(input, ["timestamp,value", .. Enumerable.Range(0, 300).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $"{new DateTime(2024, 1, 1).AddHours(i):yyyy-MM-dd HH:mm:ss},{(i == 250 ? 500 : 10 + rng.NextDouble())}"))]);
        var output = Path.Combine(dir, "scores.csv");
        var r = CliRunner.Run(null, "detect", "--input", input, "--output", output, "--online");
        Assert.True(r.ExitCode == 0, r.All);
        var lines = File.ReadAllLines(output);
        Assert.Equal("timestamp,value,anomaly_score,is_anomaly", lines[0]);
        Assert.Equal(301, lines.Length);
        Assert.Equal("1", lines[251].Split(',')[3]);

        File.WriteAllText(input, "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,n/a\n");
        var bad = CliRunner.Run(null, "detect", "--input", input, "--output", output);
        Assert.True(bad.ExitCode == 1, bad.All);
        Assert.Contains(":3", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_coverage_as_csv_matches_the_share_computed_from_the_sample()
    {
        var data = NewData();
        Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", data).ExitCode);
        var r = CliRunner.Run(null, "tags", "coverage", "--data", data, "--required", "application", "--format", "csv");
        Assert.True(r.ExitCode == 0, r.All);
        var overall = r.Out.Split('\n')[1].Split(',');
        Assert.Equal(("application", string.Empty, string.Empty), (overall[0], overall[1], overall[2]));
        var (tagged, total) = SampleSums.TagCoverage("application");
        Assert.Equal(tagged, decimal.Parse(overall[4], CultureInfo.InvariantCulture));
        Assert.Equal(total, decimal.Parse(overall[5], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Forecast_writes_exactly_h_rows_per_series_on_the_inputs_grid_and_bad_rows_exit_1()
    {
        var dir = NewData();
        var input = Path.Combine(dir, "long.csv");
        var lines = new List<string> { "series_id,timestamp,value" };
        foreach (var id in new[] { "b", "a" })
        {
            for (var d = 0; d < 60; d++)
            {
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{id},{new DateOnly(2024, 1, 1).AddDays(d):yyyy-MM-dd},{(id == "a" ? 100 : 50) + (d % 7 * 3) + (d * 0.5)}"));
            }
        }

        File.WriteAllLines(input, lines);
        var output = Path.Combine(dir, "out.csv");
        var r = CliRunner.Run(null, "forecast", "--input", input, "--output", output, "--horizon", "14", "--levels", "80,95");
        Assert.True(r.ExitCode == 0, r.All);
        var rows = File.ReadAllLines(output);
        Assert.Equal("series_id,timestamp,mean,lo_80,hi_80,lo_95,hi_95,model", rows[0]);
        Assert.Equal(29, rows.Length);
        Assert.Equal(Enumerable.Repeat("b", 14).Concat(Enumerable.Repeat("a", 14)), rows.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(Enumerable.Range(0, 14).Select(d => new DateOnly(2024, 3, 1).AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            rows.Skip(1).Take(14).Select(l => l.Split(',')[1]));
        foreach (var f in rows.Skip(1).Select(l => l.Split(',')))
        {
            var (mean, lo80, hi80, lo95, hi95) = (double.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture), double.Parse(f[5], CultureInfo.InvariantCulture), double.Parse(f[6], CultureInfo.InvariantCulture));
            Assert.True(lo95 <= lo80 && lo80 <= mean && mean <= hi80 && hi80 <= hi95, string.Join(',', f));
        }

        File.AppendAllText(input, "a,2024-03-01,twelve\n");
        var bad = CliRunner.Run(null, "forecast", "--input", input, "--output", output, "--horizon", "14");
        Assert.True(bad.ExitCode == 1, bad.All);
        Assert.Contains("122", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Store_flag_runs_ingest_and_cost_on_a_real_ClickHouse_with_the_same_totals_as_DuckDB()
    {
        // test.sh starts a ClickHouse server and exports its URL; run alone, this test starts its own with the same script.
        var url = Environment.GetEnvironmentVariable("CLICKHOUSE_TEST_URL");
        string? state = null;
        string? pid = null;
        if (string.IsNullOrEmpty(url))
        {
            state = RepoPaths.NewTempDir("dwcp-cli-ch");
            int Free()
            {
                var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
                l.Start();
                var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
                l.Stop();
                return port;
            }

            var http = Free();
            var start = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash",
                [RepoPaths.Of("tools", "clickhouse", "start.sh"), state, http.ToString(CultureInfo.InvariantCulture), Free().ToString(CultureInfo.InvariantCulture)])
                { RedirectStandardOutput = true })!;
            pid = start.StandardOutput.ReadToEnd().Trim();
            start.WaitForExit();
            Assert.True(start.ExitCode == 0, "tools/clickhouse/start.sh failed; install ClickHouse with tools/clickhouse/install.sh");
            url = $"http://127.0.0.1:{http}";
        }

        try
        {
            var store = "clickhouse://" + new Uri(url).Authority;
            var data = NewData();
            var ingest = CliRunner.Run(null, "ingest", Sample, "--data", data, "--store", store);
            Assert.True(ingest.ExitCode == 0, ingest.All);
            var onClickHouse = CostJson(data, "--from", "2024-01-01", "--to", "2024-12-31", "--group-by", "provider", "--store", store);
            var duck = NewData();
            Assert.Equal(0, CliRunner.Run(null, "ingest", Sample, "--data", duck).ExitCode);
            var onDuckDb = CostJson(duck, "--from", "2024-01-01", "--to", "2024-12-31", "--group-by", "provider");
            static IEnumerable<(string?, decimal)> Lines(JsonElement e) => e.GetProperty("lines").EnumerateArray()
                .Select(l => (l.GetProperty("keys")[0].GetString(), l.GetProperty("billedCost").GetDecimal())).OrderBy(x => x.Item1, StringComparer.Ordinal);
            Assert.Equal(Lines(onDuckDb), Lines(onClickHouse));
            var expected = SampleSums.BilledByProvider(Sample);
            Assert.Equal(expected.Values.Sum(), onClickHouse.GetProperty("totals")[0].GetProperty("billedCost").GetDecimal());
        }
        finally
        {
            if (state is not null)
            {
                System.Diagnostics.Process.Start("bash", [RepoPaths.Of("tools", "clickhouse", "stop.sh"), state, pid ?? string.Empty])!.WaitForExit();
            }
        }
    }
}
