using System.Text.Json;

namespace Dwcp.Configuration;

/// <summary>Checks of the <c>analytics.streaming</c> values that have a shape of their own.</summary>
public static class StreamingSettings
{
    private static readonly string[] Dimensions = ["resource_id", "provider", "region", "service", "account"];

    /// <summary>Parses <c>SIZE/SLIDE</c>, e.g. <c>10m/1m</c>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="size">Window length.</param>
    /// <param name="slide">Distance between window starts.</param>
    /// <returns>Whether it is valid (the slide divides the size).</returns>
    public static bool TryParseSlidingWindow(string text, out TimeSpan size, out TimeSpan slide)
    {
        size = slide = TimeSpan.Zero;
        var parts = text.Split('/', StringSplitOptions.TrimEntries);
        return parts.Length == 2
            && ValueKinds.TryParseDuration(parts[0], out size)
            && ValueKinds.TryParseDuration(parts[1], out slide)
            && size > TimeSpan.Zero && slide > TimeSpan.Zero && slide <= size && size.Ticks % slide.Ticks == 0;
    }

    internal static string? SlidingWindowProblem(string text) =>
        TryParseSlidingWindow(text, out _, out _) ? null
            : $"must be SIZE/SLIDE with durations whose slide divides the size (e.g. 10m/1m) but is '{text}'";

    internal static string? GroupByProblem(string text) =>
        Array.IndexOf(Dimensions, text) >= 0 || (text.StartsWith("tag:", StringComparison.Ordinal) && text.Length > 4)
            ? null
            : $"must be one of {string.Join(", ", Dimensions)} or tag:KEY but is '{text}'";

    /// <summary>The description must be a JSON object with a name and a type; the rest is checked when the server registers it.</summary>
    internal static string? AggregationProblem(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return $"must be a JSON object such as {{\"name\":\"cost_per_unit\",\"type\":\"weighted_average\",…}} but is '{text}'";
            }

            return doc.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                && doc.RootElement.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                ? null
                : $"needs string keys \"name\" and \"type\" but is '{text}'";
        }
        catch (JsonException ex)
        {
            return $"must be a JSON object (quote it in YAML: '{{\"name\":…}}') but is not valid JSON ({ex.Message}): '{text}'";
        }
    }
}
