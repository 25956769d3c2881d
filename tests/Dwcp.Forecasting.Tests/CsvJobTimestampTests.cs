using System.Globalization;
using System.Text;
using Dwcp.Forecasting.Jobs;

namespace Dwcp.Forecasting.Tests;

/// <summary>Output timestamps continue the input's grid in its own format: local midnights across a daylight-saving
/// change, kept fraction digits and offset style. Expected timestamps are written out by hand.</summary>
public sealed class CsvJobTimestampTests
{
    private static async Task<string[]> TimestampsAsync(IEnumerable<string> rows, int horizon)
    {
        var sb = new StringBuilder();
        using var w = new StringWriter(sb, CultureInfo.InvariantCulture);
        await ForecastCsvJob.RunAsync(new StringReader("series_id,timestamp,value\n" + string.Join("\n", rows) + "\n"), w, "in.csv", new ForecastJobOptions
        {
            InputPath = "in.csv", OutputPath = "out.csv", Horizon = horizon, Models = ["naive"], MaxParallelism = 1,
        });
        return [.. sb.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => CsvSeries.SplitLine(l)[1])];
    }

    [Fact]
    public async Task Daily_local_midnights_across_a_daylight_saving_change_stay_on_the_grid_and_continue_at_midnight()
    {
        // Central European time: +01:00 until 2024-03-31 02:00, then +02:00.
        var rows = Enumerable.Range(0, 40).Select(i =>
        {
            var day = new DateTime(2024, 3, 1).AddDays(i);
            var offset = day < new DateTime(2024, 3, 31) ? "+01:00" : "+02:00";
            return $"b,{day:yyyy-MM-dd}T00:00:00{offset},{10 + (i % 7)}";
        });

        var output = await TimestampsAsync(rows, 3);

        Assert.Equal(["2024-04-10T00:00:00+02:00", "2024-04-11T00:00:00+02:00", "2024-04-12T00:00:00+02:00"], output);
    }

    [Fact]
    public async Task Hourly_data_across_the_change_continues_in_elapsed_hours()
    {
        // 2024-03-31 00:00+01:00 … the clock jumps from 02:00+01:00 to 03:00+02:00; 30 hourly points in UTC steps.
        var start = new DateTimeOffset(2024, 3, 30, 20, 0, 0, TimeSpan.FromHours(1));
        var rows = Enumerable.Range(0, 30).Select(i =>
        {
            var t = start.AddHours(i);
            var local = t.UtcDateTime >= new DateTime(2024, 3, 31, 1, 0, 0) ? t.ToOffset(TimeSpan.FromHours(2)) : t;
            return $"h,{local:yyyy-MM-dd'T'HH:mm:sszzz},{i % 5}";
        });

        var output = await TimestampsAsync(rows, 2);

        // The first point is 2024-03-30 19:00 UTC; the last, 29 elapsed hours later, 2024-04-01 00:00 UTC = 02:00+02:00.
        Assert.Equal(["2024-04-01T03:00:00+02:00", "2024-04-01T04:00:00+02:00"], output);
    }

    [Fact]
    public async Task Fraction_digits_and_an_offset_without_colon_are_kept()
    {
        var millis = await TimestampsAsync(Enumerable.Range(0, 10).Select(i => $"m,2024-01-03T{i:00}:00:00.000Z,{i}"), 2);
        var compact = await TimestampsAsync(Enumerable.Range(0, 10).Select(i => $"c,2024-01-03T{i:00}:00:00+0200,{i}"), 1);

        Assert.Equal(["2024-01-03T10:00:00.000Z", "2024-01-03T11:00:00.000Z"], millis);
        Assert.Equal(["2024-01-03T10:00:00+0200"], compact);
    }
}
