using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Dwcp.Streaming;
using Microsoft.Extensions.Hosting;

namespace Dwcp.Server;

/// <summary>
/// The server's late-events sink: every event later than the allowed lateness is appended, off the accept path, as one
/// JSON line to <c>late-events-YYYY-MM-DD.ndjson</c> (UTC day of arrival) in the engine's data folder, and the latest
/// ones are kept in memory for <c>GET /api/v1/events/late</c>. A line holds the event in its wire form under
/// <c>event</c>, so it can be posted again (e.g. after raising the allowed lateness), with the watermark it missed, the
/// window sizes it missed and whether a longer window still counted it. Started before the engine, so it stops after it
/// and writes every late event the engine reported.
/// </summary>
public sealed class LateEventFileSink : ILateEventSink, IHostedService, IAsyncDisposable
{
    /// <summary>Late events waiting for the writer at most; beyond it they are counted in <see cref="Unwritten"/>.</summary>
    public const int QueueCapacity = 100_000;

    private readonly Channel<(LateEvent Late, DateTimeOffset At)> _queue = Channel.CreateBounded<(LateEvent, DateTimeOffset)>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private const int RecentCapacity = 1_000;
    private readonly Queue<(LateEvent Late, DateTimeOffset At)> _recent = new();
    private readonly Lock _recentLock = new();
    private readonly TimeProvider _time;
    private long _received;
    private Task? _writer;
    private long _written;
    private long _unwritten;

    /// <summary>Creates the sink.</summary>
    /// <param name="directory">Folder of the files (created when needed).</param>
    /// <param name="time">Clock for the arrival time.</param>
    public LateEventFileSink(string directory, TimeProvider time)
    {
        Directory = directory;
        _time = time;
    }

    /// <summary>Folder of the files.</summary>
    public string Directory { get; }

    /// <summary>Late events received.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Late events written to the files.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Late events that could not be queued (the writer was <see cref="QueueCapacity"/> behind) or written (disk error).</summary>
    public long Unwritten => Interlocked.Read(ref _unwritten);

    /// <summary>The last write error, if any.</summary>
    public string? LastError { get; private set; }

    /// <summary>The latest late events (up to 1,000) with their arrival times, oldest first.</summary>
    public IReadOnlyList<(LateEvent Late, DateTimeOffset At)> Recent()
    {
        lock (_recentLock)
        {
            return [.. _recent];
        }
    }

    /// <inheritdoc />
    public void OnLateEvent(LateEvent lateEvent)
    {
        var item = (lateEvent, _time.GetUtcNow());
        lock (_recentLock)
        {
            if (_recent.Count == RecentCapacity)
            {
                _recent.Dequeue();
            }

            _recent.Enqueue(item);
        }

        Interlocked.Increment(ref _received);
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Increment(ref _unwritten);
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _writer ??= Task.Run(WriteLoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    /// <summary>Writes what is queued and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is { } writer)
        {
            await writer.ConfigureAwait(false);
        }
    }

    /// <summary>The wire form of one late event with why it is late (one line of the file).</summary>
    /// <param name="late">The late event.</param>
    /// <param name="receivedAt">When it arrived.</param>
    /// <returns>Compact JSON.</returns>
    public static string ToJson(LateEvent late, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(late);
        var e = late.Event;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("received_at", receivedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("watermark", late.Watermark.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteStartArray("missed_windows");
            foreach (var size in late.MissedWindows)
            {
                w.WriteStringValue(Graph.StreamFormat.Size(size));
            }

            w.WriteEndArray();
            w.WriteBoolean("aggregated_elsewhere", late.AggregatedElsewhere);
            w.WriteStartObject("event");
            w.WriteString("event_id", e.EventId);
            w.WriteString("timestamp", e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("event_type", e.EventType);
            w.WriteStartObject("metrics");
            foreach (var m in e.Metrics)
            {
                w.WriteNumber(m.Name, m.Value);
            }

            w.WriteEndObject();
            WriteIfSet(w, "resource_id", e.ResourceId);
            WriteIfSet(w, "provider", e.Provider);
            WriteIfSet(w, "region", e.Region);
            WriteIfSet(w, "service", e.Service);
            WriteIfSet(w, "account", e.Account);
            if (!e.Tags.IsDefaultOrEmpty)
            {
                w.WriteStartObject("tags");
                foreach (var t in e.Tags)
                {
                    w.WriteString(t.Key, t.Value);
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string value)
    {
        if (value.Length > 0)
        {
            w.WriteString(name, value);
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Drain what is queued into one append per day file; a burst of late events is one write, not one per event.
            var byDay = new SortedDictionary<string, (StringBuilder Text, int Count)>(StringComparer.Ordinal);
            while (reader.TryRead(out var item))
            {
                var day = item.At.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                if (!byDay.TryGetValue(day, out var entry))
                {
                    entry = (new StringBuilder(), 0);
                }

                entry.Text.Append(ToJson(item.Late, item.At)).Append('\n');
                byDay[day] = (entry.Text, entry.Count + 1);
            }

            foreach (var (day, (text, count)) in byDay)
            {
                try
                {
                    System.IO.Directory.CreateDirectory(Directory);
                    await using var file = new FileStream(Path.Combine(Directory, $"late-events-{day}.ndjson"), FileMode.Append, FileAccess.Write, FileShare.Read);
                    await file.WriteAsync(Encoding.UTF8.GetBytes(text.ToString())).ConfigureAwait(false);
                    await file.FlushAsync().ConfigureAwait(false);
                    Interlocked.Add(ref _written, count);
                }
                catch (IOException ex)
                {
                    LastError = $"Writing late events to {Directory}: {ex.Message}";
                    Interlocked.Add(ref _unwritten, count);
                }
                catch (UnauthorizedAccessException ex)
                {
                    LastError = $"Writing late events to {Directory}: {ex.Message}";
                    Interlocked.Add(ref _unwritten, count);
                }
            }
        }
    }
}
