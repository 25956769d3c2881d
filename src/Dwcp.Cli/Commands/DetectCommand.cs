using Dwcp.Anomalies.Csv;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp detect</c>: anomaly scores for <c>timestamp,value</c> CSV files (the contract in docs/anomalies.md).</summary>
internal static class DetectCommand
{
    public static int Run(CliContext ctx, string input, string output, bool online, double fpRate, int? period)
    {
        if (!(fpRate > 0 && fpRate < 1))
        {
            throw new UsageException($"--fp-rate {fpRate} must be between 0 and 1 (exclusive), e.g. 0.05 for a 5% false-positive rate.");
        }

        if (period is < 0 or 1)
        {
            throw new UsageException($"--period {period} is not a seasonal period: give the number of rows in one season (2 or more, e.g. 24 for hourly data with a daily cycle), 0 for none, or leave it out to detect it.");
        }

        if (!File.Exists(input) && !Directory.Exists(input))
        {
            throw new UsageException($"--input {input}: no such file or folder.");
        }

        DetectJobResult result;
        try
        {
            result = DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = output, Online = online, FpRate = fpRate, Period = period });
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(UsageException.Plain(ex));
        }
        catch (AnomalyInputException ex)
        {
            ctx.Error.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            return ExitCodes.Failure;
        }

        foreach (var w in result.Warnings)
        {
            ctx.Error.MarkupLine("[yellow]warning:[/] " + Markup.Escape(w));
        }

        foreach (var f in result.Files)
        {
            ctx.Error.MarkupLine(Markup.Escape($"{f.Input} → {f.Output}: {f.Rows:N0} rows, {f.Anomalies:N0} flagged at fp-rate {fpRate} (period {f.Period})."));
        }

        return ExitCodes.Ok;
    }
}
