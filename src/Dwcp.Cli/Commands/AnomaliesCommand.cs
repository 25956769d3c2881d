using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dwcp.Anomalies.Costs;
using Dwcp.Cost;
using Dwcp.Cost.Anomalies;
using Dwcp.Server;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary>Arguments of <c>dwcp anomalies</c>; a null MinImpact or MinShare takes <c>analytics.anomalies.min_impact</c> or <c>min_share</c>.</summary>
internal sealed record AnomaliesArgs(
    string? From, string? To, double FpRate, string Format, string MinSeverity, IReadOnlyList<string> Services, bool IncludeSuppressed, int Limit, decimal? MinImpact = null, double? MinShare = null);

/// <summary>
/// <c>dwcp anomalies</c>: cost anomalies of the store, largest dollar impact first; <c>dwcp anomalies feedback ID --kind</c>
/// records a verdict. Through the server's GraphQL endpoint when a server holds the data folder, else in-process.
/// </summary>
internal static class AnomaliesCommand
{
    private const string DetectQuery = """
        query($threshold: Float, $from: String, $to: String, $services: [String!], $min: AnomalySeverity, $suppressed: Boolean, $first: Int, $minImpact: Decimal, $minShare: Float) {
          detectAnomalies(threshold: $threshold, startDate: $from, endDate: $to, services: $services, minSeverity: $min, includeSuppressed: $suppressed, first: $first, minImpact: $minImpact, minShare: $minShare) {
            id timestamp providerName service billingAccountId currency expectedCost actualCost deviationPercentage severity score suppressed
            probableCauses recommendedActions rootCauses { dimension value expected actual dollarDelta share change }
          }
        }
        """;

    private const string MarkMutation = """
        mutation($id: ID!, $kind: FeedbackKind!, $note: String) { markAnomaly(id: $id, kind: $kind, note: $note) { id kind timestamp deviationPercentage } }
        """;

    /// <summary>The <c>anomalies</c> command with its <c>feedback</c> subcommand.</summary>
    public static Command Create(Func<ParseResult, CliContext> context, Action<int> setExit)
    {
        var from = new Option<string?>("--from") { Description = "First day reported, YYYY-MM-DD (default: 30 days before --to)." };
        var to = new Option<string?>("--to") { Description = "Last day reported, YYYY-MM-DD (default: the last day with data)." };
        var fp = new Option<double>("--fp-rate") { Description = "Target false-positive rate: the chance that an anomaly-free series raises any alarm in the range (a per-day rate picks candidates; docs/anomalies.md).", DefaultValueFactory = _ => 0.05 };
        var format = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
        var min = new Option<string>("--min-severity") { Description = "low, medium, high or critical.", DefaultValueFactory = _ => "low" };
        var services = new Option<string[]>("--service") { Description = "Only this ServiceName (repeatable).", AllowMultipleArgumentsPerToken = true };
        var suppressed = new Option<bool>("--include-suppressed") { Description = "Also list anomalies that feedback suppressed." };
        var limit = new Option<int>("--limit") { Description = "Most anomalies listed.", DefaultValueFactory = _ => 100 };
        var minImpact = new Option<decimal?>("--min-impact") { Description = "Materiality floor: smallest dollar impact |actual - expected| reported, in the series' currency; 0 or more, 0 = no absolute floor (default: analytics.anomalies.min_impact, 10).", HelpName = "AMOUNT", CustomParser = ParseMinImpact };
        var minShare = new Option<double?>("--min-share") { Description = "Materiality floor: smallest impact as a share of the series' typical daily spend (median of the 28 days before); 0 to 1, 0 = no relative floor (default: analytics.anomalies.min_share, 0.1).", HelpName = "FRACTION", CustomParser = ParseMinShare };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        min.AcceptOnlyFromAmong("low", "medium", "high", "critical");
        var command = new Command("anomalies", "Cost anomalies per provider/service and billing account, largest dollar impact first, with root cause, probable causes and actions.");
        foreach (var o in new Option[] { from, to, fp, format, min, services, suppressed, limit, minImpact, minShare })
        {
            command.Options.Add(o);
        }

        command.SetAction(async (p, ct) => setExit(await RunAsync(context(p), new AnomaliesArgs(
            p.GetValue(from), p.GetValue(to), p.GetValue(fp), p.GetValue(format)!, p.GetValue(min)!, p.GetValue(services) ?? [], p.GetValue(suppressed), p.GetValue(limit),
            p.GetValue(minImpact), p.GetValue(minShare)), ct)));

        var id = new Argument<string>("ID") { Description = "The anomaly id (first column of 'dwcp anomalies')." };
        var kind = new Option<string>("--kind") { Description = "expected, planned or real.", Required = true };
        var note = new Option<string?>("--note") { Description = "Free text kept with the verdict." };
        kind.AcceptOnlyFromAmong("expected", "planned", "real");
        var feedback = new Command("feedback", "Mark an anomaly expected, planned or real. Expected and planned suppress similar later deviations of the same series; real never does.");
        feedback.Arguments.Add(id);
        feedback.Options.Add(kind);
        feedback.Options.Add(note);
        feedback.SetAction(async (p, ct) => setExit(await FeedbackAsync(context(p), p.GetValue(id)!, p.GetValue(kind)!, p.GetValue(note), ct)));
        command.Subcommands.Add(feedback);
        return command;
    }

    /// <summary>Lists anomalies.</summary>
    public static async Task<int> RunAsync(CliContext ctx, AnomaliesArgs a, CancellationToken ct)
    {
        if (!(a.FpRate > 0 && a.FpRate < 1))
        {
            throw new UsageException($"--fp-rate {a.FpRate.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1 (e.g. 0.05).");
        }

        if (a.Limit < 1)
        {
            throw new UsageException($"--limit must be at least 1; got {a.Limit}.");
        }

        var materiality = Materiality(ctx, a);
        var severity = Enum.Parse<AnomalySeverity>(a.MinSeverity, ignoreCase: true);
        var (from, to) = (ParseDate(a.From, "--from"), ParseDate(a.To, "--to"));
        IReadOnlyList<AnomalyJson.AnomalyDocument> docs;
        if (ctx.RunningServer() is { } server)
        {
            var data = await GraphQLAsync(server, DetectQuery, new
            {
                threshold = a.FpRate,
                from = a.From,
                to = a.To,
                services = a.Services.Count == 0 ? null : a.Services,
                min = severity.ToString().ToUpperInvariant(),
                suppressed = a.IncludeSuppressed,
                first = a.Limit,
                minImpact = materiality.MinImpact,
                minShare = materiality.MinShare,
            }, ct);
            docs = data.GetProperty("detectAnomalies").EnumerateArray().Select(FromGraph).ToList();
        }
        else
        {
            await using var store = ctx.ServerOptions().OpenStore();
            var service = Service(ctx, store);
            try
            {
                var report = await service.DetectAnomaliesAsync(new AnomalyRequest
                {
                    Threshold = a.FpRate,
                    From = from,
                    To = to,
                    Services = a.Services,
                    MinSeverity = severity,
                    IncludeSuppressed = a.IncludeSuppressed,
                    Materiality = materiality,
                }, ctx.Scope, ct);
                docs = report.Anomalies.Take(a.Limit).Select(AnomalyJson.ToDocument).ToList();
            }
            catch (CostQueryException ex) when (ex.Kind == CostQueryErrorKind.InvalidArgument)
            {
                throw new UsageException(ex.Message);
            }
        }

        Write(ctx, docs, a.Format);
        return ExitCodes.Ok;
    }

    /// <summary>Records a verdict.</summary>
    public static async Task<int> FeedbackAsync(CliContext ctx, string id, string kind, string? note, CancellationToken ct)
    {
        var k = Enum.Parse<FeedbackKind>(kind, ignoreCase: true);
        string day;
        double deviation;
        if (ctx.RunningServer() is { } server)
        {
            var data = await GraphQLAsync(server, MarkMutation, new { id, kind = k.ToString().ToUpperInvariant(), note }, ct);
            var v = data.GetProperty("markAnomaly");
            (day, deviation) = (v.GetProperty("timestamp").GetString()!, v.GetProperty("deviationPercentage").GetDouble());
        }
        else
        {
            await using var store = ctx.ServerOptions().OpenStore();
            try
            {
                var v = await Service(ctx, store).MarkAsync(id, k, note, ctx.Scope, ct);
                (day, deviation) = (v.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), v.DeviationPercentage);
            }
            catch (CostQueryException ex) when (ex.Kind == CostQueryErrorKind.InvalidArgument)
            {
                throw new UsageException(ex.Message);
            }
        }

        ctx.Error.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Marked the anomaly of {day} ({deviation:+0.0;-0.0}%) as {kind.ToLowerInvariant()}.")));
        return ExitCodes.Ok;
    }

    /// <summary>The materiality floor: the options where given, else the configuration (<c>analytics.anomalies.min_impact</c>, <c>min_share</c>).</summary>
    private static AnomalyMateriality Materiality(CliContext ctx, AnomaliesArgs a) =>
        new(a.MinImpact ?? ctx.Config.Anomalies.MinImpact, a.MinShare ?? ctx.Config.Anomalies.MinShare);

    private static decimal? ParseMinImpact(ArgumentResult r)
    {
        var text = r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value;
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= 0)
        {
            return value;
        }

        r.AddError($"--min-impact '{text}' must be an amount of 0 or more in the series' currency (e.g. 10; 0 = no absolute floor).");
        return null;
    }

    private static double? ParseMinShare(ArgumentResult r)
    {
        var text = r.Tokens.Count == 0 ? string.Empty : r.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
        {
            return value;
        }

        r.AddError($"--min-share '{text}' must be a share between 0 and 1 of the typical daily spend (e.g. 0.1 for a tenth; 0 = no relative floor).");
        return null;
    }

    private static CostAnomalyService Service(CliContext ctx, Dwcp.Storage.ICostStore store) =>
        new(store, new CostQueryService(store, ctx.QueryOptions(), rates: new Dwcp.Cost.Currency.ExchangeRateStore(ctx.DataDir)), new AnomalyFeedbackFile(ctx.DataDir));

    private static DateOnly? ParseDate(string? text, string option) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d
        : throw new UsageException($"{option} '{text}' is not a date in the form YYYY-MM-DD.");

    private static async Task<JsonElement> GraphQLAsync(ServerFile server, string query, object variables, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(10) };
        using var response = await http.PostAsJsonAsync("graphql", new { query, variables }, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        using var doc = JsonDocument.Parse(text);
        if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.GetArrayLength() > 0)
        {
            var e = errors[0];
            var message = e.GetProperty("message").GetString() ?? "The server refused the request.";
            var code = e.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("code", out var c) ? c.GetString() : null;
            throw code == "INVALID_ARGUMENT" ? new UsageException(message) : new InvalidOperationException($"The server at {server.Url} answered: {message}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The server at {server.Url} answered HTTP {(int)response.StatusCode}: {text}");
        }

        return doc.RootElement.GetProperty("data").Clone();
    }

    private static AnomalyJson.AnomalyDocument FromGraph(JsonElement e) => new(
        e.GetProperty("id").GetString()!,
        e.GetProperty("timestamp").GetString()!,
        e.GetProperty("providerName").GetString()!,
        e.GetProperty("service").GetString()!,
        e.GetProperty("billingAccountId").GetString(),
        e.GetProperty("currency").GetString()!,
        e.GetProperty("expectedCost").GetDecimal(),
        e.GetProperty("actualCost").GetDecimal(),
        e.GetProperty("deviationPercentage").GetDouble(),
        e.GetProperty("severity").GetString()!,
        Math.Round(e.GetProperty("score").GetDouble(), 6),
        e.GetProperty("suppressed").GetBoolean(),
        e.GetProperty("probableCauses").EnumerateArray().Select(x => x.GetString()!).ToList(),
        e.GetProperty("recommendedActions").EnumerateArray().Select(x => x.GetString()!).ToList(),
        e.GetProperty("rootCauses").EnumerateArray().Select(r => new AnomalyJson.RootCauseDocument(
            r.GetProperty("dimension").GetString()!, r.GetProperty("value").GetString()!, r.GetProperty("expected").GetDecimal(), r.GetProperty("actual").GetDecimal(),
            r.GetProperty("dollarDelta").GetDecimal(), Math.Round(r.GetProperty("share").GetDouble(), 4), r.GetProperty("change").GetString()!)).ToList());

    private static void Write(CliContext ctx, IReadOnlyList<AnomalyJson.AnomalyDocument> docs, string format)
    {
        switch (format)
        {
            case "json":
                ctx.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(new AnomalyJson.AnomalyEnvelope(docs), JsonOptions));
                break;
            case "csv":
                var sb = new StringBuilder("id,timestamp,provider,service,billing_account_id,currency,expected_cost,actual_cost,deviation_percentage,severity,score,suppressed,top_dimension,top_value,top_dollar_delta,probable_causes\n");
                foreach (var d in docs)
                {
                    var top = d.RootCauses.FirstOrDefault();
                    sb.AppendJoin(',', new[]
                    {
                        d.Id, d.Timestamp, d.Provider, d.Service, d.Account ?? string.Empty, d.Currency, Num(d.ExpectedCost), Num(d.ActualCost),
                        d.DeviationPercentage.ToString("0.##", CultureInfo.InvariantCulture), d.Severity, d.Score.ToString("0.######", CultureInfo.InvariantCulture),
                        d.Suppressed ? "true" : "false", top?.Dimension ?? string.Empty, top?.Value ?? string.Empty, top is null ? string.Empty : Num(top.DollarDelta),
                        string.Join("; ", d.ProbableCauses),
                    }.Select(Csv)).Append('\n');
                }

                ctx.Console.Profile.Out.Writer.Write(sb.ToString());
                break;
            default:
                var table = new Table().AddColumns("Day", "Provider", "Service", "Account", "Expected", "Actual", "Dev %", "Severity", "Top cause", "Id");
                table.Columns[^1].NoWrap = true; // the id must stay whole, to be copied into 'dwcp anomalies feedback'
                foreach (var d in docs)
                {
                    var top = d.RootCauses.FirstOrDefault();
                    table.AddRow(new[]
                    {
                        d.Timestamp, d.Provider, d.Service, d.Account ?? "(all)", $"{Num(d.ExpectedCost)} {d.Currency}", $"{Num(d.ActualCost)} {d.Currency}",
                        d.DeviationPercentage.ToString("+0.0;-0.0", CultureInfo.InvariantCulture), d.Severity + (d.Suppressed ? " (suppressed)" : string.Empty),
                        top is null ? string.Empty : $"{top.Dimension}={top.Value} ({Num(top.DollarDelta)})", d.Id,
                    }.Select(Markup.Escape).ToArray());
                }

                ctx.Console.Write(table);
                ctx.Error.MarkupLine(Markup.Escape($"{docs.Count} anomal{(docs.Count == 1 ? "y" : "ies")}, largest dollar impact first. Mark one with 'dwcp anomalies feedback ID --kind expected|planned|real'."));
                break;
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Num(decimal v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    private static string Csv(string v) => v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
}
