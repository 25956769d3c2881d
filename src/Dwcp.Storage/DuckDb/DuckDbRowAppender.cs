using System.Text.Json;
using Dwcp.Core.Focus;
using DuckDB.NET.Data;

namespace Dwcp.Storage.DuckDb;

/// <summary>Writes one <see cref="FocusRow"/> as a <c>cost_rows</c> row through a DuckDB appender.</summary>
internal static class DuckDbRowAppender
{
    public static void Append(DuckDBAppender appender, FocusRow row, long loadId, long seq)
    {
        var r = appender.CreateRow();
        r.AppendValue((long?)loadId).AppendValue((long?)seq).AppendValue((DateOnly?)DateOnly.FromDateTime(row.ChargePeriodStart!.Value));
        foreach (var c in FocusColumns.All)
        {
            switch (c.DataType)
            {
                case FocusDataType.Decimal:
                    r.AppendValue(row.Decimals[c.Slot]);
                    break;
                case FocusDataType.DateTime:
                    r.AppendValue(row.DateTimes[c.Slot]);
                    break;
                default:
                    r.AppendValue(row.Strings[c.Slot]);
                    break;
            }
        }

        var tags = row.NormalizedTags;
        if (tags.Count == 0)
        {
            r.AppendNullValue().AppendNullValue();
        }
        else
        {
            var keys = new string[tags.Count];
            var values = new string[tags.Count];
            for (var i = 0; i < tags.Count; i++)
            {
                keys[i] = tags[i].Key;
                values[i] = tags[i].Value;
            }

            r.AppendValue((IEnumerable<string>)keys).AppendValue((IEnumerable<string>)values);
        }

        r.AppendValue(row.Extensions.Count == 0 ? null : JsonSerializer.Serialize(row.Extensions))
         .AppendValue(row.SourceFile)
         .AppendValue((long?)row.SourceLine)
         .EndRow();
    }
}
