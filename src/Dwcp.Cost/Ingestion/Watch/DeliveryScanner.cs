using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>All versions found for one delivery key, newest first.</summary>
/// <param name="Key">The delivery key.</param>
/// <param name="Candidates">Versions, newest first (the AWS period-level manifest's assembly leads).</param>
public sealed record DeliveryGroup(string Key, IReadOnlyList<WatchDelivery> Candidates);

/// <summary>What one scan found.</summary>
/// <param name="Groups">Deliveries by key, ordered by key.</param>
/// <param name="Problems">Manifests that cannot be read.</param>
public sealed record ScanResult(IReadOnlyList<DeliveryGroup> Groups, IReadOnlyList<ScanProblem> Problems);

/// <summary>
/// Finds provider deliveries in a folder by polling (the truth; file-system events are only a hint, as network mounts
/// drop them). A file is settled when its size and write time have not changed for one settle interval, or when it
/// was last written at least one settle interval ago; an Azure blob is also settled when its size equals the
/// manifest's <c>byteCount</c>. A delivery is ready when its manifest parses and every listed file exists and is settled.
/// </summary>
public sealed partial class DeliveryScanner
{
    private static readonly string[] DataExtensions = [".csv", ".csv.gz", ".parquet", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz"];
    private static readonly string[] PartialSuffixes = [".tmp", ".partial", ".crdownload", "._COPYING_", ".rejected.csv"];
    private readonly TimeProvider _time;
    private readonly TimeSpan _settle;
    private readonly Dictionary<string, (long Size, DateTime Mtime, DateTimeOffset FirstSeen)> _seen = new(StringComparer.Ordinal);

    /// <summary>Creates a scanner.</summary>
    /// <param name="settle">How long a file's size must stay unchanged before it counts as complete (the poll interval).</param>
    /// <param name="time">The clock (tests pass a fake one).</param>
    public DeliveryScanner(TimeSpan settle, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settle, TimeSpan.Zero);
        _settle = settle;
        _time = time ?? TimeProvider.System;
    }

    [GeneratedRegex(@"^\d{8}-\d{8}$", RegexOptions.CultureInvariant)]
    private static partial Regex PeriodFolderName();

    /// <summary>Scans <paramref name="folder"/> recursively.</summary>
    public ScanResult Scan(string folder)
    {
        var root = Path.GetFullPath(folder);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"{root}: no such folder. Check the path given to --watch.");
        }

        var files = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden })
            .Where(f => !Path.GetFileName(f).StartsWith('.') && !PartialSuffixes.Any(s => f.EndsWith(s, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var claimed = new List<string>();
        var groups = new Dictionary<string, List<(WatchDelivery D, DateTimeOffset Order, bool Pointer)>>(StringComparer.Ordinal);
        var problems = new List<ScanProblem>();

        void Add(WatchDelivery d, DateTimeOffset order, bool pointer)
        {
            if (!groups.TryGetValue(d.Key, out var list))
            {
                groups[d.Key] = list = [];
            }

            list.Add((d, order, pointer));
        }

        foreach (var f in files.Where(f => f.EndsWith("manifest.json", StringComparison.OrdinalIgnoreCase)))
        {
            ProviderManifest m;
            try
            {
                m = ManifestParsers.Parse(f);
            }
            catch (ManifestException ex)
            {
                if (Settled(new FileInfo(f), null))
                {
                    problems.Add(new ScanProblem("manifest:" + Rel(root, f), f, Fingerprint(f, []), ex.Message));
                }

                claimed.Add(Path.GetDirectoryName(f)!);
                continue;
            }
            catch (IOException)
            {
                continue; // being written or removed; the next scan sees it
            }

            var dir = Path.GetDirectoryName(f)!;
            var mtime = new DateTimeOffset(File.GetLastWriteTimeUtc(f), TimeSpan.Zero);
            switch (m.Layout)
            {
                case DeliveryLayout.AwsCur:
                {
                    var parent = Path.GetDirectoryName(dir) ?? dir;
                    var period = IsPeriod(dir) ? dir : IsPeriod(parent) ? parent : dir;
                    var version = m.Version ?? (period != dir ? Path.GetFileName(dir) : string.Empty);
                    var listed = m.Files.Select(k => ResolveAfter(k, period, Path.GetFileName(period), dir)).ToList();
                    Add(Build("aws-cur:" + Rel(root, period), m.Layout, version, f, listed, []), mtime, pointer: period == dir);
                    claimed.Add(period);
                    break;
                }

                case DeliveryLayout.AwsDataExport:
                {
                    var metadata = Ancestors(dir).FirstOrDefault(a => Path.GetFileName(a).Equals("metadata", StringComparison.OrdinalIgnoreCase));
                    var export = metadata is null ? dir : Path.GetDirectoryName(metadata)!;
                    var partition = Rel(export, dir).Split('/').FirstOrDefault(s => s.StartsWith("BILLING_PERIOD=", StringComparison.OrdinalIgnoreCase)) ?? Path.GetFileName(dir);
                    var listed = m.Files.Select(u => ResolveDataExport(u, export, dir)).ToList();
                    Add(Build("aws-export:" + Rel(root, export) + "/" + partition, m.Layout, m.Version ?? string.Empty, f, listed, []), mtime, pointer: false);
                    claimed.Add(export);
                    break;
                }

                default:
                {
                    var period = Ancestors(dir).FirstOrDefault(IsPeriod) ?? Path.GetDirectoryName(dir) ?? dir;
                    var runName = Path.GetFileName(dir);
                    var listed = m.Files.Select(b => ResolveAfter(b, dir, runName, dir)).ToList();
                    Add(Build("azure:" + Rel(root, period), m.Layout, m.Version ?? runName, f, listed, m.Sizes), m.SubmittedUtc ?? mtime, pointer: false);
                    claimed.Add(period);
                    break;
                }
            }
        }

        bool IsClaimed(string path) => claimed.Any(c => path.StartsWith(c + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        var data = files.Where(f => DataExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase)) && !IsClaimed(f)).ToList();

        // Older Azure exports: <YYYYMMDD-YYYYMMDD>/<runId>/<one csv>, no manifest. The latest run (by write time) leads.
        var legacyRuns = data
            .Where(f => Path.GetDirectoryName(Path.GetDirectoryName(f)!) is { } p && p.Length > root.Length && IsPeriod(p))
            .GroupBy(f => Path.GetDirectoryName(f)!, StringComparer.Ordinal)
            .ToList();
        foreach (var run in legacyRuns)
        {
            var period = Path.GetDirectoryName(run.Key)!;
            var listed = run.Select(p => p).ToList();
            var order = run.Max(p => new DateTimeOffset(File.GetLastWriteTimeUtc(p), TimeSpan.Zero));
            Add(Build("azure:" + Rel(root, period), DeliveryLayout.AzureExportLegacy, Path.GetFileName(run.Key), null, listed, []), order, pointer: false);
        }

        var legacy = legacyRuns.SelectMany(r => r).ToHashSet(StringComparer.Ordinal);
        foreach (var f in data.Where(f => !legacy.Contains(f)))
        {
            Add(Build("file:" + Rel(root, f), DeliveryLayout.SingleFile, string.Empty, null, [f], []), default, pointer: false);
        }

        var result = groups
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DeliveryGroup(g.Key, g.Value
                .OrderByDescending(c => c.Pointer)
                .ThenByDescending(c => c.Order)
                .Select(c => c.D)
                .DistinctBy(d => d.Version, StringComparer.Ordinal)
                .ToList()))
            .ToList();
        return new ScanResult(result, problems);
    }

    private WatchDelivery Build(string key, DeliveryLayout layout, string version, string? manifest, IReadOnlyList<string> paths, IReadOnlyList<long?> sizes)
    {
        var files = new List<DeliveryFile>();
        string? waiting = paths.Count == 0 ? "the manifest lists no data files" : null;
        for (var i = 0; i < paths.Count; i++)
        {
            var info = new FileInfo(paths[i]);
            var expected = i < sizes.Count ? sizes[i] : null;
            if (!info.Exists)
            {
                files.Add(new DeliveryFile(paths[i], false, 0, default, expected));
                waiting ??= $"{paths[i]} is listed but missing";
                continue;
            }

            files.Add(new DeliveryFile(paths[i], true, info.Length, info.LastWriteTimeUtc, expected));
            if (!Settled(info, expected))
            {
                waiting ??= expected is { } e && info.Length != e
                    ? string.Create(CultureInfo.InvariantCulture, $"{paths[i]} has {info.Length:N0} of {e:N0} bytes")
                    : $"{paths[i]} is still changing (its size must stay the same for {_settle.TotalSeconds:0.#} s)";
            }
        }

        return new WatchDelivery(key, layout, version, manifest, files, Fingerprint(manifest, files), waiting is null, waiting);
    }

    private bool Settled(FileInfo info, long? expected)
    {
        if (expected is { } e)
        {
            return info.Length == e;
        }

        var now = _time.GetUtcNow();
        if (now - new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero) >= _settle)
        {
            return true;
        }

        if (_seen.TryGetValue(info.FullName, out var o) && o.Size == info.Length && o.Mtime == info.LastWriteTimeUtc)
        {
            return now - o.FirstSeen >= _settle;
        }

        _seen[info.FullName] = (info.Length, info.LastWriteTimeUtc, now);
        return false;
    }

    private static string Fingerprint(string? manifest, IReadOnlyList<DeliveryFile> files)
    {
        var sb = new StringBuilder();
        if (manifest is not null && new FileInfo(manifest) is { Exists: true } m)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{manifest}|{m.Length}|{m.LastWriteTimeUtc.Ticks}\n");
        }

        foreach (var f in files)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{f.Path}|{f.Exists}|{f.Size}|{f.LastWriteUtc.Ticks}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())))[..16];
    }

    private static bool IsPeriod(string dir) => PeriodFolderName().IsMatch(Path.GetFileName(dir));

    private static IEnumerable<string> Ancestors(string dir)
    {
        for (var d = dir; d is not null; d = Path.GetDirectoryName(d))
        {
            yield return d;
        }
    }

    private static string Rel(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    /// <summary>An S3 key or blob name mapped under <paramref name="anchor"/>: the segments after the last segment named <paramref name="after"/>; else the file name in <paramref name="fallback"/>.</summary>
    private static string ResolveAfter(string key, string anchor, string after, string fallback)
    {
        var segments = StripScheme(key).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.FindLastIndex(segments, s => s.Equals(after, StringComparison.Ordinal));
        return i >= 0 && i < segments.Length - 1
            ? Path.Combine([anchor, .. segments[(i + 1)..]])
            : Path.Combine(fallback, segments.Length > 0 ? segments[^1] : key);
    }

    private static string ResolveDataExport(string uri, string export, string fallback)
    {
        var segments = StripScheme(uri).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var i = Array.FindIndex(segments, s => s.StartsWith("BILLING_PERIOD=", StringComparison.OrdinalIgnoreCase));
        return i >= 0
            ? Path.Combine([export, "data", .. segments[i..]])
            : Path.Combine(fallback, segments.Length > 0 ? segments[^1] : uri);
    }

    private static string StripScheme(string key)
    {
        var i = key.IndexOf("://", StringComparison.Ordinal);
        if (i < 0)
        {
            return key;
        }

        var rest = key[(i + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? string.Empty : rest[(slash + 1)..]; // drop the bucket
    }
}
