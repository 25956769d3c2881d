using System.Globalization;
using System.Text;
using System.Text.Json;
using Dwcp.Core.Costs;
using Dwcp.Cost;
using Dwcp.Storage.DuckDb;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp tags coverage</c>: the share of cost that carries each required tag key.</summary>
internal static class TagsCommand
{
    public static async Task<int> CoverageAsync(CliContext ctx, string? fromText, string? toText, IReadOnlyList<string> keys, string format, CancellationToken ct)
    {
        var wanted = keys.SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        await using var store = ctx.ServerOptions().OpenStore();
        var costs = new CostQueryService(store, ctx.QueryOptions());
        var range = await costs.GetDataRangeAsync(ctx.Scope, ct);
        var from = fromText is null ? range.From : ParseDate(fromText, "--from");
        var to = toText is null ? range.To : ParseDate(toText, "--to");
        if (from is null || to is null)
        {
            throw new UsageException("The store holds no cost data yet. Run `dwcp ingest FILE` or `dwcp demo` first.");
        }

        IReadOnlyList<TagCoverage> coverage;
        try
        {
            coverage = await costs.TagCoverageAsync(from.Value, to.Value, wanted, CostMeasure.Billed, ctx.Scope, ct);
        }
        catch (CostQueryException ex) when (ex.Kind == CostQueryErrorKind.InvalidArgument)
        {
            throw new UsageException(ex.Message);
        }

        switch (format)
        {
            case "json":
                Console.Out.WriteLine(JsonSerializer.Serialize(coverage, CostJson.Options));
                break;
            case "csv":
                var sb = new StringBuilder("key,provider,billing_account_id,currency,tagged_cost,total_cost,share,tagged_rows,total_rows\n");
                foreach (var c in coverage)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{Csv(c.Key)},{Csv(c.Provider)},{Csv(c.BillingAccountId)},{c.Currency},{c.TaggedCost},{c.TotalCost},{c.Share?.ToString("0.######", CultureInfo.InvariantCulture)},{c.TaggedRows},{c.TotalRows}\n");
                }

                Console.Out.Write(sb.ToString());
                break;
            default:
                ctx.Console.MarkupLine($"[bold]Tag coverage {from:yyyy-MM-dd} to {to:yyyy-MM-dd}[/] [grey](share of billed cost carrying each key; scope {Markup.Escape(ctx.Scope.ToString())})[/]");
                var t = new Table().Border(TableBorder.Rounded).AddColumns("Key", "Provider", "Account", "Currency", "Tagged", "Total", "Share");
                foreach (var c in coverage)
                {
                    var level = c.Provider is null ? "[bold]all[/]" : Markup.Escape(c.Provider);
                    t.AddRow(Markup.Escape(c.Key), level, Markup.Escape(c.BillingAccountId ?? (c.Provider is null ? string.Empty : "[all]")), c.Currency,
                        Money(c.TaggedCost), Money(c.TotalCost), c.Share is { } s ? s.ToString("P1", CultureInfo.InvariantCulture) : "-");
                }

                ctx.Console.Write(t);
                break;
        }

        return ExitCodes.Ok;
    }

    private static string Money(decimal d) => Math.Round(d, 2, MidpointRounding.AwayFromZero).ToString("N2", CultureInfo.InvariantCulture);

    private static string Csv(string? s) => s is null ? string.Empty
        : s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new UsageException($"{option} '{text}' is not a date in the form YYYY-MM-DD.");
}
