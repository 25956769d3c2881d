using Dwcp.Server;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace Dwcp.Cli.Commands;

/// <summary><c>dwcp serve</c>: the API and dashboard until stopped (Ctrl+C).</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        if (ctx.RunningServer() is { } running)
        {
            ctx.Error.MarkupLine($"[red]A server (PID {running.Pid}) already serves {Markup.Escape(ctx.DataDir)} at {Markup.Escape(running.Url)}.[/] Use it, or stop it first.");
            return ExitCodes.Failure;
        }

        var app = DwcpServer.Build(ctx.ServerOptions());
        await app.StartAsync(ct);
        var urls = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : string.Join(", ", ctx.Config.Api.Urls);
        ctx.Console.MarkupLine($"[green]DWCP Analytics is serving {Markup.Escape(ctx.DataDir)}[/]");
        ctx.Console.MarkupLine($"  Dashboard: [link]{Markup.Escape(urls)}[/]   GraphQL: {Markup.Escape(urls.Split(", ")[0])}/graphql   Health: {Markup.Escape(urls.Split(", ")[0])}/health");
        ctx.Console.MarkupLine("  Press Ctrl+C to stop.");
        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        finally
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }

        return ExitCodes.Ok;
    }
}
