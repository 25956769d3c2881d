using System.Globalization;
using System.Text;
using Dwcp.Core.Focus;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>The DuckDB schema as numbered migrations, applied in order at start-up.</summary>
internal static class DuckDbSchema
{
    /// <summary>The schema version this build writes and reads.</summary>
    public const int CurrentVersion = 5;

    /// <summary>The money/quantity type: exact, 15 decimal places (the real FOCUS sample has up to 15).</summary>
    public const string DecimalType = "DECIMAL(38,15)";

    /// <summary>Leading bookkeeping columns of <c>cost_rows</c>, before the FOCUS columns.</summary>
    public static readonly string[] LeadingColumns = ["load_id", "row_seq", "charge_date"];

    /// <summary>Trailing columns of <c>cost_rows</c>, after the FOCUS columns.</summary>
    public static readonly string[] TrailingColumns = ["tag_keys", "tag_values", "x_extensions", "source_file", "source_line"];

    private static readonly (int Version, string Description, Func<string> Sql)[] Migrations =
    [
        (1, "FOCUS 1.2 cost rows, versioned loads and partition pointers", Version1),
        (2, "stream_rollups: closed real-time windows, one row per window, series and metric", Version2),
        (3, "cost rollups: cost_daily per load, cost_summary_daily of the visible versions", DuckDbDailyRollup.Version3),
        (4, "tag rollups: cost_tag_daily per load, cost_tag_summary_daily of the visible versions", DuckDbTagRollup.Version4),
        (5, "stream_custom_rollups: closed real-time windows, one row per window, series and custom aggregation", DuckDbRollupSql.Version5),
    ];

    /// <summary>Creates the version table if needed and applies every missing migration, each in its own transaction.</summary>
    public static int Migrate(DuckDBConnection connection, DateTime nowUtc)
    {
        Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)");
        var current = Convert.ToInt32(Scalar(connection, "SELECT coalesce(max(version), 0) FROM schema_version"), CultureInfo.InvariantCulture);
        if (current > CurrentVersion)
        {
            throw new StoreException(
                $"The data folder holds schema version {current}, newer than this build understands ({CurrentVersion}). " +
                "Upgrade DWCP Analytics or point --data at another folder.");
        }

        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > current))
        {
            using var tx = connection.BeginTransaction();
            Execute(connection, sql());
            Execute(connection, "INSERT INTO schema_version VALUES ($v, $d, $t)", ("v", version), ("d", description), ("t", nowUtc));
            tx.Commit();
            current = version;
        }

        return current;
    }

    private static string Version1()
    {
        var sb = new StringBuilder();
        sb.AppendLine("CREATE TABLE loads (load_id BIGINT PRIMARY KEY, status VARCHAR NOT NULL, description VARCHAR, started_at TIMESTAMP NOT NULL, committed_at TIMESTAMP, row_count BIGINT NOT NULL DEFAULT 0);");
        sb.AppendLine("CREATE TABLE load_files (load_id BIGINT NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, row_count BIGINT NOT NULL);");
        sb.AppendLine("CREATE TABLE partition_history (billing_account_id VARCHAR NOT NULL, billing_period_start TIMESTAMP NOT NULL, load_id BIGINT NOT NULL, row_count BIGINT NOT NULL, billed_cost " + DecimalType + " NOT NULL, published_at TIMESTAMP NOT NULL, replaced_load_id BIGINT);");
        sb.AppendLine("CREATE TABLE partition_versions (billing_account_id VARCHAR NOT NULL, billing_period_start TIMESTAMP NOT NULL, load_id BIGINT NOT NULL, row_count BIGINT NOT NULL, billed_cost " + DecimalType + " NOT NULL, published_at TIMESTAMP NOT NULL, PRIMARY KEY (billing_account_id, billing_period_start));");
        sb.Append("CREATE TABLE cost_rows (load_id BIGINT NOT NULL, row_seq BIGINT NOT NULL, charge_date DATE NOT NULL");
        foreach (var c in FocusColumns.All)
        {
            sb.Append(", \"").Append(c.Name).Append("\" ").Append(SqlType(c.DataType));
        }

        sb.AppendLine(", tag_keys VARCHAR[], tag_values VARCHAR[], x_extensions VARCHAR, source_file VARCHAR, source_line BIGINT);");
        sb.AppendLine("""
            CREATE VIEW visible_cost_rows AS
              SELECT r.* FROM cost_rows r
              JOIN partition_versions p
                ON r.load_id = p.load_id
               AND r."BillingAccountId" = p.billing_account_id
               AND r."BillingPeriodStart" = p.billing_period_start;
            """);
        return sb.ToString();
    }

    private static string Version2() => """
        CREATE TABLE stream_rollups (
          window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, window_size_us BIGINT NOT NULL, slide_us BIGINT NOT NULL,
          event_type VARCHAR NOT NULL, resource_id VARCHAR NOT NULL, provider VARCHAR NOT NULL, region VARCHAR NOT NULL,
          service VARCHAR NOT NULL, account VARCHAR NOT NULL, tags VARCHAR NOT NULL, metric VARCHAR NOT NULL,
          event_count BIGINT NOT NULL, value_count BIGINT NOT NULL, sum DOUBLE, min DOUBLE, max DOUBLE, avg DOUBLE, last DOUBLE,
          last_at TIMESTAMP, p50 DOUBLE, p95 DOUBLE, p99 DOUBLE, written_at TIMESTAMP NOT NULL);
        """;

    private static string SqlType(FocusDataType type) => type switch
    {
        FocusDataType.Decimal => DecimalType,
        FocusDataType.DateTime => "TIMESTAMP",
        _ => "VARCHAR",
    };

    internal static void Execute(DuckDBConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(connection, sql, args);
        cmd.ExecuteNonQuery();
    }

    internal static object? Scalar(DuckDBConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = Command(connection, sql, args);
        return cmd.ExecuteScalar();
    }

    private static DuckDBCommand Command(DuckDBConnection connection, string sql, (string Name, object? Value)[] args)
    {
        var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args)
        {
            cmd.Parameters.Add(new DuckDBParameter(name, value));
        }

        return cmd;
    }
}
