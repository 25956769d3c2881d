using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dwcp.Ingest.Csv;

/// <summary>Detects the format of a file from its first bytes and opens CSV text (plain or gzip) for reading.</summary>
internal static class TextInput
{
    private const int SniffBytes = 8192;
    private const string StrictGzipSwitch = "System.IO.Compression.UseStrictValidation";

    /// <summary>Detects the container format from magic bytes: gzip <c>1F 8B</c>, Parquet <c>PAR1</c>, else CSV.</summary>
    public static IngestFormat Detect(string path, string displayName)
    {
        Span<byte> head = stackalloc byte[4];
        int read;
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            read = fs.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IngestException(new IngestError(displayName, 0, null, null, "The file does not exist.",
                "Check the path and the file name."), ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new IngestException(new IngestError(displayName, 0, null, null,
                $"The file cannot be opened ({ex.Message}).", "Check that it exists, is readable and is not locked by another program."), ex);
        }

        if (read == 0)
        {
            throw new IngestException(new IngestError(displayName, 0, null, null, "The file is empty (it has no header line).",
                "Export or download the file again."));
        }

        if (read >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return IngestFormat.CsvGzip;
        }

        return read == 4 && head.SequenceEqual("PAR1"u8) ? IngestFormat.Parquet : IngestFormat.Csv;
    }

    /// <summary>
    /// Opens the CSV text of a plain or gzip file after checking that it is text. For gzip, <paramref name="verifyAtEnd"/>
    /// checks at the end of the stream that nothing was cut off.
    /// </summary>
    public static TextReader Open(string path, string displayName, IngestFormat format, out Action? verifyAtEnd)
    {
        verifyAtEnd = null;
        var sniff = new byte[SniffBytes];
        int n;
        using (var probe = OpenBytes(path, format))
        {
            try
            {
                n = probe.ReadAtLeast(sniff, sniff.Length, throwOnEndOfStream: false);
            }
            catch (InvalidDataException ex)
            {
                throw new IngestException(new IngestError(displayName, 0, null, null,
                    $"The file starts like gzip but its data is corrupt ({ex.Message}).",
                    "Download or export the file again, or check it with 'gzip -t'."), ex);
            }
        }

        CheckIsText(sniff.AsSpan(0, n), displayName, format);
        var stream = OpenBytes(path, format);
        if (format == IngestFormat.CsvGzip)
        {
            var counter = new CountingStream(stream);
            stream = counter;
            var expected = ReadGzipSize(path, displayName);
            var strict = AppContext.TryGetSwitch(StrictGzipSwitch, out var on) && on;
            verifyAtEnd = () =>
            {
                // GZipStream stops quietly at the end of a cut-off file unless strict validation is switched on. ISIZE, the
                // last 4 bytes of a gzip file, is the uncompressed size mod 2^32 of the last member: a mismatch means the
                // stream was cut (or, rarely, that the file is several gzip members concatenated).
                if (!strict && (uint)counter.BytesRead != expected)
                {
                    throw new IngestException(new IngestError(displayName, 0, null, null,
                        $"The gzip stream ended after {counter.BytesRead:N0} bytes of text, but its trailer says {expected:N0} (mod 2^32): the file looks truncated.",
                        "Download or export the file again and check it with 'gzip -t'. If it was made by concatenating " +
                        "several .gz files, decompress it and compress it again as one stream."));
                }
            };
        }

        return new StreamReader(stream, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
    }

    private static Stream OpenBytes(string path, IngestFormat format)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return format == IngestFormat.CsvGzip ? new GZipStream(fs, CompressionMode.Decompress) : fs;
    }

    private static uint ReadGzipSize(string path, string displayName)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (fs.Length < 18)
        {
            throw new IngestException(new IngestError(displayName, 0, null, null,
                $"The gzip file is only {fs.Length} bytes long, shorter than any complete gzip stream: it looks truncated.",
                "Download or export the file again."));
        }

        fs.Seek(-4, SeekOrigin.End);
        Span<byte> tail = stackalloc byte[4];
        fs.ReadExactly(tail);
        return BinaryPrimitives.ReadUInt32LittleEndian(tail);
    }

    private static void CheckIsText(ReadOnlySpan<byte> head, string displayName, IngestFormat format)
    {
        var what = format == IngestFormat.CsvGzip ? "Its gzip content" : "It";
        if (head.StartsWith("PAR1"u8))
        {
            throw new IngestException(new IngestError(displayName, 0, null, null,
                "The file is a gzip-compressed Parquet file, which is not supported.",
                "Decompress it (gunzip) and load the .parquet file."));
        }

        // UTF-16 with a BOM is text: StreamReader decodes it.
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return;
        }

        var control = 0;
        foreach (var b in head)
        {
            if (b == 0)
            {
                control = int.MaxValue;
                break;
            }

            if ((b < 0x20 && b is not (byte)'\t' and not (byte)'\n' and not (byte)'\r' and not 0x0C) || b == 0x7F)
            {
                control++;
            }
        }

        if (control == int.MaxValue || control > head.Length / 20)
        {
            throw new IngestException(new IngestError(displayName, 0, null, null,
                $"The file is not a CSV, CSV.gz or Parquet file: {what.ToLowerInvariant()} contains binary data.",
                "Check that you picked the billing export itself (FOCUS CSV, CSV.gz or Parquet), not an archive, a " +
                "spreadsheet or another file; a .zip must be extracted first."));
        }
    }

    /// <summary>Counts the bytes read through it (the decompressed size of a gzip stream).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = inner.Read(buffer);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
