using System.Buffers.Binary;
using Dwcp.Streaming.Durability;
using Dwcp.Streaming.Windows;

namespace Dwcp.Streaming;

/// <summary>Start (recovery), stop and checkpoints.</summary>
public sealed partial class RealtimeEngine
{
    private const string CheckpointFile = "checkpoint.bin";
    private static readonly byte[] CheckpointMagic = "DWCPCKP1"u8.ToArray();

    /// <summary>
    /// Starts the workers and the watermark timer. With a data directory: restores the last checkpoint, replays the
    /// write-ahead log after it (a torn last record is truncated with a warning) and opens a new log segment.
    /// </summary>
    /// <param name="cancellationToken">Cancels recovery.</param>
    /// <returns>What was recovered.</returns>
    public async Task<RecoveryReport> StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 3, 0) != 0)
        {
            throw new InvalidOperationException("StartAsync was already called on this RealtimeEngine; create a new engine to start again.");
        }

        _host.Hub.Start(_stopping.Token);
        foreach (var partition in _partitions)
        {
            partition.Start();
        }

        var warnings = new List<string>();
        var loaded = false;
        long batches = 0, replayed = 0;
        if (_config.DataDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            long firstSegment = 0;
            var checkpointPath = Path.Combine(directory, CheckpointFile);
            if (File.Exists(checkpointPath))
            {
                firstSegment = LoadCheckpoint(checkpointPath, warnings);
                loaded = true;
            }

            var segments = WriteAheadLog.ListSegments(directory);
            foreach (var (id, path) in segments.Where(s => s.Id < firstSegment))
            {
                File.Delete(path); // covered by the checkpoint; left over from a crash before their deletion
            }

            segments.RemoveAll(s => s.Id < firstSegment);
            for (var i = 0; i < segments.Count; i++)
            {
                foreach (var batch in WriteAheadLog.ReadSegment(segments[i].Path, i == segments.Count - 1, Parser.Interner, warnings))
                {
                    await _gate.WaitAsync(cancellationToken);
                    try
                    {
                        var events = batch.Events.Select(x => x.Event).ToArray();
                        var horizons = batch.Events.Select(x => x.Horizon).ToArray();
                        var counts = ApplyBatchLocked(events, batch.AcceptTicks, horizons, log: false, _clock.GetTimestamp(), out _);
                        if (counts.Duplicates > 0)
                        {
                            warnings.Add($"{segments[i].Path}: {counts.Duplicates} logged events were already in the duplicate filter and were skipped.");
                        }
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    batches++;
                    replayed += batch.Events.Count;
                    if (_host.InFlight >= _config.BufferSize)
                    {
                        await DrainPartitionsAsync(cancellationToken);
                    }
                }
            }

            var nextSegment = Math.Max(firstSegment, segments.Count > 0 ? segments[^1].Id + 1 : 0);
            _wal = new WriteAheadLog(directory, nextSegment, _config.WalSegmentBytes);
            await DrainPartitionsAsync(cancellationToken);
        }

        Recovery = new RecoveryReport(loaded, batches, replayed, warnings);
        var period = TimeSpan.FromMilliseconds(Math.Max(1, _config.MaxLatencyMs / 4));
        _timer = _clock.CreateTimer(_ => OnTimer(), null, period, period);
        Volatile.Write(ref _state, 1);
        return Recovery;
    }

    /// <summary>Stops accepting, applies everything queued, delivers closed windows, writes a checkpoint (open windows
    /// survive the restart) and closes the log. Idempotent.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Completion.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await DrainPartitionsAsync(cancellationToken);
            if (_wal is not null)
            {
                WriteCheckpointLocked(_wal.Rotate());
                _wal.Dispose();
                _wal = null;
            }
        }
        finally
        {
            _gate.Release();
        }

        foreach (var partition in _partitions)
        {
            await partition.StopAsync();
        }

        await _host.Hub.StopAsync();
        await _stopping.CancelAsync();
    }

    /// <summary>Writes a checkpoint now (open windows, duplicate filter, watermark, counters, log position) and deletes
    /// the log segments it covers. Ingest waits while the workers drain.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>Completion.</returns>
    public async Task CheckpointAsync(CancellationToken cancellationToken = default)
    {
        if (_config.DataDirectory is null)
        {
            throw new InvalidOperationException("Checkpoints need StreamingConfig.DataDirectory; this engine keeps state in memory only.");
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_wal is null)
            {
                return;
            }

            var next = _wal.Rotate();
            await DrainPartitionsAsync(cancellationToken);
            WriteCheckpointLocked(next);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void MaybeCheckpoint()
    {
        if (_wal is null || _config.CheckpointEveryEvents <= 0 || Interlocked.Read(ref _acceptedSinceCheckpoint) < _config.CheckpointEveryEvents
            || Interlocked.CompareExchange(ref _checkpointRunning, 1, 0) != 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await CheckpointAsync(_stopping.Token);
            }
#pragma warning disable CA1031 // background checkpoint: a failure is kept as a fault, the log still holds everything
            catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
            {
                _host.Fault(ex);
            }
            finally
            {
                Volatile.Write(ref _checkpointRunning, 0);
            }
        });
    }

    private void WriteCheckpointLocked(long nextSegment)
    {
        var directory = _config.DataDirectory!;
        var temp = Path.Combine(directory, CheckpointFile + ".tmp");

        // Streamed to the file (header first as a placeholder, then length and CRC once the content is known), so the
        // state is never held twice in memory.
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            Span<byte> header = stackalloc byte[16];
            file.Write(header);
            var content = new CrcWriteStream(file);
            using (var writer = new BinaryWriter(content, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(2); // format version (2: panes)
                writer.Write(nextSegment);
                _watermark.Write(writer);
                _dedup.Write(writer);
                _counters.Write(writer);
                writer.Write(_specs.Length);
                foreach (var spec in _specs)
                {
                    writer.Write(spec.SizeTicks);
                    writer.Write(spec.SlideTicks);
                }

                foreach (var partition in _partitions)
                {
                    lock (partition.Lock)
                    {
                        partition.Store.WriteCheckpoint(writer);
                    }
                }

                writer.Write((byte)0);
            }

            var crc = content.Complete();
            if (content.Written > int.MaxValue)
            {
                throw new InvalidOperationException(
                    $"The checkpoint holds {content.Written:N0} bytes, more than the format's 2 GiB; keep fewer series per window (StreamingConfig.MaxSeriesPerWindow), fewer or shorter windows, or a lower SketchMaxBuckets.");
            }

            CheckpointMagic.CopyTo(header);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], (int)content.Written);
            BinaryPrimitives.WriteUInt32LittleEndian(header[12..], crc);
            file.Position = 0;
            file.Write(header);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, Path.Combine(directory, CheckpointFile), overwrite: true);
        foreach (var (id, path) in WriteAheadLog.ListSegments(directory))
        {
            if (id < nextSegment)
            {
                File.Delete(path);
            }
        }

        Interlocked.Exchange(ref _acceptedSinceCheckpoint, 0);
    }

    private long LoadCheckpoint(string path, List<string> warnings)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(CheckpointMagic))
        {
            throw new InvalidDataException($"{path} is not a DWCP streaming checkpoint (bad magic); move it away to recover from the log alone.");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8));
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        if (length != bytes.Length - 16 || Crc32.Compute(bytes.AsSpan(16)) != crc)
        {
            throw new InvalidDataException($"{path} is damaged (length or CRC mismatch); restore it from backup or move it away to recover from the log alone.");
        }

        using var reader = new BinaryReader(new MemoryStream(bytes, 16, length, writable: false));
        var version = reader.ReadInt32();
        if (version is not (1 or 2))
        {
            throw new InvalidDataException($"{path} has format version {version}; this engine reads versions 1 and 2.");
        }

        var nextSegment = reader.ReadInt64();
        _watermark.Read(reader);
        _dedup.Read(reader);
        _counters.Read(reader);
        var specMap = new WindowSpec?[reader.ReadInt32()];
        var savedSpecs = new WindowSpec[specMap.Length];
        for (var i = 0; i < specMap.Length; i++)
        {
            var size = reader.ReadInt64();
            var slide = reader.ReadInt64();
            savedSpecs[i] = new WindowSpec(i, size, slide);
            specMap[i] = Array.Find(_specs, s => s.SizeTicks == size && s.SlideTicks == slide);
            if (specMap[i] is null)
            {
                warnings.Add($"{path}: window size {TimeSpan.FromTicks(size)} slide {TimeSpan.FromTicks(slide)} is no longer configured; its open windows were dropped.");
            }
        }

        var aggregations = _host.Aggregations;
        var unknown = new HashSet<string>();
        var watermark = _watermark.Published;
        var panesFit = WindowSpec.PaneTicksOf(savedSpecs) == WindowSpec.PaneTicksOf(_specs);
        long droppedPaneSeries = 0;
        for (var kind = reader.ReadByte(); kind != 0; kind = reader.ReadByte())
        {
            if (kind == 2)
            {
                // a pane's series (version 2)
                var paneStart = reader.ReadInt64();
                var paneSeries = CheckpointCodec.ReadSeries(reader, _config, aggregations, unknown);
                if (panesFit)
                {
                    PartitionOf(paneSeries.Key).Store.RestorePane(paneStart, paneSeries, watermark);
                }
                else
                {
                    droppedPaneSeries++;
                }

                continue;
            }

            if (kind != 1)
            {
                throw new InvalidDataException($"{path} holds an unknown entry kind {kind}; move it away to recover from the log alone.");
            }

            var spec = specMap[reader.ReadInt32()];
            var start = reader.ReadInt64();
            var series = CheckpointCodec.ReadSeries(reader, _config, aggregations, unknown);
            if (spec is not null)
            {
                PartitionOf(series.Key).Store.RestoreWindow(spec, start, series);
            }
        }

        if (droppedPaneSeries > 0)
        {
            warnings.Add($"{path}: the window sizes changed so that panes have another width ({TimeSpan.FromTicks(WindowSpec.PaneTicksOf(savedSpecs))} saved, {TimeSpan.FromTicks(WindowSpec.PaneTicksOf(_specs))} now); {droppedPaneSeries} open pane series were dropped. Keep the previous sizes until their windows close to avoid this.");
        }

        foreach (var name in unknown)
        {
            warnings.Add($"{path}: custom aggregation '{name}' is not registered; its state was dropped. Register it before StartAsync to keep it.");
        }

        return nextSegment;
    }

    private Engine.Partition PartitionOf(in HashedKey key) => _partitions[(int)(key.Hash % (ulong)_partitions.Length)];
}
