using Dwcp.Demo;
using Dwcp.Ingest;
using Dwcp.Storage.DuckDb;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary>
/// <c>dwcp demo</c>: generates the demo company's FOCUS export (deterministic per seed), writes incidents.json, loads
/// it together with the real FOCUS sample through the normal ingest path, then serves like <c>serve</c>.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The real FOCUS sample shipped next to the binaries (FinOps Foundation, CC BY 4.0).</summary>
    public static string SamplePath => Path.Combine(AppContext.BaseDirectory, "samples", "focus", "focus_sample.csv");

    public static async Task<int> RunAsync(CliContext ctx, int seed, bool serve, CancellationToken ct)
    {
        if (ctx.RunningServer() is { } running)
        {
            ctx.Error.MarkupLine($"[red]A server (PID {running.Pid}) already serves {Markup.Escape(ctx.DataDir)} at {Markup.Escape(running.Url)}.[/] Stop it, or use another --data folder.");
            return ExitCodes.Failure;
        }

        var demoDir = Path.Combine(ctx.DataDir, "demo");
        Directory.CreateDirectory(demoDir);
        var file = Path.Combine(demoDir, $"demo-focus-seed{seed}.csv.gz");
        var generator = new DemoDataGenerator(new DemoOptions { Seed = seed });
        if (!File.Exists(file))
        {
            ctx.Error.WriteLine($"Generating the demo billing export (seed {seed}, 2023-12-01 to 2024-12-31)…");
            var tmp = file + ".tmp";
            long rows = 0;
            await ctx.Error.Status().StartAsync("Generating", status =>
            {
                using (var writer = new FocusCsvWriter(tmp, gzip: true))
                {
                    foreach (var row in generator.GenerateRows())
                    {
                        writer.Write(row);
                        if (++rows % 50_000 == 0)
                        {
                            status.Status($"Generating: {rows:N0} rows");
                            ct.ThrowIfCancellationRequested();
                        }
                    }
                }

                File.Move(tmp, file, overwrite: true);
                return Task.CompletedTask;
            });
            ctx.Error.WriteLine($"Wrote {rows:N0} rows to {file}");
        }

        var incidentsPath = Path.Combine(ctx.DataDir, "incidents.json");
        DemoDataGenerator.WriteIncidentsJson(incidentsPath, generator.Incidents);
        ctx.Error.WriteLine($"Wrote {generator.Incidents.Count} injected incidents to {incidentsPath}");

        var files = new List<string> { file };
        if (File.Exists(SamplePath))
        {
            files.Add(SamplePath);
        }
        else
        {
            ctx.Error.MarkupLine($"[yellow]The FOCUS sample is missing at {Markup.Escape(SamplePath)}; loading the demo data only.[/]");
        }

        await using (var store = ctx.ServerOptions().OpenStore())
        {
            var result = await IngestCommand.ImportWithProgressAsync(ctx, store, files, skipInvalid: false, $"demo --seed {seed}", ct);
            IngestCommand.Print(ctx, result, "table");
            if (result.HasRejections)
            {
                return ExitCodes.Failure;
            }
        }

        return serve ? await ServeCommand.RunAsync(ctx, ct) : ExitCodes.Ok;
    }
}
