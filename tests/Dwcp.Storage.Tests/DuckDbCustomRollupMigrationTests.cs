using System.Globalization;
using Dwcp.Storage.DuckDb;
using Dwcp.Tests;

namespace Dwcp.Storage.Tests;

/// <summary>Schema migration 5 (<c>stream_custom_rollups</c>) on a data folder written by an earlier build.</summary>
public sealed class DuckDbCustomRollupMigrationTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 4, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-custom-rollups");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static WindowRollup Metric(string metric) =>
        new(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu-west-1", "ec2", "acct-a", "", metric,
            4, 4, 10, 1, 4, 2.5, 4, T0.AddSeconds(50), 2, 4, 4);

    private static CustomRollup Custom(string name, double value) =>
        new(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), "usage", "", "aws", "eu-west-1", "ec2", "acct-a", "", name, "ratio", value, false, 4);

    [Fact]
    public async Task A_version_4_folder_gets_the_custom_table_and_keeps_its_metric_rows()
    {
        await using (var store = DuckDbRollupStore.Open(_dir))
        {
            await store.AppendAsync([Metric("cpu")]);
        }

        // What a version-4 file looks like: stream_rollups with rows, no custom table, no version 5.
        DuckDbTestFiles.Scalar(_dir, "DROP TABLE stream_custom_rollups; DELETE FROM schema_version WHERE version = 5");
        Assert.Equal(4L, Convert.ToInt64(DuckDbTestFiles.Scalar(_dir, "SELECT max(version) FROM schema_version"), CultureInfo.InvariantCulture));

        await using (var store = DuckDbRollupStore.Open(_dir))
        {
            Assert.Equal([Metric("cpu")], await store.QueryAsync(new RollupQuery()));
            await store.AppendAsync([Metric("mem")], [Custom("cost_ratio", 0.25), Custom("undefined", double.NaN)]);
            Assert.Equal([Custom("cost_ratio", 0.25), Custom("undefined", double.NaN)], await store.QueryCustomAsync(new CustomRollupQuery()));
            Assert.Equal(2, (await store.QueryAsync(new RollupQuery())).Count);
        }

        Assert.Equal(5L, Convert.ToInt64(DuckDbTestFiles.Scalar(_dir, "SELECT max(version) FROM schema_version"), CultureInfo.InvariantCulture));
    }
}
