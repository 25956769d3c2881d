using System.Globalization;
using System.Text;
using Dwcp.Forecasting.Jobs;

namespace Dwcp.Forecasting.Tests;

public class CsvJobGlobalTests
{
    private sealed class Collect : IProgress<ForecastJobProgress>
    {
        public List<ForecastJobProgress> Items { get; } = [];

        public void Report(ForecastJobProgress value)
        {
            lock (Items)
            {
                Items.Add(value);
            }
        }
    }

    private static string ManySeries(int count, int days)
    {
        var sb = new StringBuilder("series_id,timestamp,value\n");
        for (int s = 0; s < count; s++)
        {
            var rng = new Random(s);
            double level = 20 + 5 * s;
            for (int d = 0; d < days; d++)
            {
                double v = level * (1 + 0.3 * Math.Sin(2 * Math.PI * d / 7)) + rng.NextDouble();
                sb.Append(CultureInfo.InvariantCulture, $"s{s:00},{new DateOnly(2025, 1, 1).AddDays(d):yyyy-MM-dd},{v.ToString(CultureInfo.InvariantCulture)}\n");
            }
        }

        return sb.ToString();
    }

    private static Task<ForecastJobResult> Run(string input, IReadOnlyList<string> models, IProgress<ForecastJobProgress>? progress = null, CancellationToken ct = default) =>
        ForecastCsvJob.RunAsync(new StringReader(input), new StringWriter(), "many.csv", new ForecastJobOptions
        {
            InputPath = "many.csv",
            OutputPath = "out.csv",
            Horizon = 7,
            Models = models,
        }, progress, ct);

    [Fact]
    public async Task Auto_adds_the_global_model_when_twenty_series_share_a_frequency()
    {
        var progress = new Collect();
        var result = await Run(ManySeries(ForecastCsvJob.AutoGlobalMinSeries, 120), ["auto"], progress);
        Assert.Empty(result.Warnings);
        Assert.All(result.Series, s => Assert.Contains(s.Forecast.Notes, n => n.Contains("gbm=", StringComparison.Ordinal)));
        Assert.Equal(ForecastCsvJob.AutoGlobalMinSeries, progress.Items.Count);
        Assert.Equal(Enumerable.Range(1, ForecastCsvJob.AutoGlobalMinSeries), progress.Items.Select(p => p.Completed).Order());

        var few = await Run(ManySeries(3, 120), ["auto"]);
        Assert.All(few.Series, s => Assert.DoesNotContain(s.Forecast.Notes, n => n.Contains("gbm=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Gbm_alone_is_named_in_the_output()
    {
        var result = await Run(ManySeries(5, 120), ["gbm"]);
        Assert.All(result.Series, s => Assert.Equal("gbm", s.Forecast.Model));
        Assert.All(result.Series, s => Assert.Equal(IntervalMethod.Conformal, s.Forecast.IntervalMethod));
    }

    [Fact]
    public async Task Gbm_on_too_short_series_is_a_data_error_and_auto_skips_it_with_a_warning()
    {
        var ex = await Assert.ThrowsAsync<ForecastInputException>(() => Run(ManySeries(3, 12), ["gbm"]));
        Assert.Contains("global model", ex.Message, StringComparison.Ordinal);
        var auto = await Run(ManySeries(ForecastCsvJob.AutoGlobalMinSeries, 12), ["auto"]);
        Assert.Contains(auto.Warnings, w => w.Contains("gbm model was skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_job_stops()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(ManySeries(3, 60), ["auto"], ct: cts.Token));
    }
}
