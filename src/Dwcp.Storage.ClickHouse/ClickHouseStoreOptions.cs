using System.Text.RegularExpressions;

namespace Dwcp.Storage.ClickHouse;

/// <summary>Where and how <see cref="ClickHouseCostStore"/> reaches ClickHouse.</summary>
/// <remarks>
/// One URL per shard (the HTTP interface, e.g. <c>http://127.0.0.1:8123</c>). The first URL is the coordinator: it
/// holds the load bookkeeping and every read and write goes through it. With <see cref="Shards"/> above 1 the servers
/// must define <see cref="Cluster"/> in their <c>remote_servers</c> configuration with exactly that many shards.
/// </remarks>
public sealed partial record ClickHouseStoreOptions
{
    /// <summary>HTTP URL of each shard's server, coordinator first.</summary>
    public required IReadOnlyList<Uri> Urls { get; init; }

    /// <summary>Database holding the store's tables (created if missing).</summary>
    public string Database { get; init; } = "dwcp";

    /// <summary>Number of shards: 1 for a single server, otherwise the shard count of <see cref="Cluster"/>.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>The cluster name in the servers' <c>remote_servers</c> configuration (only used when sharded).</summary>
    public string Cluster { get; init; } = "dwcp";

    /// <summary>User name sent with every request (HTTP basic authentication).</summary>
    public string User { get; init; } = "default";

    /// <summary>Password of <see cref="User"/>; null or empty for none.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// ClickHouse settings applied to every query as query-string parameters, e.g. <c>max_threads</c>,
    /// <c>max_memory_usage</c>. <c>max_execution_time</c> defaults to <see cref="QueryTimeout"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>How long one request may take before it fails with a time-out error (the server is told the same).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long rows replaced by a restatement stay on disk before they are deleted (they are invisible from the moment
    /// the restatement commits). Reads that started before the commit finish on the old rows, so this must exceed the
    /// longest read.
    /// </summary>
    public TimeSpan PurgeDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows per INSERT request of a load (one request in flight while the next chunk is filled).</summary>
    public int InsertChunkRows { get; init; } = 50_000;

    /// <summary>Checks the options and returns a message for the first problem, or null.</summary>
    internal string? Validate()
    {
        if (Urls is null || Urls.Count == 0)
        {
            return "ClickHouse options list no URL; give the HTTP URL of the server, e.g. http://127.0.0.1:8123.";
        }

        foreach (var url in Urls)
        {
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                return $"ClickHouse URL '{url}' is not an absolute http:// or https:// URL.";
            }
        }

        if (Shards < 1)
        {
            return $"ClickHouse shard count {Shards} must be at least 1.";
        }

        if (Urls.Count != Shards)
        {
            return $"ClickHouse options give {Urls.Count} URL(s) for {Shards} shard(s); give one URL per shard, coordinator first.";
        }

        if (Urls.Select(u => u.GetLeftPart(UriPartial.Authority)).Distinct(StringComparer.OrdinalIgnoreCase).Count() != Urls.Count)
        {
            return "ClickHouse options list the same server twice; give one URL per shard.";
        }

        if (!Identifier().IsMatch(Database ?? ""))
        {
            return $"ClickHouse database name '{Database}' must be letters, digits and underscores, starting with a letter or underscore.";
        }

        if (Shards > 1 && !Identifier().IsMatch(Cluster ?? ""))
        {
            return $"ClickHouse cluster name '{Cluster}' must be letters, digits and underscores.";
        }

        foreach (var name in Settings.Keys)
        {
            if (!SettingName().IsMatch(name))
            {
                return $"ClickHouse setting name '{name}' is not a setting name (lower-case letters, digits, underscores).";
            }
        }

        if (QueryTimeout <= TimeSpan.Zero)
        {
            return $"ClickHouse query time-out {QueryTimeout} must be positive.";
        }

        if (PurgeDelay < TimeSpan.Zero)
        {
            return $"ClickHouse purge delay {PurgeDelay} must not be negative.";
        }

        return InsertChunkRows < 1 ? $"ClickHouse insert chunk size {InsertChunkRows} must be at least 1 row." : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SettingName();
}
