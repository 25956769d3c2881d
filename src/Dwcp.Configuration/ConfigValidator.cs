namespace Dwcp.Configuration;

/// <summary>The checks of <see cref="DwcpConfig.Validate"/>: every value's range, then the rules between keys.</summary>
internal static class ConfigValidator
{
    /// <summary>Throws a <see cref="ConfigException"/> for the first problem.</summary>
    /// <param name="config">The configuration.</param>
    /// <param name="origins">Where each value came from, so that the error can point there; null for a configuration built in code.</param>
    public static void Validate(DwcpConfig config, IReadOnlyDictionary<Setting, Origin>? origins)
    {
        ArgumentNullException.ThrowIfNull(config);
        Origin OriginOf(Setting s) => origins is not null && origins.TryGetValue(s, out var o) ? o : Origin.Code;

        foreach (var setting in Settings.All)
        {
            var problem = setting.Problem(setting.Get(config));
            if (problem is not null)
            {
                throw OriginOf(setting).OutOfRange(setting, problem);
            }
        }

        // store: clickhouse needs a URL. The ClickHouse tuning keys (max_threads, ...) never select the store:
        // only analytics.store does.
        if (config.Store == AnalyticsStore.ClickHouse && config.ClickHouse.Url is null)
        {
            var store = Settings.Find("store")!;
            var url = Settings.Find("clickhouse.url")!;
            var origin = OriginOf(store);
            var where = origin.Kind is OriginKind.Code or OriginKind.Default ? "" : origin.Where + ": ";
            throw origin.Error(
                $"{where}analytics.store is clickhouse, which needs analytics.clickhouse.url, but it is not set. "
                + $"Set analytics.clickhouse.url to the ClickHouse HTTP endpoint (in dwcp.yaml as 'url: {url.Example}' under 'clickhouse:', "
                + $"or as {url.EnvVar}={url.Example}, or with --{url.Key}), or use store: duckdb.",
                url.Key);
        }
    }
}
