using System.Globalization;
using System.Text;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Storage.DuckDb;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary>Arguments of <c>dwcp cost</c>.</summary>
internal sealed record CostArgs(string? From, string? To, IReadOnlyList<string> GroupBy, string Grain, string CostType, int? Top, IReadOnlyList<string> Filters, string Format, int? Limit, string? Currency = null, double? Sample = null);

/// <summary><c>dwcp cost</c>: cost totals from the command line, through the same query layer as GraphQL.</summary>
internal static class CostCommand
{
    public static async Task<int> RunAsync(CliContext ctx, CostArgs a, CancellationToken ct)
    {
        var groupBy = a.GroupBy.SelectMany(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Select(ParseGrouping).ToArray();
        var filters = a.Filters.Select(ParseFilter).ToArray();
        var measure = a.CostType.ToLowerInvariant() switch
        {
            "billed" => CostMeasure.Billed,
            "effective" => CostMeasure.Effective,
            "list" => CostMeasure.List,
            _ => throw new UsageException($"--cost-type '{a.CostType}' is not one of billed, effective, list."),
        };
        var grain = a.Grain.ToLowerInvariant() switch
        {
            "total" => CostGrain.Total,
            "day" or "daily" => CostGrain.Day,
            "week" or "weekly" => CostGrain.Week,
            "month" or "monthly" => CostGrain.Month,
            "hour" or "hourly" => CostGrain.Hour,
            _ => throw new UsageException($"--grain '{a.Grain}' is not one of total, hour, day, week, month."),
        };

        CostAnswer answer;
        if (ctx.RunningServer() is { } server)
        {
            using var remote = new RemoteServer(server);
            var (from, to) = await ResolveRangeAsync(a, () => throw new UsageException("With a server running, give --from and --to."));
            answer = await remote.QueryAsync(Query(from, to, groupBy, filters, grain, measure, a), ct);
        }
        else
        {
            await using var store = ctx.ServerOptions().OpenStore();
            var costs = new CostQueryService(store, ctx.QueryOptions(), rates: new Dwcp.Cost.Currency.ExchangeRateStore(ctx.DataDir));
            var (from, to) = await ResolveRangeAsync(a, async () => await costs.GetDataRangeAsync(ctx.Scope, ct));
            try
            {
                answer = CostAnswer.From(await costs.QueryAsync(Query(from, to, groupBy, filters, grain, measure, a), ctx.Scope, ct));
            }
            catch (CostQueryException ex) when (ex.Kind is CostQueryErrorKind.InvalidArgument or CostQueryErrorKind.MissingExchangeRate)
            {
                throw new UsageException(ex.Message);
            }
        }

        Write(ctx, answer, measure, a.Format);
        return ExitCodes.Ok;
    }

    private static CostQuery Query(DateOnly from, DateOnly to, CostGrouping[] groupBy, CostFilter[] filters, CostGrain grain, CostMeasure measure, CostArgs a) => new()
    {
        From = from,
        To = to,
        GroupBy = groupBy,
        Filters = filters,
        Grain = grain,
        RankBy = measure,
        TopN = a.Top,
        PageSize = a.Limit,
        Currency = a.Currency,
        Sample = a.Sample,
    };

    private static async Task<(DateOnly From, DateOnly To)> ResolveRangeAsync(CostArgs a, Func<Task<Dwcp.Storage.DataRange>> dataRange)
    {
        DateOnly? from = a.From is null ? null : ParseDate(a.From, "--from");
        DateOnly? to = a.To is null ? null : ParseDate(a.To, "--to");
        if (from is null || to is null)
        {
            // Default: the last month that has data.
            var range = await dataRange();
            var last = to ?? range.To ?? throw new UsageException("The store holds no cost data yet. Run `dwcp ingest FILE` or `dwcp demo` first.");
            to ??= last;
            from ??= new DateOnly(last.Year, last.Month, 1);
        }

        if (to < from)
        {
            throw new UsageException($"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}. Dates are inclusive; swap them.");
        }

        return (from.Value, to.Value);
    }

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option} '{text}' is not a date in the form YYYY-MM-DD.");

    internal static CostGrouping ParseGrouping(string text)
    {
        var t = text.Trim();
        if (t.StartsWith("tag:", StringComparison.OrdinalIgnoreCase) && t.Length > 4)
        {
            return CostGrouping.ForTag(t[4..]);
        }

        var key = t.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        foreach (var d in Enum.GetValues<CostDimension>())
        {
            if (d != CostDimension.Tag && d.ToString().Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return new CostGrouping(d);
            }
        }

        if (key.Equals("account", StringComparison.OrdinalIgnoreCase))
        {
            return new CostGrouping(CostDimension.BillingAccount);
        }

        throw new UsageException($"'{text}' is not a dimension. Use one of: provider, billing-account, sub-account, service, service-category, region, resource, charge-category, pricing-category, currency, tag:KEY.");
    }

    private static CostFilter ParseFilter(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            throw new UsageException($"--filter '{text}' is not DIMENSION=VALUE[,VALUE…] (e.g. provider=AWS or tag:Department=Eng).");
        }

        var values = text[(eq + 1)..].Split(',', StringSplitOptions.TrimEntries).Select(v => v.Length == 0 ? null : v).ToArray();
        return new CostFilter(ParseGrouping(text[..eq]), values);
    }

    private static void Write(CliContext ctx, CostAnswer answer, CostMeasure measure, string format)
    {
        switch (format)
        {
            case "json":
                Console.Out.WriteLine(JsonSerializer.Serialize(answer, CostJson.Options)); // raw: Spectre would wrap long lines
                break;
            case "csv":
                Console.Out.Write(ToCsv(answer));
                break;
            default:
                WriteTable(ctx, answer, measure);
                break;
        }

        if (answer.NextCursor is not null)
        {
            ctx.Error.MarkupLine($"[yellow]Showing {answer.Lines.Count:N0} of {answer.TotalLines:N0} lines (api.max_results). Narrow the query or use --top.[/]");
        }
    }

    /// <summary>A line's bucket: the day (ISO date), or for hourly buckets the UTC hour (ISO 8601, e.g. 2024-03-01T14:00Z).</summary>
    private static string? Period(CostLine l, CostGrain grain) => grain == CostGrain.Hour && l.PeriodStartTime is { } hour
        ? hour.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture)
        : l.PeriodStart?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string ToCsv(CostAnswer answer)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(',', new[] { "period" }.Concat(answer.KeyNames).Concat(["currency", "billed_cost", "effective_cost", "list_cost", "savings", "usage", "usage_unit", "rows", "is_other"]).Select(Csv)));
        foreach (var l in answer.Lines)
        {
            var cells = new List<string?> { Period(l, answer.Query.Grain) };
            cells.AddRange(l.Keys);
            cells.AddRange([l.Currency, Num(l.BilledCost), Num(l.EffectiveCost), Num(l.ListCost), Num(l.Savings), l.ConsumedQuantity is { } q ? Num(q) : null, l.ConsumedUnit,
                l.RowCount.ToString(CultureInfo.InvariantCulture), l.IsOther ? "true" : "false"]);
            sb.AppendLine(string.Join(',', cells.Select(Csv)));
        }

        return sb.ToString();
    }

    private static string Num(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    private static string Csv(string? s) => s is null ? string.Empty
        : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static void WriteTable(CliContext ctx, CostAnswer answer, CostMeasure measure)
    {
        var q = answer.Query;
        ctx.Console.MarkupLine($"[bold]Cost {q.From:yyyy-MM-dd} to {q.To:yyyy-MM-dd}[/] [grey](inclusive, UTC; {measure.ToString().ToLowerInvariant()} cost; scope {Markup.Escape(answer.Scope)})[/]");
        var table = new Table().Border(TableBorder.Rounded);
        if (q.Grain != CostGrain.Total)
        {
            table.AddColumn("Period");
        }

        foreach (var k in answer.KeyNames)
        {
            table.AddColumn(Markup.Escape(k));
        }

        table.AddColumn("Currency");
        table.AddColumn(new TableColumn("Billed").RightAligned());
        table.AddColumn(new TableColumn("Effective").RightAligned());
        table.AddColumn(new TableColumn("List").RightAligned());
        foreach (var l in answer.Lines)
        {
            var cells = new List<string>();
            if (q.Grain != CostGrain.Total)
            {
                cells.Add(Period(l, q.Grain) ?? string.Empty);
            }

            cells.AddRange(l.Keys.Select(k => l.IsOther ? "[italic]Other[/]" : Markup.Escape(k ?? "(none)")));
            cells.AddRange([l.Currency, Money(l.BilledCost), Money(l.EffectiveCost), Money(l.ListCost)]);
            table.AddRow(cells.ToArray());
        }

        ctx.Console.Write(table);
        foreach (var t in answer.Totals)
        {
            ctx.Console.MarkupLine($"[bold]Total {t.Currency}[/]: billed {Money(t.BilledCost)}, effective {Money(t.EffectiveCost)}, list {Money(t.ListCost)} [grey]({t.RowCount:N0} rows)[/]");
            if (t.Estimate is { } e)
            {
                var i = e.Billed;
                ctx.Console.MarkupLine($"[yellow]Estimate from a {e.Ratio:0.####%} sample ({e.RowsScanned:N0} rows): billed 95% interval {Money(i.Lower)} to {Money(i.Upper)}. Omit --sample for the exact answer.[/]");
            }
        }

        if (answer.ReportingCurrency is { } rc && answer.RatesUsed is { Count: > 0 } rates)
        {
            foreach (var g in rates.GroupBy(r => r.From, StringComparer.Ordinal))
            {
                ctx.Console.MarkupLine($"[grey]Converted {g.Key} to {rc} at each charge day's rate: {g.Count():N0} days, rates {g.Min(r => r.Rate):0.######} to {g.Max(r => r.Rate):0.######} ({g.Min(r => r.RateDate):yyyy-MM-dd} to {g.Max(r => r.RateDate):yyyy-MM-dd}{(g.Any(r => r.Via is not null) ? $", cross rates via {g.First(r => r.Via is not null).Via}" : string.Empty)}). --format json lists every rate.[/]");
            }
        }

        if (answer.Totals.Count > 1)
        {
            ctx.Console.MarkupLine("[yellow]Several currencies: totals are per currency and never added together.[/]");
        }
    }

    private static string Money(decimal d) => Math.Round(d, 2, MidpointRounding.AwayFromZero).ToString("N2", CultureInfo.InvariantCulture);
}
