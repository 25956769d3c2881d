using System.Text.Json;
using System.Text.Json.Serialization;

namespace Dwcp.Anomalies.Costs;

/// <summary>What a user said about an anomaly.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FeedbackKind>))]
public enum FeedbackKind
{
    /// <summary>A known, normal pattern (e.g. month-end batch): similar deviations are suppressed.</summary>
    Expected,

    /// <summary>A planned change (migration, launch): similar deviations are suppressed.</summary>
    Planned,

    /// <summary>A real problem: nothing is suppressed.</summary>
    Real,
}

/// <summary>One piece of feedback on an anomaly of a series.</summary>
/// <param name="SeriesKey">The series (e.g. "aws/Amazon S3/123456789012").</param>
/// <param name="Timestamp">When the anomaly happened.</param>
/// <param name="DeviationPercentage">Its deviation % (sign = direction).</param>
/// <param name="Kind">The verdict.</param>
/// <param name="Note">Optional free text.</param>
public sealed record AnomalyFeedback(string SeriesKey, DateTime Timestamp, double DeviationPercentage, FeedbackKind Kind, string? Note = null);

/// <summary>The effect of stored feedback on a new anomaly.</summary>
/// <param name="Suppressed">True when an expected/planned verdict covers a similar deviation.</param>
/// <param name="ScoreMultiplier">Factor for the anomaly's score: 1, or <see cref="AnomalyFeedbackStore.RankLowerFactor"/>
/// when only the direction matches (same series, in the window, magnitude outside the similarity band).</param>
/// <param name="Match">The feedback that decided it, if any.</param>
public sealed record FeedbackAssessment(bool Suppressed, double ScoreMultiplier, AnomalyFeedback? Match);

/// <summary>
/// In-memory, JSON-serialisable feedback store. A new anomaly is similar to a stored expected/planned verdict when it
/// is on the same series key, within <see cref="Window"/> after it, in the same direction, and its |deviation %| is
/// within a factor <see cref="MagnitudeRatio"/> of the stored one: then it is suppressed. Same series, window and
/// direction but a different magnitude ranks it lower (score × <see cref="RankLowerFactor"/>). A <c>real</c> verdict
/// never suppresses, and a later <c>real</c> verdict on the same series overrides earlier expected/planned ones. A
/// verdict on the same series and day (the anomaly itself) applies whatever the deviation measured now.
/// </summary>
public sealed class AnomalyFeedbackStore
{
    /// <summary>Score factor for a same-direction but different-magnitude deviation.</summary>
    public const double RankLowerFactor = 0.5;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly List<AnomalyFeedback> _items = [];

    /// <summary>How long a verdict applies after its anomaly (default 30 days).</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Magnitudes within this factor of each other count as similar (default 2).</summary>
    public double MagnitudeRatio { get; init; } = 2.0;

    /// <summary>All feedback, in the order given.</summary>
    public IReadOnlyList<AnomalyFeedback> Items => _items;

    /// <summary>Records feedback.</summary>
    public void Add(AnomalyFeedback feedback)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        ArgumentException.ThrowIfNullOrWhiteSpace(feedback.SeriesKey);
        _items.Add(feedback);
    }

    /// <summary>How stored feedback affects an anomaly on <paramref name="seriesKey"/> at <paramref name="timestamp"/>.</summary>
    public FeedbackAssessment Assess(string seriesKey, DateTime timestamp, double deviationPercentage)
    {
        // A verdict on this very anomaly (same series and day) decides it whatever its size: re-detection over another
        // range can estimate a somewhat different expectation for the same day, and the user judged the day, not a figure.
        var own = _items.LastOrDefault(f => f.SeriesKey == seriesKey && f.Timestamp == timestamp);
        if (own is not null)
        {
            return own.Kind == FeedbackKind.Real ? new FeedbackAssessment(false, 1.0, own) : new FeedbackAssessment(true, 0.0, own);
        }

        var candidates = _items
            .Where(f => f.SeriesKey == seriesKey && f.Timestamp <= timestamp && timestamp - f.Timestamp <= Window)
            .Where(f => Math.Sign(f.DeviationPercentage) == Math.Sign(deviationPercentage))
            .OrderByDescending(f => f.Timestamp)
            .ToList();
        var latest = candidates.FirstOrDefault();
        if (latest is null || latest.Kind == FeedbackKind.Real)
        {
            return new FeedbackAssessment(false, 1.0, latest);
        }

        var a = Math.Abs(deviationPercentage);
        var b = Math.Abs(latest.DeviationPercentage);
        var similar = a > 0 && b > 0 && Math.Max(a, b) / Math.Min(a, b) <= MagnitudeRatio;
        return similar ? new FeedbackAssessment(true, 0.0, latest) : new FeedbackAssessment(false, RankLowerFactor, latest);
    }

    /// <summary>The store as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(_items, Json);

    /// <summary>A store from <see cref="ToJson"/> output.</summary>
    /// <exception cref="FormatException">The JSON is not a feedback list.</exception>
    public static AnomalyFeedbackStore FromJson(string json, TimeSpan? window = null, double magnitudeRatio = 2.0)
    {
        List<AnomalyFeedback>? items;
        try
        {
            items = JsonSerializer.Deserialize<List<AnomalyFeedback>>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"Feedback JSON is invalid at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message}", e);
        }

        var store = new AnomalyFeedbackStore { Window = window ?? TimeSpan.FromDays(30), MagnitudeRatio = magnitudeRatio };
        foreach (var f in items ?? [])
        {
            store.Add(f);
        }

        return store;
    }
}
