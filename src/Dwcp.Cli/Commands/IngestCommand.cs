using System.Text.Json;
using Dwcp.Cost;
using Dwcp.Cost.Ingestion;
using Dwcp.Server;
using Dwcp.Storage.DuckDb;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp ingest PATH... [--skip-invalid-rows]</c>.</summary>
internal static class IngestCommand
{
    public static async Task<int> RunAsync(CliContext ctx, IReadOnlyList<string> paths, bool skipInvalid, string format, CancellationToken ct, string? sourceFormat = null)
    {
        Dwcp.Ingest.Native.SourceFormat? source = null;
        if (sourceFormat is not null)
        {
            source = Dwcp.Ingest.Native.SourceFormats.TryParse(sourceFormat, out var f)
                ? f
                : throw new UsageException($"--source-format '{sourceFormat}' is not one of: {string.Join(", ", Dwcp.Ingest.Native.SourceFormats.Names)}.");
        }

        var full = paths.Select(Path.GetFullPath).ToArray();
        ImportResult result;
        if (ctx.RunningServer() is { } server)
        {
            ctx.Error.MarkupLine($"[grey]A server holds {Markup.Escape(ctx.DataDir)}; ingesting through {Markup.Escape(server.Url)}.[/]");
            using var remote = new RemoteServer(server);
            try
            {
                result = await remote.IngestAsync(new IngestRequest(full, skipInvalid, sourceFormat), ct);
            }
            catch (UsageException ex)
            {
                throw new UsageException(ex.Message);
            }
        }
        else
        {
            BillingImporter.ExpandPaths(full); // fail early on a missing path
            await using var store = ctx.ServerOptions().OpenStore();
            result = await ImportWithProgressAsync(ctx, store, full, skipInvalid, "ingest " + string.Join(' ', paths), ct, source);
        }

        Print(ctx, result, format);
        return result.HasRejections ? ExitCodes.Failure : ExitCodes.Ok;
    }

    internal static async Task<ImportResult> ImportWithProgressAsync(CliContext ctx, Dwcp.Storage.ICostStore store, IReadOnlyList<string> paths, bool skipInvalid, string description, CancellationToken ct, Dwcp.Ingest.Native.SourceFormat? source = null)
    {
        var importer = new BillingImporter(store);
        var options = new ImportOptions { SourceFormat = source, TagPolicy = ctx.QueryOptions().TagPolicy, SkipInvalidRows = skipInvalid, RejectedDir = Path.Combine(ctx.DataDir, "rejected"), Description = description };
        if (!ctx.Error.Profile.Capabilities.Interactive)
        {
            var last = string.Empty;
            var plain = new Progress<ImportProgress>(p =>
            {
                if (p.File != last)
                {
                    last = p.File;
                    ctx.Error.WriteLine($"Reading {Path.GetFileName(p.File)} ({p.FileIndex + 1}/{p.FileCount})…");
                }
            });
            return await importer.ImportAsync(paths, options, new SyncProgress<ImportProgress>(plain), ct);
        }

        ImportResult? result = null;
        await ctx.Error.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async pc =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new SyncProgress<ImportProgress>(p =>
                {
                    if (!tasks.TryGetValue(p.File, out var task))
                    {
                        task = pc.AddTask(Markup.Escape(Path.GetFileName(p.File)), maxValue: 1);
                        tasks[p.File] = task;
                    }

                    task.Description = $"{Markup.Escape(Path.GetFileName(p.File))} [grey]{p.RowsRead:N0} rows[/]";
                    if (p.BytesRead >= p.BytesTotal)
                    {
                        task.Value = 1;
                    }
                    else
                    {
                        task.IsIndeterminate = true;
                    }
                });
                result = await importer.ImportAsync(paths, options, progress, ct);
            });
        return result!;
    }

    internal static void Print(CliContext ctx, ImportResult result, string format)
    {
        if (format == "json")
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(result, CostJson.Options)); // raw: Spectre would wrap long lines
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("File", "Status", "Format", "Rows loaded", "Rejected", "Warnings");
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        table.Columns[5].RightAligned();
        foreach (var f in result.Files)
        {
            var status = f.Status switch
            {
                FileImportStatus.Loaded => "[green]loaded[/]",
                FileImportStatus.AlreadyLoaded => $"[grey]unchanged (load {f.AlreadyLoadedIn})[/]",
                FileImportStatus.Rejected => "[red]rejected[/]",
                _ => "[yellow]not loaded[/]",
            };
            var warnings = f.Warnings.Values.Sum().ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            table.AddRow(Markup.Escape(Path.GetFileName(f.Path)), status, f.Format, f.RowsLoaded.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                f.RowsRejected.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(warnings));
        }

        ctx.Console.Write(table);
        foreach (var f in result.Files.Where(f => f.Warnings.Count > 0))
        {
            ctx.Console.MarkupLine($"[grey]{Markup.Escape(Path.GetFileName(f.Path))} normalised: {Markup.Escape(string.Join(", ", f.Warnings.Select(w => $"{w.Key} ×{w.Value:N0}")))} (docs/ingest-focus.md)[/]");
        }

        foreach (var f in result.Files.Where(f => f.Errors.Count > 0))
        {
            ctx.Error.MarkupLine($"[red]{Markup.Escape(Path.GetFileName(f.Path))}: {f.ErrorCount:N0} error(s)[/]");
            foreach (var e in f.Errors.Take(10))
            {
                ctx.Error.WriteLine("  " + e);
            }

            if (f.RejectedRowsFile is not null)
            {
                ctx.Error.WriteLine($"  Rejected rows and their reasons: {f.RejectedRowsFile}");
            }
        }

        var color = result.HasRejections ? "red" : result.Committed ? "green" : "grey";
        ctx.Console.MarkupLine($"[{color}]{Markup.Escape(result.Message)}[/]");
    }
}

/// <summary>An IProgress that reports on the caller's thread (Spectre's progress display is not thread-safe).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public SyncProgress(IProgress<T> inner)
        : this(inner.Report)
    {
    }

    public void Report(T value) => report(value);
}
