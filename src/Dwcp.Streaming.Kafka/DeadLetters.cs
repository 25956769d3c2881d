using System.Text;
using System.Text.Json;

namespace Dwcp.Streaming.Kafka;

/// <summary>A bad Kafka message (or one bad NDJSON line in it): where it was and why it was refused.</summary>
/// <param name="Topic">Topic.</param>
/// <param name="Partition">Partition.</param>
/// <param name="Offset">Offset of the message.</param>
/// <param name="Line">1-based NDJSON line within the message (0 when the whole message is refused).</param>
/// <param name="Field">The field at fault (<c>line</c>, <c>event_id</c>, <c>timestamp</c>, <c>metrics.cpu</c>, …).</param>
/// <param name="Reason">What was wrong and what to do.</param>
/// <param name="Payload">The message text (UTF-8, cut at the configured limit; invalid UTF-8 is replaced).</param>
/// <param name="PayloadBytes">Length of the whole message value in bytes.</param>
public sealed record DeadLetter(string Topic, int Partition, long Offset, int Line, string Field, string Reason, string Payload, int PayloadBytes)
{
    /// <summary>Whether <see cref="Payload"/> was cut.</summary>
    public bool Truncated => Encoding.UTF8.GetByteCount(Payload) < PayloadBytes;

    /// <summary>One line for logs: <c>topic/partition@offset line N: field: reason</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Topic}/{Partition}@{Offset} line {Line}: {Field}: {Reason}";
}

/// <summary>Takes bad messages. Called from the source's loop before the offsets of their batch are committed.</summary>
public interface IDeadLetterSink : IAsyncDisposable
{
    /// <summary>Stores dead letters durably; the batch's offsets are committed only after this returns.</summary>
    /// <param name="letters">Dead letters of one batch.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completion.</returns>
    ValueTask WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken);
}

/// <summary>
/// Appends dead letters to an NDJSON file (<c>{"topic","partition","offset","line","field","reason","payload","payload_bytes","truncated"}</c>)
/// and flushes it to disk before returning. After a crash a batch may be read again, so a letter can appear twice.
/// </summary>
public sealed class FileDeadLetterSink : IDeadLetterSink
{
    private readonly FileStream _file;

    /// <summary>Opens (appending) or creates the file and its folder.</summary>
    /// <param name="path">The file.</param>
    public FileDeadLetterSink(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(Path) is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
        }

        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    /// <summary>The full path of the file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public async ValueTask WriteAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(letters);
        if (letters.Count == 0)
        {
            return;
        }

        using var buffer = new MemoryStream();
        foreach (var letter in letters)
        {
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("topic", letter.Topic);
                json.WriteNumber("partition", letter.Partition);
                json.WriteNumber("offset", letter.Offset);
                json.WriteNumber("line", letter.Line);
                json.WriteString("field", letter.Field);
                json.WriteString("reason", letter.Reason);
                json.WriteString("payload", letter.Payload);
                json.WriteNumber("payload_bytes", letter.PayloadBytes);
                json.WriteBoolean("truncated", letter.Truncated);
                json.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
        }

        await _file.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _file.DisposeAsync();
}
