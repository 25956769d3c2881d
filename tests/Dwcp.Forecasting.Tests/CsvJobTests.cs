using System.Globalization;
using System.Text;
using Dwcp.Forecasting.Jobs;
using Dwcp.Tests;

namespace Dwcp.Forecasting.Tests;

public class CsvJobTests
{
    private static string Csv(params string[] rows) => "series_id,timestamp,value\n" + string.Join("\n", rows) + "\n";

    private static async Task<(string Output, ForecastJobResult Result)> Run(string input, int horizon = 4, IReadOnlyList<string>? models = null, AggregateMode aggregate = AggregateMode.None, int parallelism = 2, IReadOnlyList<double>? levels = null)
    {
        var sb = new StringBuilder();
        using var w = new StringWriter(sb, CultureInfo.InvariantCulture);
        var result = await ForecastCsvJob.RunAsync(new StringReader(input), w, "in.csv", new ForecastJobOptions
        {
            InputPath = "in.csv",
            OutputPath = "out.csv",
            Horizon = horizon,
            Models = models ?? ["auto"],
            Aggregate = aggregate,
            MaxParallelism = parallelism,
            Levels = levels ?? [80, 95],
        });
        return (sb.ToString(), result);
    }

    private static string[] DailyRows(string id, int n, DateOnly start, Func<int, double> value) =>
        [.. Enumerable.Range(0, n).Select(i => $"{id},{start.AddDays(i):yyyy-MM-dd},{value(i).ToString(CultureInfo.InvariantCulture)}")];

    [Fact]
    public async Task Writes_exactly_H_rows_per_series_in_order_of_first_appearance_on_files()
    {
        var dir = RepoPaths.NewTempDir("dwcp-forecast");
        var rng = new Random(1);
        var a = DailyRows("alpha", 60, new DateOnly(2025, 1, 1), i => 100 + 10 * (i % 7 == 5 ? -3 : 1) + rng.NextDouble());
        var b = DailyRows("beta,eu", 30, new DateOnly(2025, 2, 1), i => 50 + i);
        var lines = new List<string> { "\"beta,eu\",2025-01-31,49" };
        lines.AddRange(a.Zip(b.Concat(Enumerable.Repeat<string?>(null, 60)), (x, y) => y is null ? [x] : new[] { x, y.Replace("beta,eu", "\"beta,eu\"", StringComparison.Ordinal) }).SelectMany(p => p));
        string input = Path.Combine(dir, "in.csv"), output = Path.Combine(dir, "sub", "out.csv");
        await File.WriteAllTextAsync(input, Csv([.. lines]));

        var result = await ForecastCsvJob.RunAsync(new ForecastJobOptions { InputPath = input, OutputPath = output, Horizon = 7 });

        var outLines = await File.ReadAllLinesAsync(output);
        Assert.Equal("series_id,timestamp,mean,lo_80,hi_80,lo_95,hi_95,model", outLines[0]);
        Assert.Equal(1 + 14, outLines.Length);
        Assert.Equal(14, result.RowsWritten);
        Assert.All(outLines[1..8], l => Assert.StartsWith("\"beta,eu\",", l));
        Assert.All(outLines[8..], l => Assert.StartsWith("alpha,", l));
        Assert.Equal("2025-03-03", CsvField(outLines[1], 1));
        Assert.Equal("2025-03-02", CsvField(outLines[8], 1));
        Assert.Equal("2025-03-08", CsvField(outLines[14], 1));
        foreach (var l in outLines[1..])
        {
            var f = CsvSeries.SplitLine(l).Skip(1).ToArray();
            double mean = double.Parse(f[1], CultureInfo.InvariantCulture), lo80 = double.Parse(f[2], CultureInfo.InvariantCulture), hi80 = double.Parse(f[3], CultureInfo.InvariantCulture);
            double lo95 = double.Parse(f[4], CultureInfo.InvariantCulture), hi95 = double.Parse(f[5], CultureInfo.InvariantCulture);
            Assert.True(lo95 <= lo80 && lo80 <= mean && mean <= hi80 && hi80 <= hi95, l);
            Assert.False(string.IsNullOrWhiteSpace(f[6]));
        }

        Assert.Equal(["beta,eu", "alpha"], result.Series.Select(s => s.SeriesId));
        Assert.Empty(result.Warnings);
    }

    private static string CsvField(string line, int index) => CsvSeries.SplitLine(line)[index];

    [Fact]
    public async Task Keeps_the_input_timestamp_format_and_offset()
    {
        var rows = Enumerable.Range(0, 48).Select(i => $"s,{new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.FromHours(2)).AddHours(i):yyyy-MM-ddTHH:mm:sszzz},{10 + i % 24}").ToArray();
        var (output, _) = await Run(Csv(rows), horizon: 2, models: ["snaive"]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("s,2025-03-03T00:00:00+02:00,10,", lines[1]);
        Assert.StartsWith("s,2025-03-03T01:00:00+02:00,11,", lines[2]);
        Assert.EndsWith(",snaive", lines[1]);
    }

    [Fact]
    public async Task Numbers_are_written_without_exponents_or_negative_zero()
    {
        var (output, _) = await Run(Csv("x,2025-01-01,0.0000001", "x,2025-01-02,-0.0000001", "x,2025-01-03,12345678.1234567"), horizon: 1, models: ["naive"], levels: [50]);
        var f = output.Split('\n')[1].Split(',');
        Assert.Equal("12345678.123457", f[2]);
        Assert.DoesNotContain("E", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custom_levels_give_one_pair_of_columns_each_in_the_given_order()
    {
        var (output, _) = await Run(Csv(DailyRows("x", 20, new DateOnly(2025, 1, 1), i => i)), horizon: 1, models: ["naive"], levels: [95, 50]);
        Assert.StartsWith("series_id,timestamp,mean,lo_95,hi_95,lo_50,hi_50,model\n", output.Replace("\r", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unsorted_input_is_sorted_with_a_warning()
    {
        var rows = DailyRows("x", 30, new DateOnly(2025, 1, 1), i => 5 + (i % 3));
        var shuffled = rows.Reverse().ToArray();
        var (sorted, r1) = await Run(Csv(rows), models: ["ets"]);
        var (unsorted, r2) = await Run(Csv(shuffled), models: ["ets"]);
        Assert.Equal(sorted, unsorted);
        Assert.Empty(r1.Warnings);
        Assert.Contains(r2.Warnings, w => w.Contains("not sorted", StringComparison.Ordinal) && w.Contains("'x'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Duplicate_timestamps_are_an_error_unless_aggregated()
    {
        var rows = DailyRows("x", 12, new DateOnly(2025, 1, 1), i => 10).Append("x,2025-01-12,5").ToArray();
        var ex = await Assert.ThrowsAsync<ForecastInputException>(() => Run(Csv(rows)));
        Assert.Equal(14, ex.LineNumber);
        Assert.Equal("x", ex.SeriesId);
        Assert.Equal("timestamp", ex.Field);
        Assert.Contains("line 13", ex.Message);
        Assert.Equal(1, ex.ExitCode);

        var (sum, _) = await Run(Csv(rows), horizon: 1, models: ["naive"], aggregate: AggregateMode.Sum);
        Assert.StartsWith("x,2025-01-13,15,", sum.Split('\n')[1]);
        var (mean, _) = await Run(Csv(rows), horizon: 1, models: ["naive"], aggregate: AggregateMode.Mean);
        Assert.StartsWith("x,2025-01-13,7.5,", mean.Split('\n')[1]);
    }

    [Fact]
    public async Task Off_grid_timestamps_name_the_series_and_line()
    {
        var rows = Enumerable.Range(0, 10).Select(i => $"h,2025-01-01 {i:00}:00:00,{i}").Append("h,2025-01-01 10:30:00,1").ToArray();
        var ex = await Assert.ThrowsAsync<ForecastInputException>(() => Run(Csv(rows)));
        Assert.Equal(12, ex.LineNumber);
        Assert.Equal("h", ex.SeriesId);
        Assert.Contains("off the series' hourly grid", ex.Message);
    }

    [Fact]
    public async Task Missing_grid_points_are_filled_with_a_warning()
    {
        var rows = DailyRows("x", 30, new DateOnly(2025, 1, 1), i => 2 * i).Where((_, i) => i is not (10 or 11 or 20)).ToArray();
        var (output, result) = await Run(Csv(rows), horizon: 3, models: ["drift"]);
        Assert.Contains(result.Warnings, w => w.Contains("misses 3 of 30", StringComparison.Ordinal));
        Assert.Equal(30, result.Series[0].Points);
        Assert.StartsWith("x,2025-01-31,60,", output.Split('\n')[1]);
    }

    [Theory]
    [InlineData("x,2025-01-02,abc", 3, "value")]
    [InlineData("x,2025-01-02,1,5", -1, null)]
    [InlineData("x,02/01/2025,1", 3, "timestamp")]
    [InlineData(",2025-01-02,1", 3, "series_id")]
    public async Task Bad_rows_report_line_and_field(string badRow, int line, string? field)
    {
        var input = Csv("x,2025-01-01,1", badRow, "x,2025-01-03,2");
        if (line < 0)
        {
            // An extra trailing field is tolerated; the row is read normally.
            var (output, _) = await Run(input, horizon: 1, models: ["naive"]);
            Assert.StartsWith("x,2025-01-04,2,", output.Split('\n')[1]);
            return;
        }

        var ex = await Assert.ThrowsAsync<ForecastInputException>(() => Run(input));
        Assert.Equal(line, ex.LineNumber);
        Assert.Equal(field, ex.Field);
        Assert.Contains("in.csv:3", ex.Message);
    }

    [Fact]
    public async Task Bad_header_empty_file_and_one_point_series_are_data_errors()
    {
        var header = await Assert.ThrowsAsync<ForecastInputException>(() => Run("id,time,v\nx,2025-01-01,1\n"));
        Assert.Equal(1, header.LineNumber);
        Assert.Contains("series_id", header.Message);
        await Assert.ThrowsAsync<ForecastInputException>(() => Run(""));
        var single = await Assert.ThrowsAsync<ForecastInputException>(() => Run(Csv("x,2025-01-01,1", "y,2025-01-01,1", "y,2025-01-02,2")));
        Assert.Equal("x", single.SeriesId);
        Assert.Contains("at least 2", single.Message);
    }

    [Theory]
    [InlineData(0, "auto", "--horizon")]
    [InlineData(-3, "auto", "--horizon")]
    [InlineData(3, "prophet", "--models")]
    public async Task Bad_options_are_usage_errors(int horizon, string model, string option)
    {
        var ex = await Assert.ThrowsAsync<ForecastUsageException>(() => Run(Csv("x,2025-01-01,1", "x,2025-01-02,2"), horizon, [model]));
        Assert.Equal(option, ex.Option);
        Assert.Equal(2, ex.ExitCode);
    }

    [Fact]
    public async Task Bad_levels_seasons_and_missing_files_are_usage_errors()
    {
        await Assert.ThrowsAsync<ForecastUsageException>(() => Run(Csv("x,2025-01-01,1", "x,2025-01-02,2"), levels: [80, 100]));
        await Assert.ThrowsAsync<ForecastUsageException>(() => ForecastCsvJob.RunAsync(new ForecastJobOptions { InputPath = "x.csv", OutputPath = "o.csv", Horizon = 1, SeasonalPeriods = [1] }));
        var missing = await Assert.ThrowsAsync<ForecastUsageException>(() => ForecastCsvJob.RunAsync(new ForecastJobOptions { InputPath = Path.Combine(RepoPaths.NewTempDir(), "none.csv"), OutputPath = "o.csv", Horizon = 1 }));
        Assert.Equal("--input", missing.Option);
    }

    [Fact]
    public async Task Parallel_result_equals_sequential_result()
    {
        var rows = new List<string>();
        for (int s = 0; s < 6; s++)
        {
            var rng = new Random(s);
            rows.AddRange(DailyRows($"s{s}", 70 + 5 * s, new DateOnly(2024, 6, 1), i => 50 + s * 10 + 8 * Math.Sin(2 * Math.PI * i / 7) + 3 * rng.NextDouble()));
        }

        var (seq, _) = await Run(Csv([.. rows]), horizon: 7, parallelism: 1);
        var (par, _) = await Run(Csv([.. rows]), horizon: 7, parallelism: 4);
        Assert.Equal(seq, par);
        Assert.Equal(1 + 6 * 7, seq.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Monthly_series_continue_by_calendar_month()
    {
        static DateOnly MonthEnd(int i)
        {
            var d = new DateOnly(2022, 1, 1).AddMonths(i);
            return new DateOnly(d.Year, d.Month, DateTime.DaysInMonth(d.Year, d.Month));
        }

        var rows = Enumerable.Range(0, 30).Select(i => $"m,{MonthEnd(i):yyyy-MM-dd},{100 + i}").ToArray();
        var (output, result) = await Run(Csv(rows), horizon: 3, models: ["drift"]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("monthly", result.Series[0].Frequency);
        Assert.StartsWith("m,2024-07-31,", lines[1]);
        Assert.StartsWith("m,2024-08-31,", lines[2]);
        Assert.StartsWith("m,2024-09-30,", lines[3]);
    }
}
