using Dwcp.Ingest;
using Dwcp.Ingest.Native;
using Dwcp.Storage;

namespace Dwcp.Cost.Ingestion;

/// <summary>
/// Imports billing files as one delivery: hashes each file, skips files that are already loaded and current, reads
/// the rest with full validation into one load session, and commits only if no file was rejected. By default a file
/// with any bad row is rejected whole, and then nothing of the delivery lands: a restatement is never half-applied.
/// </summary>
public sealed class BillingImporter(ICostStore store)
{
    // .json is left out of folder scans on purpose: AWS deliveries hold manifest JSON files beside the data. Name such files explicitly.
    private static readonly string[] Extensions = [".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"];

    /// <summary>Expands directories (recursively, files with a known extension) and checks every path exists.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                files.AddRange(Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
                    .Where(f => !f.EndsWith(".rejected.csv", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal));
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new FileNotFoundException($"{p}: no such file or folder. Check the path.", p);
            }
        }

        return files.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The source format and container, e.g. <c>aws-cur (csv.gz)</c> or <c>azure-ea amortized (csv)</c>.</summary>
    private static string FormatName(IngestReport report)
    {
        var name = SourceFormats.NameOf(report.SourceFormat);
        var variant = report.SourceVariant is { Length: > 0 } v ? " " + v : string.Empty;
        return $"{name}{variant} ({report.FormatDetected.ToString().ToLowerInvariant()})";
    }

    /// <summary>Imports the files as one delivery.</summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<string> paths, ImportOptions options, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = ExpandPaths(paths);
        if (files.Count == 0)
        {
            return new ImportResult(false, "No billing files found (looked for .csv, .csv.gz, .parquet and .jsonl/.ndjson; name other files, such as .json, explicitly).", [], null);
        }

        var results = new List<FileImportResult>();
        var pending = new List<(string Path, string Sha)>();
        foreach (var f in files)
        {
            var sha = FileHasher.Sha256Hex(f);
            var live = await store.FindLiveFileAsync(sha, cancellationToken).ConfigureAwait(false);
            if (live is not null)
            {
                results.Add(new FileImportResult(f, sha, FileImportStatus.AlreadyLoaded, "-", 0, 0, 0, new Dictionary<string, long>(), [], 0, null, live.LoadId));
            }
            else
            {
                pending.Add((f, sha));
            }
        }

        if (pending.Count == 0)
        {
            return new ImportResult(false, $"Nothing to do: {Plural(files.Count, "file")} already loaded and current.", results, null);
        }

        await using var session = await store.BeginLoadAsync(new LoadRequest(options.Description), cancellationToken).ConfigureAwait(false);
        var loaded = new List<FileImportResult>();
        var rejected = 0;
        for (var i = 0; i < pending.Count; i++)
        {
            var (path, sha) = pending[i];
            var r = ReadInto(session, path, sha, i, pending.Count, options, progress, cancellationToken);
            if (r.Status == FileImportStatus.Rejected)
            {
                rejected++;
            }
            else
            {
                session.AddFile(path, sha, r.RowsLoaded);
            }

            loaded.Add(r);
        }

        if (rejected > 0)
        {
            await session.AbortAsync(cancellationToken).ConfigureAwait(false);
            results.AddRange(loaded.Select(r => r.Status == FileImportStatus.Loaded ? r with { Status = FileImportStatus.NotLoaded, RowsLoaded = 0 } : r));
            // A file-level problem (header, binary, truncation) cannot be skipped row by row.
            var onlyRowErrors = loaded.Where(r => r.Status == FileImportStatus.Rejected).All(r => r.Errors.All(e => e.Line > 1 || e.Row is not null) && r.RowsRead > 0);
            var hint = options.SkipInvalidRows || !onlyRowErrors
                ? "Fix the file(s) named above and run again."
                : "Fix the rows, or run again with --skip-invalid-rows to load the good rows and set the bad ones aside.";
            return new ImportResult(false, $"Nothing was loaded: {Plural(rejected, "file")} had errors. {hint}", results, null);
        }

        var summary = await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        results.AddRange(loaded);
        var message = $"Loaded {summary.RowCount:N0} rows from {Plural(loaded.Count, "file")} as load {summary.LoadId}: {Plural(summary.Partitions.Count, "billing period")}" +
            (summary.ReplacedPartitions > 0 ? $", {summary.ReplacedPartitions} of them restated (replacing the earlier delivery)." : ".");
        return new ImportResult(true, message, results, summary);
    }

    private static FileImportResult ReadInto(ILoadSession session, string path, string sha, int index, int count, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var readerOptions = new BillingReaderOptions
        {
            SourceFormat = options.SourceFormat,
            AzureCostKind = options.AzureCostKind,
            SkipInvalidRows = options.SkipInvalidRows,
            RejectedRowsPath = options.SkipInvalidRows
                ? Path.Combine(options.RejectedDir, $"{Path.GetFileName(path)}.load{session.LoadId}.rejected.csv")
                : null,
        };
        if (readerOptions.RejectedRowsPath is not null)
        {
            Directory.CreateDirectory(options.RejectedDir);
        }

        var total = new FileInfo(path).Length;
        long appended = 0;
        IngestReport? report = null;
        IngestError? fatal = null;
        try
        {
            using var reader = BillingFileReader.Open(path, readerOptions);
            report = reader.Report;
            var policy = options.TagPolicy;
            foreach (var row in reader.ReadRows(ct))
            {
                if (!policy.IsIdentity)
                {
                    row.NormalizedTags = policy.Apply(row.NormalizedTags, row.BillingAccountId, row.SubAccountId);
                }

                session.Append(row);
                appended++;
                if (appended % 50_000 == 0)
                {
                    progress?.Report(new ImportProgress(path, index, count, appended, 0, total));
                }
            }
        }
        catch (IngestException ex)
        {
            fatal = ex.Error;
        }

        progress?.Report(new ImportProgress(path, index, count, appended, total, total));
        var errors = new List<IngestError>();
        if (fatal is not null)
        {
            errors.Add(fatal);
        }

        if (report is not null)
        {
            errors.AddRange(report.Errors.Where(e => !ReferenceEquals(e, fatal)));
        }

        var errorCount = (report?.ErrorCount ?? 0) + (fatal is not null && (report?.FatalError is null) ? 1 : 0);
        var isRejected = fatal is not null || (!options.SkipInvalidRows && errorCount > 0);
        var warnings = report?.Warnings.ToDictionary(kv => kv.Key.ToString(), kv => kv.Value.Count) ?? new Dictionary<string, long>();
        return new FileImportResult(
            path,
            sha,
            isRejected ? FileImportStatus.Rejected : FileImportStatus.Loaded,
            report is null ? "unknown" : FormatName(report),
            report?.RowsRead ?? 0,
            isRejected ? 0 : appended,
            report?.RowsRejected ?? 0,
            warnings,
            errors,
            Math.Max(errorCount, errors.Count),
            report?.RejectedRowsFile,
            null);
    }

    private static string Plural(long n, string word) => $"{n:N0} {word}{(n == 1 ? string.Empty : "s")}";
}
