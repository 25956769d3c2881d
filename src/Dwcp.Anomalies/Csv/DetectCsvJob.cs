using System.Globalization;
using System.Text;

namespace Dwcp.Anomalies.Csv;

/// <summary>Options of the detect job (what <c>dwcp detect</c> passes).</summary>
public sealed record DetectJobOptions
{
    /// <summary>A <c>timestamp,value</c> CSV file, or a directory: every <c>*.csv</c> under it is processed.</summary>
    public required string Input { get; init; }

    /// <summary>Output file (file input) or directory mirroring the input tree (directory input).</summary>
    public required string Output { get; init; }

    /// <summary>True = online mode (each row scored from rows up to itself); false = batch mode (whole series).</summary>
    public bool Online { get; init; }

    /// <summary>Target false-positive rate α; <c>is_anomaly</c> = score ≥ 1 − α.</summary>
    public double FpRate { get; init; } = 0.05;

    /// <summary>Seasonal period in rows; null = detect from the data.</summary>
    public int? Period { get; init; }

    /// <summary>Batch mode's components (default <see cref="BatchComponents.Default"/>, with the forecasting engine's interval breach).</summary>
    public BatchComponents BatchComponents { get; init; } = BatchComponents.Default;
}

/// <summary>One processed file.</summary>
public sealed record DetectedFile(string Input, string Output, int Rows, int Anomalies, int Period);

/// <summary>What the job did, plus warnings (e.g. rows sorted by time in batch mode).</summary>
public sealed record DetectJobResult(IReadOnlyList<DetectedFile> Files, IReadOnlyList<string> Warnings);

/// <summary>
/// The library side of <c>dwcp detect</c>: reads <c>timestamp,value</c> files, scores them with the online or batch
/// ensemble, and writes <c>timestamp,value,anomaly_score,is_anomaly</c> with one row per input row in input order
/// (timestamp and value copied verbatim). All inputs are read and scored before anything is written, so bad data in
/// one file of a directory leaves no partial output.
/// </summary>
public static class DetectCsvJob
{
    /// <summary>The output header.</summary>
    public const string OutputHeader = "timestamp,value,anomaly_score,is_anomaly";

    /// <summary>Runs the job.</summary>
    /// <exception cref="ArgumentException">Usage error: bad fp-rate/period, input path missing, no CSV in the directory.</exception>
    /// <exception cref="AnomalyInputException">Bad data: empty file, missing header, bad field, online time going backwards.</exception>
    public static DetectJobResult Run(DetectJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.FpRate > 0 && options.FpRate < 1))
        {
            throw new ArgumentException($"--fp-rate must be between 0 and 1 (got {options.FpRate.ToString(CultureInfo.InvariantCulture)}); e.g. 0.05.", nameof(options));
        }

        if (options.Period is < 0)
        {
            throw new ArgumentException($"--period must be ≥ 0 (got {options.Period}).", nameof(options));
        }

        List<(string Input, string Output)> jobs;
        if (Directory.Exists(options.Input))
        {
            if (File.Exists(options.Output))
            {
                throw new ArgumentException($"Input '{options.Input}' is a directory, so the output must be a directory, but '{options.Output}' is a file.", nameof(options));
            }

            jobs = Directory.EnumerateFiles(options.Input, "*.csv", SearchOption.AllDirectories)
                .Order(StringComparer.Ordinal)
                .Select(f => (f, Path.Combine(options.Output, Path.GetRelativePath(options.Input, f))))
                .ToList();
            if (jobs.Count == 0)
            {
                throw new ArgumentException($"No *.csv files under '{options.Input}'.", nameof(options));
            }
        }
        else if (File.Exists(options.Input))
        {
            var output = Directory.Exists(options.Output) ? Path.Combine(options.Output, Path.GetFileName(options.Input)) : options.Output;
            jobs = [(options.Input, output)];
        }
        else
        {
            throw new ArgumentException($"Input '{options.Input}' does not exist; give a CSV file or a directory of CSV files.", nameof(options));
        }

        var warnings = new List<string>();
        var scored = jobs.Select(j => (j.Input, j.Output, Result: ScoreFile(j.Input, options, warnings))).ToList();
        var files = new List<DetectedFile>();
        foreach (var (input, output, (rows, scores, period)) in scored)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(output));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            Write(output, rows, scores);
            files.Add(new DetectedFile(input, output, rows.Count, scores.Count(s => s.IsAnomaly), period));
        }

        return new DetectJobResult(files, warnings);
    }

    private static (IReadOnlyList<SeriesRow> Rows, AnomalyScore[] Scores, int Period) ScoreFile(string path, DetectJobOptions options, List<string> warnings)
    {
        var rows = SeriesCsv.Read(path);
        if (options.Online)
        {
            var detector = new OnlineAnomalyDetector(new OnlineDetectorOptions { FpRate = options.FpRate, Period = options.Period });
            var scores = new AnomalyScore[rows.Count];
            for (var i = 0; i < rows.Count; i++)
            {
                if (i > 0 && rows[i].Timestamp < rows[i - 1].Timestamp)
                {
                    throw new AnomalyInputException(path, rows[i].Line, "timestamp",
                        $"timestamp '{rows[i].TimestampText}' is earlier than the previous row's '{rows[i - 1].TimestampText}'; online mode needs rows in time order (sort the file, or use batch mode).");
                }

                scores[i] = detector.Score(rows[i].Timestamp, rows[i].Value);
            }

            // Leading rows with p = 1 are the warm-up: the detector had too little history to score them.
            var warmup = 0;
            while (warmup < scores.Length && scores[warmup].PValue >= 1)
            {
                warmup++;
            }

            if (warmup == scores.Length)
            {
                warnings.Add($"{path}: none of its {rows.Count} rows could be scored: online mode needs history before it scores (about 100 rows; see docs/anomalies.md), so every row scores 0. Add history, or use batch mode for a short file.");
            }
            else if (warmup > rows.Count / 4)
            {
                warnings.Add($"{path}: the first {warmup} of {rows.Count} rows are online mode's warm-up (too little history to score) and score 0.");
            }

            return (rows, scores, detector.Period ?? 0);
        }

        // Batch: score in time order (stable sort), report in input order.
        var order = Enumerable.Range(0, rows.Count).ToArray();
        var firstBackwards = Enumerable.Range(1, Math.Max(0, rows.Count - 1)).FirstOrDefault(i => rows[i].Timestamp < rows[i - 1].Timestamp);
        if (firstBackwards > 0)
        {
            order = order.OrderBy(i => rows[i].Timestamp).ThenBy(i => i).ToArray();
            warnings.Add($"{path}:{rows[firstBackwards].Line}: timestamp '{rows[firstBackwards].TimestampText}' is earlier than the previous row's; rows were sorted by time for scoring (output keeps the input order).");
        }

        if (rows.Count < 40)
        {
            var floor = 1.0 / rows.Count;
            warnings.Add($"{path}: only {rows.Count} rows: below 40 rows the scores are empirical ranks (p ≥ 1/{rows.Count} = {floor.ToString("0.###", CultureInfo.InvariantCulture)})"
                + (options.FpRate < floor ? $", so nothing can be flagged at --fp-rate {options.FpRate.ToString(CultureInfo.InvariantCulture)}" : string.Empty)
                + ". Add history for calibrated scores.");
        }

        var values = order.Select(i => rows[i].Value).ToArray();
        var result = BatchAnomalyDetector.Detect(values, new BatchDetectorOptions { FpRate = options.FpRate, Period = options.Period, Components = options.BatchComponents });
        var byInput = new AnomalyScore[rows.Count];
        for (var k = 0; k < order.Length; k++)
        {
            byInput[order[k]] = result.Scores[k];
        }

        return (rows, byInput, result.Period);
    }

    private static void Write(string path, IReadOnlyList<SeriesRow> rows, AnomalyScore[] scores)
    {
        var sb = new StringBuilder(rows.Count * 48);
        sb.Append(OutputHeader).Append('\n');
        for (var i = 0; i < rows.Count; i++)
        {
            sb.Append(rows[i].TimestampText).Append(',').Append(rows[i].ValueText).Append(',')
              .Append(FormatScore(scores[i].Score)).Append(',').Append(scores[i].IsAnomaly ? '1' : '0').Append('\n');
        }

        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
    }

    /// <summary>Formats a score with up to 15 decimals, invariant culture, never in exponent form.</summary>
    public static string FormatScore(double score) => score.ToString("0.###############", CultureInfo.InvariantCulture);
}
