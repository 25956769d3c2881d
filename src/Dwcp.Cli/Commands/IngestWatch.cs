using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dwcp.Cost;
using Dwcp.Cost.Ingestion;
using Dwcp.Cost.Ingestion.Watch;
using Dwcp.Server;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp ingest --watch DIR [--interval 30s] [--once]</c>: imports provider deliveries as they become complete.</summary>
internal static partial class IngestWatch
{
    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    /// <summary>
    /// Adds <c>--watch</c>, <c>--interval</c> and <c>--once</c> to the ingest command. With <c>--watch</c> the command
    /// watches the folder; without it, the command's own action runs as before.
    /// </summary>
    public static void Hook(Command ingest, Argument<string[]> paths, Option<bool> skipInvalid, Option<string> format, Option<string?> sourceFormat, Func<ParseResult, CliContext> context, Action<int> setExit)
    {
        var watch = new Option<string?>("--watch") { Description = "Watch this folder and import provider deliveries as they become complete (AWS CUR and Data Exports manifests, Azure export runs, any other billing file). See docs/ingest-native.md." };
        var interval = new Option<string>("--interval") { Description = "With --watch: how often to look, and how long a file's size must stay unchanged before it counts as complete, e.g. 30s, 5m (default 30s).", DefaultValueFactory = _ => "30s" };
        var once = new Option<bool>("--once") { Description = "With --watch: scan once, import what is ready, and exit (for cron)." };
        ingest.Options.Add(watch);
        ingest.Options.Add(interval);
        ingest.Options.Add(once);
        paths.Arity = ArgumentArity.ZeroOrMore;
        ingest.Validators.Add(r =>
        {
            var dir = r.GetValue(watch);
            var named = r.GetValue(paths) is { Length: > 0 };
            if (dir is null)
            {
                if (!named)
                {
                    r.AddError("Name at least one PATH (file or folder), or watch a folder with --watch DIR.");
                }

                if (r.GetValue(once) || r.GetResult(interval) is { Implicit: false })
                {
                    r.AddError("--once and --interval only apply with --watch DIR.");
                }

                return;
            }

            if (named)
            {
                r.AddError("Give either PATH... or --watch DIR, not both.");
            }
            else if (!Directory.Exists(dir))
            {
                r.AddError($"--watch '{dir}' is not a folder. Create it or check the path.");
            }

            if (!TryParseInterval(r.GetValue(interval) ?? "30s", out _, out var error))
            {
                r.AddError(error);
            }
        });

        var original = ingest.Action as System.CommandLine.Invocation.AsynchronousCommandLineAction
            ?? throw new InvalidOperationException("The ingest command has no asynchronous action to extend.");
        ingest.SetAction(async (p, ct) =>
        {
            if (p.GetValue(watch) is not { } dir)
            {
                return await original.InvokeAsync(p, ct);
            }

            TryParseInterval(p.GetValue(interval) ?? "30s", out var every, out _);
            var code = await RunAsync(context(p), dir, every, p.GetValue(once), p.GetValue(skipInvalid), p.GetValue(sourceFormat), p.GetValue(format)!, ct);
            setExit(code);
            return code;
        });
    }

    /// <summary>Parses <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c> or plain seconds; 1 s to 24 h.</summary>
    internal static bool TryParseInterval(string text, out TimeSpan value, out string error)
    {
        value = default;
        error = string.Empty;
        var m = Duration().Match(text.Trim());
        if (!m.Success || !double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            error = $"--interval '{text}' is not a duration such as 30s, 5m or 1h.";
            return false;
        }

        value = m.Groups[2].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromSeconds(n),
        };
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromHours(24))
        {
            error = $"--interval '{text}' is out of range: use 1s to 24h.";
            return false;
        }

        return true;
    }

    private static async Task<int> RunAsync(CliContext ctx, string dir, TimeSpan interval, bool once, bool skipInvalid, string? sourceFormat, string format, CancellationToken ct)
    {
        Dwcp.Ingest.Native.SourceFormat? source = null;
        if (sourceFormat is not null)
        {
            source = Dwcp.Ingest.Native.SourceFormats.TryParse(sourceFormat, out var f)
                ? f
                : throw new UsageException($"--source-format '{sourceFormat}' is not one of: {string.Join(", ", Dwcp.Ingest.Native.SourceFormats.Names)}.");
        }

        Directory.CreateDirectory(ctx.DataDir);
        await using var target = new ImportTarget(ctx, skipInvalid, sourceFormat, source);
        var watcher = new FolderWatcher(dir, Path.Combine(ctx.DataDir, WatchState.FileName), target.ImportAsync, new WatchOptions { Interval = interval });
        if (once)
        {
            var report = await watcher.ScanOnceAsync(ct);
            await target.CloseAsync();
            Print(ctx, report, format, null);
            return report.HasFailures ? ExitCodes.Failure : ExitCodes.Ok;
        }

        ctx.Error.MarkupLine($"[grey]Watching {Markup.Escape(watcher.Folder)} every {interval.TotalSeconds:0.#} s (Ctrl+C stops between deliveries). State: {Markup.Escape(Path.Combine(ctx.DataDir, WatchState.FileName))}[/]");
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        await watcher.RunAsync(async report =>
        {
            await target.CloseAsync(); // release the DuckDB file between scans so other commands can use it
            Print(ctx, report, format, last);
        }, ct);
        ctx.Error.MarkupLine("[grey]Stopped watching.[/]");
        return ExitCodes.Ok;
    }

    /// <summary>Prints a scan: in a loop (<paramref name="last"/> set), only what changed since the previous scan.</summary>
    private static void Print(CliContext ctx, WatchScanReport report, string format, Dictionary<string, string>? last)
    {
        // In a loop, the first scan shows everything; later scans show only news (an unchanged delivery is not news).
        var first = last is null || last.Count == 0;
        var shown = report.Deliveries
            .Where(d => last is null || !last.TryGetValue(d.Key, out var m) || m != d.Status + d.Message)
            .Where(d => first || d.Status is not (DeliveryStatus.Unchanged or DeliveryStatus.FailedUnchanged))
            .ToList();
        if (last is not null)
        {
            foreach (var d in report.Deliveries)
            {
                last[d.Key] = d.Status + d.Message;
            }
        }

        if (format == "json")
        {
            if (last is null || shown.Count > 0)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(report with { Deliveries = shown }, CostJson.Options));
            }

            return;
        }

        foreach (var d in shown)
        {
            var (color, word) = d.Status switch
            {
                DeliveryStatus.Imported => ("green", "imported"),
                DeliveryStatus.Unchanged => ("grey", "unchanged"),
                DeliveryStatus.Waiting => ("yellow", "waiting"),
                DeliveryStatus.FailedUnchanged => ("grey", "failed earlier"),
                _ => ("red", "failed"),
            };
            ctx.Console.MarkupLine($"[{color}]{word,-14}[/] {Markup.Escape(d.Message)}");
            if (d.Status == DeliveryStatus.Failed)
            {
                foreach (var e in d.Errors.Take(10))
                {
                    ctx.Error.WriteLine("  " + e);
                }
            }
        }

        if (last is null)
        {
            var failed = report.Deliveries.Count(d => d.Status == DeliveryStatus.Failed);
            var waiting = report.Deliveries.Count(d => d.Status == DeliveryStatus.Waiting);
            var summary = $"{report.ImportedCount} imported, {waiting} waiting, {failed} failed, {report.Deliveries.Count} deliveries in {report.Folder}.";
            ctx.Console.MarkupLine($"[{(failed > 0 ? "red" : "green")}]{Markup.Escape(summary)}[/]");
        }
    }

    /// <summary>Where deliveries go: the running server of the data folder, or the store opened on first use.</summary>
    private sealed class ImportTarget(CliContext ctx, bool skipInvalid, string? sourceFormat, Dwcp.Ingest.Native.SourceFormat? source) : IAsyncDisposable
    {
        private Dwcp.Storage.ICostStore? _store;

        public async Task<ImportResult> ImportAsync(WatchDelivery d, CancellationToken ct)
        {
            var files = d.Files.Select(f => f.Path).ToList();
            ctx.Error.MarkupLine($"[grey]Importing {Markup.Escape(d.Label)} ({files.Count} file{(files.Count == 1 ? "" : "s")})…[/]");
            if (_store is null && ctx.RunningServer() is { } server)
            {
                ctx.Error.MarkupLine($"[grey]A server holds {Markup.Escape(ctx.DataDir)}; importing through {Markup.Escape(server.Url)}.[/]");
                using var remote = new RemoteServer(server);
                return await remote.IngestAsync(new IngestRequest(files, skipInvalid, sourceFormat), ct);
            }

            _store ??= ctx.ServerOptions().OpenStore();
            var options = new ImportOptions
            {
                SourceFormat = source,
                TagPolicy = ctx.QueryOptions().TagPolicy,
                SkipInvalidRows = skipInvalid,
                RejectedDir = Path.Combine(ctx.DataDir, "rejected"),
                Description = "ingest --watch " + d.Label,
            };
            return await new DeliveryImporter(_store).ImportAsync(files, options, null, ct);
        }

        public async Task CloseAsync()
        {
            if (_store is not null)
            {
                await _store.DisposeAsync();
                _store = null;
            }
        }

        public ValueTask DisposeAsync() => new(CloseAsync());
    }
}
