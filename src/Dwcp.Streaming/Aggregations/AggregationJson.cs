using System.Globalization;
using System.Text.Json;

namespace Dwcp.Streaming;

/// <summary>
/// Reads a custom aggregation description from JSON (the form the server maps GraphQL, config and API requests onto):
/// <code>{"name":"cost_per_unit","type":"weighted_average","window":"5m","metric":"unit_price","weight_metric":"usage"}</code>
/// Keys: <c>name</c>, <c>type</c> (weighted_average, rate, distinct_count, ratio, percentile, threshold_count),
/// <c>window</c> (<c>30s</c>, <c>5m</c>, <c>1h</c> or <c>hh:mm:ss</c>), <c>buffer_size</c>, <c>event_type</c>, <c>metric</c>,
/// <c>weight_metric</c>, <c>weight_expression</c>, <c>numerator</c>, <c>denominator</c>, <c>dimension</c>, <c>quantile</c>,
/// <c>op</c> (<c>&gt; &gt;= &lt; &lt;= == !=</c>), <c>threshold</c>.
/// </summary>
public static class AggregationJson
{
    private static readonly string[] Keys =
        ["name", "type", "window", "buffer_size", "event_type", "metric", "weight_metric", "weight_expression", "numerator", "denominator", "dimension", "quantile", "op", "threshold"];

    /// <summary>Parses one description; throws <see cref="FormatException"/> naming the bad key and the fix.</summary>
    /// <param name="json">A JSON object.</param>
    /// <returns>The aggregation's name and configuration.</returns>
    public static (string Name, AggregationConfig Config) Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Custom aggregation description is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("Custom aggregation description must be a JSON object.");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (Array.IndexOf(Keys, property.Name) < 0)
                {
                    throw new FormatException($"Custom aggregation key '{property.Name}' is unknown; allowed keys: {string.Join(", ", Keys)}.");
                }
            }

            var name = Text(root, "name") ?? throw new FormatException("Custom aggregation description needs \"name\".");
            var typeText = Text(root, "type") ?? throw new FormatException($"Custom aggregation '{name}' needs \"type\".");
            var config = new AggregationConfig
            {
                Type = ParseType(name, typeText),
                WindowSize = Text(root, "window") is { } window ? ParseDuration(name, window) : null,
                BufferSize = root.TryGetProperty("buffer_size", out var buffer) ? Number(name, "buffer_size", buffer) is var b && b == Math.Floor(b) && b is >= 1 and <= int.MaxValue ? (int)b : throw new FormatException($"Custom aggregation '{name}': buffer_size must be a positive whole number.") : 100_000,
                EventType = Text(root, "event_type"),
                Metric = Text(root, "metric"),
                WeightMetric = Text(root, "weight_metric"),
                WeightExpression = Text(root, "weight_expression"),
                Numerator = Text(root, "numerator"),
                Denominator = Text(root, "denominator"),
                Dimension = Text(root, "dimension") ?? "resource_id",
                Quantile = root.TryGetProperty("quantile", out var q) ? Number(name, "quantile", q) : 0.5,
                Operator = Text(root, "op") is { } op ? ParseOperator(name, op) : ComparisonOperator.GreaterThan,
                Threshold = root.TryGetProperty("threshold", out var t) ? Number(name, "threshold", t) : 0,
            };
            try
            {
                config.Validate(name);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException(ex.Message, ex);
            }

            return (name, config);
        }
    }

    /// <summary>Parses a duration such as <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c> or <c>00:05:00</c>.</summary>
    /// <param name="context">Name used in the error message.</param>
    /// <param name="text">The duration.</param>
    /// <returns>The duration.</returns>
    public static TimeSpan ParseDuration(string context, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (unit, scale) = text.EndsWith("ms", StringComparison.Ordinal) ? (2, 1.0)
            : text.EndsWith('s') ? (1, 1000.0)
            : text.EndsWith('m') ? (1, 60_000.0)
            : text.EndsWith('h') ? (1, 3_600_000.0)
            : (0, 0);
        if (unit > 0 && double.TryParse(text.AsSpan(0, text.Length - unit), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
        {
            return TimeSpan.FromMilliseconds(amount * scale);
        }

        if (unit == 0 && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        throw new FormatException($"'{context}': duration '{text}' is invalid; write e.g. 30s, 5m, 1h or 00:05:00.");
    }

    private static string? Text(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"Custom aggregation key '{key}' must be a string.");
    }

    private static double Number(string name, string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new FormatException($"Custom aggregation '{name}': '{key}' must be a number.");

    private static AggregationType ParseType(string name, string text) => text switch
    {
        "weighted_average" => AggregationType.WeightedAverage,
        "rate" => AggregationType.Rate,
        "distinct_count" => AggregationType.DistinctCount,
        "ratio" => AggregationType.Ratio,
        "percentile" => AggregationType.Percentile,
        "threshold_count" => AggregationType.ThresholdCount,
        _ => throw new FormatException($"Custom aggregation '{name}': type '{text}' is unknown; use weighted_average, rate, distinct_count, ratio, percentile or threshold_count."),
    };

    private static ComparisonOperator ParseOperator(string name, string text) => text switch
    {
        ">" => ComparisonOperator.GreaterThan,
        ">=" => ComparisonOperator.GreaterThanOrEqual,
        "<" => ComparisonOperator.LessThan,
        "<=" => ComparisonOperator.LessThanOrEqual,
        "==" => ComparisonOperator.Equal,
        "!=" => ComparisonOperator.NotEqual,
        _ => throw new FormatException($"Custom aggregation '{name}': op '{text}' is unknown; use >, >=, <, <=, == or !=."),
    };
}
