using Dwcp.Cost;
using Dwcp.Server.Graph;
using Dwcp.Storage;
using Dwcp.Storage.DuckDb;
using GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Dwcp.Server;

/// <summary>Composes the ASP.NET Core host: store, cost layer, GraphQL, REST, dashboard, health.</summary>
public static class DwcpServer
{
    /// <summary>Configuration key that overrides <see cref="DwcpServerOptions.DataDir"/> (used by tests).</summary>
    public const string DataDirSetting = "Dwcp:DataDir";

    /// <summary>Builds the application. Call <c>RunAsync</c> on the result.</summary>
    public static WebApplication Build(DwcpServerOptions options, string[]? args = null, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var webRoot = options.WebRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
        Directory.CreateDirectory(webRoot);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args ?? [],
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = webRoot,
        });
        if (builder.Configuration[DataDirSetting] is { Length: > 0 } dir)
        {
            options = options with { DataDir = dir };
        }

        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);

        var services = builder.Services;
        services.AddSingleton(options);
        services.TryAddTimeProvider();
        services.AddSingleton<ICostStore>(sp => options.OpenStore(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Dwcp.Cost.Currency.IExchangeRateSource>(_ => new Dwcp.Cost.Currency.ExchangeRateStore(options.DataDir));
        services.AddSingleton(sp => new CostQueryService(sp.GetRequiredService<ICostStore>(), options.Query, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Dwcp.Cost.Currency.IExchangeRateSource>()));
        services.AddSingleton<ICallerScope>(new ConfiguredCallerScope(options.Scope));
        // Closed windows become rollup rows (stream_rollups) in the configured store's backend; they open after the cost store.
        services.AddSingleton<IRollupStore>(sp => sp.GetRequiredService<ICostStore>() is Dwcp.Storage.ClickHouse.ClickHouseCostStore clickHouse
            ? Dwcp.Storage.ClickHouse.ClickHouseRollupStore.Open(clickHouse, sp.GetRequiredService<TimeProvider>())
            : DuckDbRollupStore.Open(options.DataDir, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<Dwcp.Streaming.IWindowSink>(sp => new RollupWindowSink(sp.GetRequiredService<IRollupStore>()));

        // Late events go to files beside the engine's log; started before the engine, so it stops after it and loses none.
        services.AddSingleton(sp => new LateEventFileSink(Path.Combine(EngineConfig.DataDirectory(sp.GetRequiredService<DwcpServerOptions>()), "late-events"), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService(sp => sp.GetRequiredService<LateEventFileSink>());
        services.AddSingleton<RealtimeEngineHost>();
        services.AddSingleton(sp => new CustomAggregationRegistry(sp.GetRequiredService<RealtimeEngineHost>(), sp.GetRequiredService<DwcpServerOptions>()));
        services.AddHostedService(sp => sp.GetRequiredService<CustomAggregationRegistry>()); // before the engine: restored with its state
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeEngineHost>());
        services.AddSingleton<KafkaSourceHost>(); // after the engine: starts after its recovery, stops before its checkpoint
        services.AddHostedService(sp => sp.GetRequiredService<KafkaSourceHost>());
        services.AddSingleton<CostMetricsResolver>();
        services.AddDwcpAnomalies(options.DataDir);
        services.AddDwcpAnomalyAlerts(options); // after the engine's host: the stream monitor starts after it
        services.AddDwcpStreamGraph();
        services.AddGraphQL(b => b
            .AddSchema<DwcpSchema>()
            .AddGraphTypes(typeof(DwcpSchema).Assembly)
            .AddSystemTextJson()
            .AddErrorInfoProvider(e => e.ExposeExceptionDetails = false));
        configure?.Invoke(builder);

        var app = builder.Build();

        // Open the store (and apply migrations) at start-up, so a broken data folder fails now, not at first query.
        _ = app.Services.GetRequiredService<ICostStore>();

        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseWebSockets();
        app.UseDwcpGraphQLWebSockets();
        app.MapDwcpGraphQL();
        app.MapDwcpApi();
        app.MapDwcpEvents();
        app.MapDwcpRollups();
        app.MapDwcpAggregations();
        app.MapDwcpLateEvents();
        app.MapGet("/health", HealthAsync);
        app.MapFallback("/api/{**rest}", (HttpContext http) => Results.Json(
            new { error = $"No API endpoint at {http.Request.Method} {http.Request.Path}. See docs/api.md." }, statusCode: StatusCodes.Status404NotFound));

        if (options.WriteServerFile)
        {
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStarted.Register(() =>
            {
                var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                    ?? options.Urls.Split(';')[0];
                new ServerFile(address, Environment.ProcessId, DateTimeOffset.UtcNow, Path.GetFullPath(options.DataDir)).Write(options.DataDir);
            });
            lifetime.ApplicationStopping.Register(() => ServerFile.RemoveIfOwned(options.DataDir));
        }

        return app;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }

    private static async Task<IResult> HealthAsync(ICostStore store, DwcpServerOptions options, CancellationToken ct)
    {
        try
        {
            var info = await store.GetInfoAsync(ct);
            return Results.Json(new
            {
                status = "ok",
                store = new { backend = info.Backend, schemaVersion = info.SchemaVersion, location = info.Location, visibleRows = info.VisibleRows, loads = info.Loads },
                scope = options.Scope.ToString(),
                version = typeof(DwcpServer).Assembly.GetName().Version?.ToString(),
            });
        }
        catch (Exception ex) when (ex is StoreException or InvalidOperationException)
        {
            return Results.Json(new { status = "unhealthy", error = ex.Message }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
