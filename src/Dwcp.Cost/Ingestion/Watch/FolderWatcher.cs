using Dwcp.Ingest;

namespace Dwcp.Cost.Ingestion.Watch;

/// <summary>Imports one ready delivery (locally through <see cref="DeliveryImporter"/>, or through a running server).</summary>
public delegate Task<ImportResult> DeliveryImport(WatchDelivery delivery, CancellationToken cancellationToken);

/// <summary>How to watch.</summary>
public sealed record WatchOptions
{
    /// <summary>Poll interval; also how long a file's size must stay unchanged before it counts as complete.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Watches a folder for provider deliveries and imports each complete one as one load: polling every interval (the
/// truth), with a <see cref="FileSystemWatcher"/> only as a hint to look sooner. Per delivery key, the newest complete
/// version wins and replaces the one loaded before it (a restatement); older versions are never imported after a newer
/// one. What was imported is kept in the state file, so a restart does not import again. A failed delivery is reported
/// and retried only when its files change. Cancellation is honoured between deliveries, never inside one.
/// </summary>
public sealed class FolderWatcher
{
    private readonly string _folder;
    private readonly string _stateFile;
    private readonly DeliveryImport _import;
    private readonly WatchOptions _options;
    private readonly DeliveryScanner _scanner;

    /// <summary>Creates a watcher of <paramref name="folder"/> keeping its state in <paramref name="stateFile"/>.</summary>
    public FolderWatcher(string folder, string stateFile, DeliveryImport import, WatchOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(stateFile);
        _folder = Path.GetFullPath(folder);
        _stateFile = stateFile;
        _import = import ?? throw new ArgumentNullException(nameof(import));
        _options = options ?? new WatchOptions();
        _scanner = new DeliveryScanner(_options.Interval, _options.Time);
    }

    /// <summary>The watched folder (absolute).</summary>
    public string Folder => _folder;

    /// <summary>Scans once and imports every ready delivery that is new or changed.</summary>
    public async Task<WatchScanReport> ScanOnceAsync(CancellationToken cancellationToken = default)
    {
        var state = WatchState.Load(_stateFile);
        var folder = state.For(_folder);
        var scan = _scanner.Scan(_folder);
        var outcomes = new List<DeliveryOutcome>();
        foreach (var p in scan.Problems)
        {
            var failedBefore = folder.Failed.TryGetValue(p.Key, out var f) && f.Fingerprint == p.Fingerprint;
            outcomes.Add(new DeliveryOutcome(p.Key, DeliveryLayout.SingleFile, string.Empty, failedBefore ? DeliveryStatus.FailedUnchanged : DeliveryStatus.Failed, p.Message, [p.Message], null));
            if (!failedBefore)
            {
                folder.Failed[p.Key] = new FailedDelivery(string.Empty, p.Fingerprint, p.Message, _options.Time.GetUtcNow());
                state.Save(_stateFile);
            }
        }

        var stale = folder.Failed.Keys.Where(k => k.StartsWith("manifest:", StringComparison.Ordinal) && scan.Problems.All(p => p.Key != k)).ToList();
        if (stale.Count > 0)
        {
            stale.ForEach(k => folder.Failed.Remove(k)); // the manifest was fixed or removed
            state.Save(_stateFile);
        }

        foreach (var group in scan.Groups)
        {
            var (delivery, outcome) = Decide(group, folder);
            if (delivery is null)
            {
                outcomes.Add(outcome!);
                continue;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break; // stop between deliveries
            }

            outcomes.Add(await ImportAsync(delivery, folder, state).ConfigureAwait(false));
        }

        return new WatchScanReport(_folder, outcomes);
    }

    /// <summary>Scans every interval (sooner after a file-system event) until cancelled, reporting each scan.</summary>
    public async Task RunAsync(Func<WatchScanReport, Task> onScan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onScan);
        using var hint = new SemaphoreSlim(0, 1);
        using var fsw = CreateHintWatcher(hint);
        while (!cancellationToken.IsCancellationRequested)
        {
            var report = await ScanOnceAsync(cancellationToken).ConfigureAwait(false);
            await onScan(report).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var delay = Task.Delay(_options.Interval, _options.Time, wait.Token);
                var woken = hint.WaitAsync(wait.Token);
                if (await Task.WhenAny(delay, woken).ConfigureAwait(false) == woken && !woken.IsCanceled)
                {
                    // A burst of writes becomes one scan; readiness still needs settled sizes.
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, _options.Interval.TotalSeconds)), _options.Time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            finally
            {
                await wait.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    private (WatchDelivery? Import, DeliveryOutcome? Outcome) Decide(DeliveryGroup group, WatchedFolderState folder)
    {
        folder.Imported.TryGetValue(group.Key, out var current);
        folder.Failed.TryGetValue(group.Key, out var failed);
        WatchDelivery? waiting = null;
        foreach (var c in group.Candidates)
        {
            var isCurrent = current is not null && current.Version == c.Version;
            if (isCurrent && current!.Fingerprint == c.Fingerprint)
            {
                return (null, Outcome(c, DeliveryStatus.Unchanged, waiting is null
                    ? $"{c.Label}: loaded (load {current.LoadId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "earlier"}), unchanged."
                    : $"{waiting.Label}: waiting: {waiting.WaitingFor}; {c.Version} stays loaded."));
            }

            if (current is not null && current.Superseded.Contains(c.Version, StringComparer.Ordinal))
            {
                break; // older than what is loaded: never go back
            }

            if (!c.Ready)
            {
                waiting ??= c;
                continue;
            }

            if (failed is not null && failed.Version == c.Version && failed.Fingerprint == c.Fingerprint)
            {
                return (null, Outcome(c, DeliveryStatus.FailedUnchanged, $"{c.Label}: failed earlier and unchanged since; fix the file and it is retried. {failed.Message}"));
            }

            return (c, null);
        }

        var w = waiting ?? group.Candidates[0];
        return (null, Outcome(w, DeliveryStatus.Waiting, $"{w.Label}: waiting: {w.WaitingFor ?? "an older version than the one loaded"}."));
    }

    private async Task<DeliveryOutcome> ImportAsync(WatchDelivery d, WatchedFolderState folder, WatchState state)
    {
        ImportResult result;
        try
        {
            result = await _import(d, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or IngestException or UnauthorizedAccessException)
        {
            return Fail(d, folder, state, ex.Message, [ex.Message], null);
        }

        var identical = !result.Committed && result.Files.Count > 0 && result.Files.All(f => f.Status == FileImportStatus.AlreadyLoaded);
        if (!result.Committed && !identical)
        {
            var errors = result.Files.SelectMany(f => f.Errors.Take(10).Select(e => e.ToString())).ToList();
            return Fail(d, folder, state, result.Message, errors.Count > 0 ? errors : [result.Message], result);
        }

        folder.Imported.TryGetValue(d.Key, out var previous);
        var superseded = previous is null ? [] : previous.Superseded.Append(previous.Version).Where(v => v != d.Version).Distinct(StringComparer.Ordinal).ToList();
        var files = result.Files.Select(f => new ImportedFileRecord(Path.GetRelativePath(_folder, f.Path).Replace('\\', '/'), d.Files.FirstOrDefault(x => x.Path == f.Path)?.Size ?? 0, f.Sha256)).ToList();
        folder.Imported[d.Key] = new ImportedDelivery(d.Layout.ToString(), d.Version, d.Fingerprint, files, result.Load?.LoadId, _options.Time.GetUtcNow(), superseded);
        folder.Failed.Remove(d.Key);
        state.Save(_stateFile);
        var message = identical ? $"{d.Label}: identical to what is loaded; nothing changed." : $"{d.Label}: {result.Message}";
        return new DeliveryOutcome(d.Key, d.Layout, d.Version, DeliveryStatus.Imported, message, [], result);
    }

    private DeliveryOutcome Fail(WatchDelivery d, WatchedFolderState folder, WatchState state, string message, IReadOnlyList<string> errors, ImportResult? result)
    {
        folder.Failed[d.Key] = new FailedDelivery(d.Version, d.Fingerprint, errors.Count > 0 ? errors[0] : message, _options.Time.GetUtcNow());
        state.Save(_stateFile);
        return new DeliveryOutcome(d.Key, d.Layout, d.Version, DeliveryStatus.Failed, $"{d.Label}: {message}", errors, result);
    }

    private static DeliveryOutcome Outcome(WatchDelivery d, DeliveryStatus status, string message) => new(d.Key, d.Layout, d.Version, status, message, [], null);

    private FileSystemWatcher? CreateHintWatcher(SemaphoreSlim hint)
    {
        try
        {
            var fsw = new FileSystemWatcher(_folder) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.LastWrite | NotifyFilters.DirectoryName };
            void Wake(object? s, FileSystemEventArgs e)
            {
                if (hint.CurrentCount == 0)
                {
                    try
                    {
                        hint.Release();
                    }
                    catch (SemaphoreFullException)
                    {
                        // already signalled
                    }
                }
            }

            fsw.Created += Wake;
            fsw.Changed += Wake;
            fsw.Renamed += Wake;
            fsw.EnableRaisingEvents = true;
            return fsw;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
        {
            return null; // no events (e.g. inotify limit): polling alone still finds everything
        }
    }
}
