using System.Diagnostics;
using System.Text;
using Dwcp.Streaming;
using Dwcp.Streaming.Durability;
using Dwcp.Streaming.Events;

namespace Dwcp.Bench.Streaming;

/// <summary>
/// Micro benchmark of the HTTP accept path's per-event CPU outside the engine: NDJSON decode
/// (<see cref="NdjsonEventParser.Parse"/>) and write-ahead-log encoding (the log's BeginBatch / AddEvent / CommitBatch,
/// CRC and buffered file write, no fsync) of <see cref="BenchData"/> events in batches of 5,000, as the HTTP benchmark
/// sends them. Reports ns and bytes allocated per event for each stage, single thread, best of several rounds.
/// </summary>
public static class ParseBench
{
    private const int Batch = 5_000;
    private const int Rounds = 12;

    /// <summary>Runs the benchmark.</summary>
    /// <param name="count">Events (100,000 by default).</param>
    /// <param name="now">Wall clock (event times end an hour before it).</param>
    public static void Run(int count, DateTimeOffset now)
    {
        var events = BenchData.Generate(count, now, TimeSpan.FromMinutes(2));
        var batches = events.Chunk(Batch)
            .Select(chunk => Encoding.UTF8.GetBytes(string.Join('\n', chunk.Select(KafkaMode.Line)) + "\n"))
            .ToArray();
        Console.WriteLine($"parse bench: {count:N0} events, {batches.Length} NDJSON batches of {Batch:N0}, {batches.Sum(b => (long)b.Length) / (double)count:F0} bytes per line");
        var clock = new FrozenClock(now);
        var parser = new NdjsonEventParser(new ParserOptions(), clock);
        var directory = Path.Combine(Path.GetTempPath(), "dwcp-parse-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var wal = new WriteAheadLog(directory, 1, long.MaxValue);
        try
        {
            var parsed = new List<StreamEvent>[batches.Length];
            var best = (Parse: double.MaxValue, Wal: double.MaxValue, ParseBytes: 0.0, WalBytes: 0.0);
            for (var round = 0; round < Rounds; round++)
            {
                GC.Collect();
                var parseTicks = 0L;
                var parseBytes = 0L;
                var walTicks = 0L;
                var walBytes = 0L;
                var invalid = 0;
                var parseCpu = TimeSpan.Zero;
                var walCpu = TimeSpan.Zero;
                for (var b = 0; b < batches.Length; b++)
                {
                    var cpu = Cpu();
                    var allocated = GC.GetAllocatedBytesForCurrentThread();
                    var start = Stopwatch.GetTimestamp();
                    var lines = parser.Parse(batches[b]);
                    var list = new List<StreamEvent>(lines.Count);
                    foreach (var line in lines)
                    {
                        if (line.Event is { } e)
                        {
                            list.Add(e);
                        }
                        else
                        {
                            invalid++;
                        }
                    }

                    parseTicks += Stopwatch.GetTimestamp() - start;
                    parseBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                    parseCpu += Cpu() - cpu;
                    parsed[b] = list;

                    cpu = Cpu();
                    allocated = GC.GetAllocatedBytesForCurrentThread();
                    start = Stopwatch.GetTimestamp();
                    wal.BeginBatch(now.UtcTicks);
                    foreach (var e in list)
                    {
                        wal.AddEvent(e, e.Timestamp.UtcTicks);
                    }

                    wal.CommitBatch();
                    walTicks += Stopwatch.GetTimestamp() - start;
                    walBytes += GC.GetAllocatedBytesForCurrentThread() - allocated;
                    walCpu += Cpu() - cpu;
                }

                if (invalid > 0)
                {
                    throw new InvalidOperationException($"{invalid} lines were rejected; the benchmark data should all be valid.");
                }

                var perEvent = 1e9 / Stopwatch.Frequency / count;
                Console.WriteLine($"  round {round + 1}: parse {parseTicks * perEvent:F0} ns/event wall, {parseCpu.TotalNanoseconds / count:F0} CPU, {parseBytes / (double)count:F1} B/event; "
                    + $"WAL encode+CRC+write {walTicks * perEvent:F0} ns/event wall, {walCpu.TotalNanoseconds / count:F0} CPU, {walBytes / (double)count:F1} B/event; "
                    + $"total {(parseTicks + walTicks) * perEvent:F0} ns/event wall, {(parseCpu + walCpu).TotalNanoseconds / count:F0} CPU");
                if (round > 0)
                {
                    best = (Math.Min(best.Parse, parseCpu.TotalNanoseconds / count), Math.Min(best.Wal, walCpu.TotalNanoseconds / count), parseBytes / (double)count, walBytes / (double)count);
                }

                wal.Rotate(); // keep the log small: outside the timed part, drop the finished segment
                foreach (var old in Directory.GetFiles(directory, "wal-*.log").Order(StringComparer.Ordinal).SkipLast(1))
                {
                    File.Delete(old);
                }
            }

            Console.WriteLine($"best CPU of rounds 2-{Rounds}: parse {best.Parse:F0} ns/event ({best.ParseBytes:F1} B/event), WAL encode+CRC+write {best.Wal:F0} ns/event ({best.WalBytes:F1} B/event)");
        }
        finally
        {
            wal.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }

    // Process CPU time: single-threaded work (workstation, non-concurrent GC collects on this thread), robust to a loaded machine.
    private static TimeSpan Cpu() => Environment.CpuUsage.TotalTime;
}
