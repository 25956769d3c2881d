using System.Text;
using Dwcp.Tests;

namespace Dwcp.Storage.ClickHouse.Tests;

/// <summary>The stream rollup DDL against its golden files: a change to the table must be deliberate.</summary>
public sealed class ClickHouseRollupSchemaTests
{
    internal static string Render(ClickHouseTopology topology)
    {
        var sb = new StringBuilder("-- stream rollups (ClickHouseRollupSchema), applied at every open\n");
        foreach (var s in ClickHouseRollupSchema.Statements(topology))
        {
            sb.Append("\n-- on ").Append(s.Target).Append(", stage ").Append(s.Stage).Append('\n').Append(s.Sql.ReplaceLineEndings("\n")).Append(";\n");
        }

        return sb.ToString();
    }

    [Theory]
    [InlineData(false, "stream-rollups-single.sql")]
    [InlineData(true, "stream-rollups-sharded.sql")]
    public void The_rollup_DDL_matches_the_golden_file(bool sharded, string golden)
    {
        var path = RepoPaths.Of("tests", "Dwcp.Storage.ClickHouse.Tests", "golden", golden);
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings("\n"), Render(new ClickHouseTopology("dwcp", sharded, "dwcp")));
    }
}
