using System.Globalization;
using System.Text;
using Dwcp.Tests;

namespace Dwcp.Ingest.Tests;

[CollectionDefinition(nameof(MemoryCollection), DisableParallelization = true)]
public class MemoryCollection;

/// <summary>Memory must not grow with the file; measured alone (no parallel tests) with full garbage collections.</summary>
[Collection(nameof(MemoryCollection))]
public class StreamingMemoryTests
{
    private const int Rows = 200_000;

    /// <summary>A 200k-row file written line by line; returns its path and the expected BilledCost sum.</summary>
    private static (string Path, decimal Sum) Generate()
    {
        var path = Path.Combine(RepoPaths.NewTempDir(), "big.csv");
        var header = TestCsv.Mandatory.Append("ResourceId").Append("Tags").ToArray();
        decimal sum = 0;
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        w.Write(string.Join(",", header));
        w.Write('\n');
        for (var i = 0; i < Rows; i++)
        {
            var billed = (i % 997) / 1000m + 0.000000000001m;
            sum += billed;
            var row = TestCsv.Row(billed.ToString(CultureInfo.InvariantCulture));
            row["ResourceId"] = "res-" + i.ToString(CultureInfo.InvariantCulture);
            row["ChargeDescription"] = "Usage of resource " + i.ToString(CultureInfo.InvariantCulture) + ", a unique description";
            row["Tags"] = "{\"env\": \"prod\", \"n\": \"" + (i % 50).ToString(CultureInfo.InvariantCulture) + "\"}";
            w.Write(TestCsv.Line(header, row));
            w.Write('\n');
        }

        return (path, sum);
    }

    [Fact]
    public void Reading_200k_rows_keeps_the_live_heap_flat()
    {
        var (path, expectedSum) = Generate();
        try
        {
            ReadAndCheckHeap(path, expectedSum);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static void ReadAndCheckHeap(string path, decimal expectedSum)
    {
        var fileBytes = new FileInfo(path).Length;
        Assert.True(fileBytes > 50_000_000, $"file is {fileBytes:N0} bytes");

        using var reader = FocusFileReader.Open(path);
        decimal sum = 0;
        long count = 0, heapAt20k = 0, heapMax = 0;
        foreach (var row in reader.ReadRows())
        {
            sum += row.BilledCost!.Value;
            count++;
            if (count % 20_000 == 0)
            {
                var heap = GC.GetTotalMemory(forceFullCollection: true);
                heapAt20k = heapAt20k == 0 ? heap : heapAt20k;
                heapMax = Math.Max(heapMax, heap);
            }
        }

        Assert.Equal(Rows, count);
        Assert.Equal(expectedSum, sum);
        Assert.Equal(0, reader.Report.ErrorCount);
        // Keeping every row would add ~1 KB per row (180+ MB between the checkpoints); streaming adds nothing.
        Assert.True(heapMax - heapAt20k < 8_000_000, $"live heap grew by {heapMax - heapAt20k:N0} bytes");
    }

    [Fact]
    public void Reading_200k_rows_allocates_about_the_same_per_row_as_reading_20k()
    {
        var (path, _) = Generate();
        try
        {
            ReadAndCheckAllocations(path);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static void ReadAndCheckAllocations(string path)
    {
        using var reader = FocusFileReader.Open(path);
        var start = GC.GetAllocatedBytesForCurrentThread();
        long at20k = 0, count = 0;
        foreach (var _ in reader.ReadRows())
        {
            if (++count == 20_000)
            {
                at20k = GC.GetAllocatedBytesForCurrentThread() - start;
            }
        }

        var total = GC.GetAllocatedBytesForCurrentThread() - start;
        var perRowFirst = at20k / 20_000.0;
        var perRowAll = total / (double)Rows;

        // No buffer grows with the file: the cost per row stays flat (only the rows themselves are allocated).
        Assert.InRange(perRowAll, perRowFirst * 0.5, perRowFirst * 1.2);
        Assert.True(perRowAll < 4096, $"{perRowAll:N0} bytes allocated per row");
    }
}

/// <summary>The native readers stream too: a generated 200k-row legacy CUR keeps the live heap flat.</summary>
[Collection(nameof(MemoryCollection))]
public class NativeStreamingMemoryTests
{
    [Fact]
    public void Reading_a_200k_row_legacy_cur_keeps_the_live_heap_flat()
    {
        const int rows = 200_000;
        var dir = RepoPaths.NewTempDir();
        try
        {
            var path = Path.Combine(dir, "cur.csv");
            var expected = new Dwcp.Ingest.Native.CurSampleGenerator(seed: 3).WriteFile(path, rows);
            using var reader = Dwcp.Ingest.Native.BillingFileReader.Open(path);
            decimal sum = 0;
            long count = 0, heapAt20k = 0, heapMax = 0;
            foreach (var row in reader.ReadRows())
            {
                sum += row.BilledCost!.Value;
                if (++count % 20_000 == 0)
                {
                    var heap = GC.GetTotalMemory(forceFullCollection: true);
                    heapAt20k = heapAt20k == 0 ? heap : heapAt20k;
                    heapMax = Math.Max(heapMax, heap);
                }
            }

            Assert.Equal(rows, count);
            Assert.Equal(expected, sum);
            Assert.Equal(0, reader.Report.ErrorCount);
            // Keeping the rows would add well over 1 KB each (180+ MB between the checkpoints).
            Assert.True(heapMax - heapAt20k < 8_000_000, $"live heap grew by {heapMax - heapAt20k:N0} bytes");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
