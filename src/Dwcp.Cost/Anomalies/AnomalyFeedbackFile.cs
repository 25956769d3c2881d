using System.Text.Json;
using System.Text.Json.Serialization;
using Dwcp.Anomalies.Costs;

namespace Dwcp.Cost.Anomalies;

/// <summary>One stored verdict: the anomaly it was given on, and when.</summary>
/// <param name="Id">The anomaly id (<see cref="AnomalyId"/>).</param>
/// <param name="SeriesKey">The series' feedback key (<see cref="AnomalySeriesKey.FeedbackKey"/>).</param>
/// <param name="Day">The anomalous day.</param>
/// <param name="DeviationPercentage">Its deviation % when marked (sign = direction).</param>
/// <param name="Kind">The verdict.</param>
/// <param name="Note">Optional free text.</param>
/// <param name="MarkedAt">When the verdict was given (UTC).</param>
public sealed record AnomalyVerdict(string Id, string SeriesKey, DateOnly Day, double DeviationPercentage, FeedbackKind Kind, string? Note, DateTimeOffset MarkedAt);

/// <summary>
/// Feedback kept in <c>&lt;data&gt;/anomaly-feedback.json</c> (a JSON array of <see cref="AnomalyVerdict"/>). Writes go
/// to a temporary file in the same folder that then replaces the old file, so a crash never leaves half a file. A
/// later verdict on the same id replaces the earlier one.
/// </summary>
public sealed class AnomalyFeedbackFile
{
    /// <summary>The file name inside the data folder.</summary>
    public const string FileName = "anomaly-feedback.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter<FeedbackKind>(JsonNamingPolicy.SnakeCaseLower) },
    };

    private readonly SemaphoreSlim _lock = new(1, 1);

    /// <summary>Feedback in a data folder.</summary>
    public AnomalyFeedbackFile(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        Path = System.IO.Path.Combine(dataDir, FileName);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Every stored verdict (empty when the file does not exist yet).</summary>
    /// <exception cref="CostQueryException">The file is not valid feedback JSON (the message names the file and position).</exception>
    public async Task<IReadOnlyList<AnomalyVerdict>> ReadAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ReadUnlockedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Adds a verdict (replacing an earlier one on the same id) and writes the file atomically.</summary>
    public async Task AddAsync(AnomalyVerdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var items = (await ReadUnlockedAsync(cancellationToken).ConfigureAwait(false)).Where(v => v.Id != verdict.Id).Append(verdict).ToList();
            var folder = System.IO.Path.GetDirectoryName(Path)!;
            Directory.CreateDirectory(folder);
            var temp = System.IO.Path.Combine(folder, $".{FileName}.{Guid.NewGuid():N}.tmp");
            await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(items, Json) + "\n", cancellationToken).ConfigureAwait(false);
            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The verdicts as the detection library's feedback store.</summary>
    public static AnomalyFeedbackStore ToStore(IEnumerable<AnomalyVerdict> verdicts)
    {
        var store = new AnomalyFeedbackStore();
        foreach (var v in verdicts.OrderBy(v => v.MarkedAt))
        {
            store.Add(new AnomalyFeedback(v.SeriesKey, v.Day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), v.DeviationPercentage, v.Kind, v.Note));
        }

        return store;
    }

    private async Task<IReadOnlyList<AnomalyVerdict>> ReadUnlockedAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var text = await File.ReadAllTextAsync(Path, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<List<AnomalyVerdict>>(text, Json) ?? [];
        }
        catch (JsonException ex)
        {
            throw new CostQueryException(CostQueryErrorKind.InvalidArgument,
                $"{Path} line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}: not valid anomaly feedback ({ex.Message}). Fix or delete the file; it only holds verdicts given with 'dwcp anomalies feedback'.");
        }
    }
}
