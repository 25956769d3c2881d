using System.Globalization;
using Dwcp.Forecasting.Jobs;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary>Arguments of <c>dwcp forecast</c> (the contract in docs/forecasting.md).</summary>
internal sealed record ForecastArgs(string Input, string Output, int Horizon, string? Season, string Levels, string Models, string Aggregate, int? MaxParallelism);

/// <summary><c>dwcp forecast</c>: forecasts with prediction intervals for every series of a long-format CSV.</summary>
internal static class ForecastCommand
{
    public static async Task<int> RunAsync(CliContext ctx, ForecastArgs a, CancellationToken ct)
    {
        if (!File.Exists(a.Input))
        {
            throw new UsageException($"--input {a.Input}: no such file.");
        }

        var options = new ForecastJobOptions
        {
            InputPath = a.Input,
            OutputPath = a.Output,
            Horizon = a.Horizon,
            SeasonalPeriods = a.Season is null ? null : Seasons(a.Season),
            Levels = Levels(a.Levels),
            Models = a.Models.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Aggregate = a.Aggregate.ToLowerInvariant() switch
            {
                "none" => AggregateMode.None,
                "sum" => AggregateMode.Sum,
                "mean" => AggregateMode.Mean,
                _ => throw new UsageException($"--aggregate '{a.Aggregate}' is not one of none, sum, mean."),
            },
            MaxParallelism = a.MaxParallelism ?? Environment.ProcessorCount,
        };

        ForecastJobResult result;
        try
        {
            result = await ctx.Error.Progress().AutoClear(true).StartAsync(async p =>
            {
                var task = p.AddTask("Forecasting", maxValue: 1);
                var progress = new Progress<ForecastJobProgress>(x =>
                {
                    task.MaxValue = Math.Max(1, x.Total);
                    task.Value = x.Completed;
                });
                return await ForecastCsvJob.RunAsync(options, progress, ct);
            });
        }
        catch (ForecastJobException ex)
        {
            ctx.Error.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            return ex.ExitCode;
        }

        foreach (var w in result.Warnings)
        {
            ctx.Error.MarkupLine("[yellow]warning:[/] " + Markup.Escape(w));
        }

        ctx.Error.MarkupLine(Markup.Escape($"Wrote {result.RowsWritten:N0} rows for {result.Series.Count:N0} series to {a.Output}."));
        return ExitCodes.Ok;
    }

    private static int[] Seasons(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v >= 2
                ? v
                : throw new UsageException($"--season '{text}': '{t}' is not a whole number of time steps of 2 or more (comma-separated, e.g. 24,168 for hourly data with daily and weekly cycles).")).ToArray();

    /// <summary>--levels are percentages; a level below 1 is almost surely a fraction (0.95 meant as 95%), so it is refused
    /// with the percentage it probably meant rather than giving a 0.95% interval.</summary>
    private static double[] Levels(string text)
    {
        var levels = Numbers(text, "--levels");
        if (levels.Any(l => l < 1))
        {
            var meant = string.Join(',', levels.Select(l => (l < 1 ? l * 100 : l).ToString("0.##", CultureInfo.InvariantCulture)));
            throw new UsageException($"--levels '{text}': levels are percentages between 1 and 100 (exclusive); did you mean --levels {meant}?");
        }

        return levels;
    }

    private static double[] Numbers(string text, string option) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t =>
            double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new UsageException($"{option} '{text}': '{t}' is not a positive number (comma-separated, e.g. 80,95).")).ToArray();
}
