using System.Globalization;
using System.Text.Json;
using Dwcp.Cost;
using Dwcp.Cost.Currency;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp fx</c>: the exchange-rate table of the data folder (used by <c>--currency</c> and GraphQL's <c>currency</c>).</summary>
internal static class FxCommand
{
    public static int Import(CliContext ctx, string file, string baseCurrency)
    {
        if (!File.Exists(file))
        {
            throw new UsageException($"No such file: {file}");
        }

        var store = new ExchangeRateStore(ctx.DataDir);
        ExchangeRateImport result;
        try
        {
            result = store.Import(file, baseCurrency);
        }
        catch (ExchangeRateFormatException ex)
        {
            ctx.Error.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
            ctx.Error.MarkupLine("[grey]Nothing was imported. Fix the file and run the import again.[/]");
            return ExitCodes.Failure;
        }

        ctx.Console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"Imported {result.Read:N0} rates from {Path.GetFileName(file)} ({result.FirstDay:yyyy-MM-dd} to {result.LastDay:yyyy-MM-dd}): {result.Added:N0} new, {result.Replaced:N0} replaced, {result.Unchanged:N0} unchanged; {result.Total:N0} rates in {store.FilePath}.")));
        return ExitCodes.Ok;
    }

    public static int List(CliContext ctx, string format)
    {
        var store = new ExchangeRateStore(ctx.DataDir);
        var table = store.Current;
        var pairs = table.All().GroupBy(r => (r.Base, r.Quote))
            .Select(g => new { g.Key.Base, g.Key.Quote, Days = g.Count(), First = g.Min(r => r.Date), Last = g.Max(r => r.Date), LatestRate = g.MaxBy(r => r.Date)!.Rate })
            .ToArray();
        switch (format)
        {
            case "json":
                Console.Out.WriteLine(JsonSerializer.Serialize(pairs, CostJson.Options));
                break;
            case "csv":
                Console.Out.WriteLine("base,quote,days,first,last,latest_rate");
                foreach (var p in pairs)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Base},{p.Quote},{p.Days},{p.First:yyyy-MM-dd},{p.Last:yyyy-MM-dd},{p.LatestRate}"));
                }

                break;
            default:
                if (pairs.Length == 0)
                {
                    ctx.Console.MarkupLine($"No exchange rates in {Markup.Escape(store.FilePath)}. Import some with [bold]dwcp fx import FILE[/] (ECB reference-rate CSV or date,base,quote,rate).");
                    return ExitCodes.Ok;
                }

                var t = new Table().Border(TableBorder.Rounded).AddColumns("Base", "Quote", "Days", "First", "Last", "Latest rate");
                foreach (var p in pairs)
                {
                    t.AddRow(p.Base, p.Quote, p.Days.ToString("N0", CultureInfo.InvariantCulture), p.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                        p.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), p.LatestRate.ToString(CultureInfo.InvariantCulture));
                }

                ctx.Console.Write(t);
                break;
        }

        return ExitCodes.Ok;
    }
}
