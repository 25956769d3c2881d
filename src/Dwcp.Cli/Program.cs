using System.CommandLine;
using Dwcp.Cli;
using Dwcp.Cli.Commands;
using Dwcp.Configuration;
using Dwcp.Ingest;
using Dwcp.Storage;
using Spectre.Console;

var stdout = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
var stderr = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
foreach (var (console, redirected) in new[] { (stdout, Console.IsOutputRedirected), (stderr, Console.IsErrorRedirected) })
{
    if (redirected)
    {
        // Piped output: no wrapping at 80 columns, so tables stay one line per row for tools that read them.
        console.Profile.Width = 240;
    }
}

var configOpt = new Option<string?>("--config") { Description = "dwcp.yaml to read (default: $DWCP_CONFIG, else ./dwcp.yaml if present).", Recursive = true };
var dataOpt = new Option<string?>("--data") { Description = "Data folder (default ./.dwcp; analytics.data_dir).", Recursive = true };
var storeOpt = new Option<string?>("--store") { Description = "duckdb (default: the file in the data folder) or clickhouse://HOST:PORT (analytics.store and analytics.clickhouse.url).", Recursive = true };
var scopeOpt = new Option<string?>("--scope") { Description = "What the local user may see, e.g. account=123|456;tag:Department=Eng (default: everything).", Recursive = true };
var urlsOpt = new Option<string?>("--urls") { Description = "Listen URL(s), e.g. http://127.0.0.1:8080 (analytics.api.urls)." };

var root = new RootCommand("DWCP Analytics: multi-cloud cost (FOCUS) analytics. Every number traceable to its source rows.");
root.Options.Add(configOpt);
root.Options.Add(dataOpt);
root.Options.Add(scopeOpt);
root.Options.Add(storeOpt);

int exit = ExitCodes.Ok;
CliContext Context(ParseResult p, bool withUrls = false) => CliContext.Create(
    new GlobalOptions(p.GetValue(configOpt), p.GetValue(dataOpt), p.GetValue(scopeOpt), withUrls ? p.GetValue(urlsOpt) : null, p.GetValue(storeOpt)), stdout, stderr);

// serve
var serve = new Command("serve", "Serve the GraphQL API and the dashboard on the data folder until stopped.");
serve.Options.Add(urlsOpt);
serve.SetAction(async (p, ct) => exit = await ServeCommand.RunAsync(Context(p, withUrls: true), ct));
root.Subcommands.Add(serve);

// ingest
var pathsArg = new Argument<string[]>("PATH") { Description = "Billing files (FOCUS or a provider's native export: CSV, CSV.gz, Parquet, NDJSON) or folders of them.", Arity = ArgumentArity.OneOrMore };
var sourceFormatOpt = new Option<string?>("--source-format") { Description = "The format of every file, overriding detection from the header: " + string.Join(", ", Dwcp.Ingest.Native.SourceFormats.Names) + "." };
var skipOpt = new Option<bool>("--skip-invalid-rows") { Description = "Load the good rows; write bad rows with their reasons to a sidecar CSV under <data>/rejected/." };
var ingestFormat = new Option<string>("--format") { Description = "Output: table or json.", DefaultValueFactory = _ => "table" };
ingestFormat.AcceptOnlyFromAmong("table", "json");
var ingest = new Command("ingest", "Import billing files as one delivery. Re-importing an identical file changes nothing; a newer delivery restates the billing periods it holds.");
ingest.Arguments.Add(pathsArg);
ingest.Options.Add(skipOpt);
ingest.Options.Add(ingestFormat);
ingest.Options.Add(sourceFormatOpt);
ingest.SetAction(async (p, ct) => exit = await IngestCommand.RunAsync(Context(p), p.GetValue(pathsArg)!, p.GetValue(skipOpt), p.GetValue(ingestFormat)!, ct, p.GetValue(sourceFormatOpt)));
IngestWatch.Hook(ingest, pathsArg, skipOpt, ingestFormat, sourceFormatOpt, p => Context(p), code => exit = code);
root.Subcommands.Add(ingest);

// demo
var seedOpt = new Option<int>("--seed") { Description = "Seed of the generated data set (same seed, same data).", DefaultValueFactory = _ => 42 };
var noServeOpt = new Option<bool>("--no-serve") { Description = "Load the demo data and exit instead of serving." };
var demo = new Command("demo", "Generate a multi-cloud demo company (2023-12-01 to 2024-12-31), load it with the real FOCUS sample, and serve it.");
demo.Options.Add(seedOpt);
demo.Options.Add(urlsOpt);
demo.Options.Add(noServeOpt);
demo.SetAction(async (p, ct) => exit = await DemoCommand.RunAsync(Context(p, withUrls: true), p.GetValue(seedOpt), !p.GetValue(noServeOpt), ct));
root.Subcommands.Add(demo);

// cost
var fromOpt = new Option<string?>("--from") { Description = "First day, YYYY-MM-DD (inclusive, UTC). Default: first day of the last month with data." };
var toOpt = new Option<string?>("--to") { Description = "Last day, YYYY-MM-DD (inclusive, UTC). Default: last day with data." };
var groupOpt = new Option<string[]>("--group-by") { Description = "Dimensions: provider, billing-account, sub-account, service, service-category, region, resource, charge-category, pricing-category, currency, tag:KEY (comma-separated or repeated).", AllowMultipleArgumentsPerToken = true };
var grainOpt = new Option<string>("--grain") { Description = "total, hour, day, week or month (hours are UTC hours of the charge start).", DefaultValueFactory = _ => "total" };
var typeOpt = new Option<string>("--cost-type") { Description = "Measure to rank by: billed, effective or list.", DefaultValueFactory = _ => "billed" };
var topOpt = new Option<int?>("--top") { Description = "Keep the N largest groups and fold the rest into Other." };
var filterOpt = new Option<string[]>("--filter") { Description = "DIMENSION=V1,V2 (repeatable), e.g. provider=AWS or tag:Department=Eng." };
var limitOpt = new Option<int?>("--limit") { Description = "At most this many lines (default and maximum: api.max_results)." };
var costFormat = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
var currencyOpt = new Option<string?>("--currency") { Description = "Reporting currency (ISO 4217, e.g. USD): convert every charge at its day's rate (import rates with 'dwcp fx import'). Default: amounts stay in their billing currencies." };
var sampleOpt = new Option<double?>("--sample") { Description = "Approximate answer from this fraction of rows, in (0, 1], e.g. 0.1; totals come with a 95% interval. Default: exact." };
costFormat.AcceptOnlyFromAmong("table", "json", "csv");
grainOpt.AcceptOnlyFromAmong("total", "hour", "day", "week", "month");
typeOpt.AcceptOnlyFromAmong("billed", "effective", "list");
var cost = new Command("cost", "Cost totals and series from the command line (through the same query layer as GraphQL).");
foreach (var o in new Option[] { fromOpt, toOpt, groupOpt, grainOpt, typeOpt, topOpt, filterOpt, limitOpt, costFormat, currencyOpt, sampleOpt })
{
    cost.Options.Add(o);
}

cost.SetAction(async (p, ct) => exit = await CostCommand.RunAsync(Context(p), new CostArgs(
    p.GetValue(fromOpt), p.GetValue(toOpt), p.GetValue(groupOpt) ?? [], p.GetValue(grainOpt)!, p.GetValue(typeOpt)!,
    p.GetValue(topOpt), p.GetValue(filterOpt) ?? [], p.GetValue(costFormat)!, p.GetValue(limitOpt), p.GetValue(currencyOpt), p.GetValue(sampleOpt)), ct));
root.Subcommands.Add(cost);

// fx
var fx = new Command("fx", "Exchange rates of the data folder, used to convert answers into a reporting currency (--currency).");
var fxFile = new Argument<string>("file") { Description = "ECB reference-rate CSV (Date,USD,JPY,… per 1 EUR) or a date,base,quote,rate CSV." };
var fxBase = new Option<string>("--base") { Description = "Base currency of an ECB-layout file (its header does not say).", DefaultValueFactory = _ => "EUR" };
var fxImport = new Command("import", "Merge a rate file into the data folder's table (a rate for the same day and pair is replaced). Nothing changes if the file has an error.");
fxImport.Arguments.Add(fxFile);
fxImport.Options.Add(fxBase);
fxImport.SetAction(p => exit = FxCommand.Import(Context(p), p.GetValue(fxFile)!, p.GetValue(fxBase)!));
var fxFormat = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
fxFormat.AcceptOnlyFromAmong("table", "json", "csv");
var fxList = new Command("list", "The currency pairs in the table, with their days and latest rate.");
fxList.Options.Add(fxFormat);
fxList.SetAction(p => exit = FxCommand.List(Context(p), p.GetValue(fxFormat)!));
fx.Subcommands.Add(fxImport);
fx.Subcommands.Add(fxList);
root.Subcommands.Add(fx);

// tags
var tags = new Command("tags", "Tag hygiene: how much cost carries the tags you require (analytics.tags in dwcp.yaml).");
var covFrom = new Option<string?>("--from") { Description = "First day, YYYY-MM-DD (default: first day with data)." };
var covTo = new Option<string?>("--to") { Description = "Last day, YYYY-MM-DD (default: last day with data)." };
var covKeys = new Option<string[]>("--required") { Description = "Tag keys to check (comma-separated or repeated). Default: analytics.tags.required.", AllowMultipleArgumentsPerToken = true };
var covFormat = new Option<string>("--format") { Description = "table, json or csv.", DefaultValueFactory = _ => "table" };
covFormat.AcceptOnlyFromAmong("table", "json", "csv");
var coverage = new Command("coverage", "The share of billed cost carrying each key, overall, per provider and per billing account (per currency).");
foreach (var o in new Option[] { covFrom, covTo, covKeys, covFormat })
{
    coverage.Options.Add(o);
}

coverage.SetAction(async (p, ct) => exit = await TagsCommand.CoverageAsync(Context(p), p.GetValue(covFrom), p.GetValue(covTo), p.GetValue(covKeys) ?? [], p.GetValue(covFormat)!, ct));
tags.Subcommands.Add(coverage);
root.Subcommands.Add(tags);

// forecast
var fcInput = new Option<string>("--input") { Description = "Long-format CSV with header series_id,timestamp,value (ISO-8601 timestamps).", Required = true };
var fcOutput = new Option<string>("--output") { Description = "Output CSV: series_id,timestamp,mean,lo_80,hi_80,lo_95,hi_95,model (one lo/hi pair per level).", Required = true };
var fcHorizon = new Option<int>("--horizon") { Description = "Steps to forecast per series (H rows each).", Required = true };
var fcSeason = new Option<string?>("--season") { Description = "Seasonal periods in steps, e.g. 24,168 (default: inferred from the timestamps)." };
var fcLevels = new Option<string>("--levels") { Description = "Prediction-interval levels in percent.", DefaultValueFactory = _ => "80,95" };
var fcModels = new Option<string>("--models") { Description = "auto, or a list of: naive, snaive, drift, naive2, ets, theta, otm, arima, mstl, m4comb, gbm (see docs/forecasting.md).", DefaultValueFactory = _ => "auto" };
var fcAggregate = new Option<string>("--aggregate") { Description = "none (duplicate timestamps are an error), sum or mean.", DefaultValueFactory = _ => "none" };
var fcParallel = new Option<int?>("--max-parallelism") { Description = "Series forecast at once (default: the number of cores)." };
fcAggregate.AcceptOnlyFromAmong("none", "sum", "mean");
var forecast = new Command("forecast", "Forecast every series of a CSV with calibrated prediction intervals (series run in parallel across cores).");
foreach (var o in new Option[] { fcInput, fcOutput, fcHorizon, fcSeason, fcLevels, fcModels, fcAggregate, fcParallel })
{
    forecast.Options.Add(o);
}

forecast.SetAction(async (p, ct) => exit = await ForecastCommand.RunAsync(Context(p), new ForecastArgs(
    p.GetValue(fcInput)!, p.GetValue(fcOutput)!, p.GetValue(fcHorizon), p.GetValue(fcSeason), p.GetValue(fcLevels)!, p.GetValue(fcModels)!,
    p.GetValue(fcAggregate)!, p.GetValue(fcParallel)), ct));
root.Subcommands.Add(forecast);

// detect
var detInput = new Option<string>("--input") { Description = "A CSV file with header timestamp,value, or a folder of them (the output mirrors its tree).", Required = true };
var detOutput = new Option<string>("--output") { Description = "Output file (or folder, for a folder input): timestamp,value,anomaly_score,is_anomaly.", Required = true };
var detOnline = new Option<bool>("--online") { Description = "Score each row using only the rows up to it (as the live stream does); timestamps must not go backwards." };
var detFp = new Option<double>("--fp-rate") { Description = "Target false-positive rate: is_anomaly is 1 where the calibrated score reaches 1 - fp-rate.", DefaultValueFactory = _ => 0.05 };
var detPeriod = new Option<int?>("--period") { Description = "Seasonal period in rows (default: detected from the data)." };
var detect = new Command("detect", "Score time series for anomalies: one output row per input row, anomaly_score in [0, 1].");
foreach (var o in new Option[] { detInput, detOutput, detOnline, detFp, detPeriod })
{
    detect.Options.Add(o);
}

detect.SetAction(p => exit = DetectCommand.Run(Context(p), p.GetValue(detInput)!, p.GetValue(detOutput)!, p.GetValue(detOnline), p.GetValue(detFp), p.GetValue(detPeriod)));
root.Subcommands.Add(detect);
root.Subcommands.Add(AnomaliesCommand.Create(p => Context(p), code => exit = code));

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var e in parse.Errors)
    {
        Console.Error.WriteLine("error: " + e.Message);
    }

    // The whole command path ("dwcp anomalies feedback"), not only the innermost command's name.
    var path = new List<string>();
    for (var r = parse.CommandResult; r is not null && r.Command != root; r = r.Parent as System.CommandLine.Parsing.CommandResult)
    {
        path.Insert(0, r.Command.Name);
    }

    var name = string.Join(' ', ["dwcp", .. path]);
    Console.Error.WriteLine($"Run '{name} --help' for usage.");
    return ExitCodes.Usage;
}

try
{
    var code = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    return code != 0 ? code : exit;
}
catch (UsageException ex)
{
    stderr.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
    return ExitCodes.Usage;
}
catch (ConfigException ex)
{
    stderr.MarkupLine("[red]configuration error:[/] " + Markup.Escape(ex.Message));
    return ExitCodes.Usage;
}
catch (Exception ex) when (ex is StoreException or IngestException or IOException or UnauthorizedAccessException or HttpRequestException or InvalidOperationException or Dwcp.Cost.CostQueryException)
{
    stderr.MarkupLine("[red]error:[/] " + Markup.Escape(ex.Message));
    return ExitCodes.Failure;
}
catch (OperationCanceledException)
{
    stderr.MarkupLine("[yellow]Stopped.[/]");
    return ExitCodes.Failure;
}
