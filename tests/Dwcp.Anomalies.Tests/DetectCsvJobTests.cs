using System.Globalization;
using Dwcp.Anomalies.Csv;

namespace Dwcp.Anomalies.Tests;

public sealed class DetectCsvJobTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("dwcp-anomalies");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, string content)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private static string SeriesCsvText(int n, int spikeAt = -1, int seed = 1)
    {
        var x = Series.Seasonal(n, 24, 1, seed);
        if (spikeAt >= 0)
        {
            x[spikeAt] += 30;
        }

        var lines = x.Select((v, i) => $"{new DateTime(2024, 1, 1).AddHours(i):yyyy-MM-dd HH:mm:ss},{v.ToString("R", CultureInfo.InvariantCulture)}");
        return "timestamp,value\n" + string.Join('\n', lines) + "\n";
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Writes_one_row_per_input_row_with_verbatim_fields_and_flags_the_spike(bool online)
    {
        var input = Write("in.csv", SeriesCsvText(1500, spikeAt: 1400));
        var output = Path.Combine(_dir, "out.csv");
        var result = DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = output, Online = online });
        var inLines = File.ReadAllLines(input);
        var outLines = File.ReadAllLines(output);
        Assert.Equal(DetectCsvJob.OutputHeader, outLines[0]);
        Assert.Equal(inLines.Length, outLines.Length);
        for (var i = 1; i < inLines.Length; i++)
        {
            var f = outLines[i].Split(',');
            Assert.Equal(4, f.Length);
            Assert.Equal(inLines[i], f[0] + "," + f[1]);
            var score = double.Parse(f[2], CultureInfo.InvariantCulture);
            Assert.InRange(score, 0, 1);
            Assert.Equal(score >= 0.95 - 1e-12 ? "1" : "0", f[3]);
        }

        Assert.Equal("1", outLines[1401].Split(',')[3]);
        Assert.Equal(24, result.Files.Single().Period);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Directory_input_mirrors_the_tree()
    {
        Write("a.csv", SeriesCsvText(200, seed: 2));
        Write("sub/b.csv", SeriesCsvText(150, seed: 3));
        Write("sub/deeper/c.csv", SeriesCsvText(120, seed: 4));
        Write("sub/notes.txt", "not a csv");
        var outDir = Path.Combine(_dir, "out");
        var result = DetectCsvJob.Run(new DetectJobOptions { Input = _dir, Output = outDir, Online = true });
        Assert.Equal(3, result.Files.Count);
        Assert.Equal(201, File.ReadAllLines(Path.Combine(outDir, "a.csv")).Length);
        Assert.Equal(151, File.ReadAllLines(Path.Combine(outDir, "sub", "b.csv")).Length);
        Assert.Equal(121, File.ReadAllLines(Path.Combine(outDir, "sub", "deeper", "c.csv")).Length);
        Assert.False(File.Exists(Path.Combine(outDir, "sub", "notes.txt")));
    }

    [Fact]
    public void Empty_file_is_an_input_error()
    {
        var input = Write("empty.csv", "");
        var e = Assert.Throws<AnomalyInputException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv") }));
        Assert.Equal(input, e.FilePath);
        Assert.Contains("empty", e.Message);
    }

    [Fact]
    public void Missing_header_is_an_input_error_on_line_1()
    {
        var input = Write("nohead.csv", "2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\n");
        var e = Assert.Throws<AnomalyInputException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv") }));
        Assert.Equal(1, e.Line);
        Assert.Contains("timestamp,value", e.Message);
    }

    [Fact]
    public void Non_numeric_value_names_the_line_and_field()
    {
        var input = Write("bad.csv", "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,abc\n");
        var e = Assert.Throws<AnomalyInputException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv") }));
        Assert.Equal((3, "value"), (e.Line!.Value, e.Field));
        Assert.Contains("bad.csv:3", e.Message);
        Assert.Contains("'abc'", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "o.csv")));
    }

    [Fact]
    public void Bad_timestamp_names_the_line_and_field()
    {
        var input = Write("badts.csv", "timestamp,value\nyesterday,1\n");
        var e = Assert.Throws<AnomalyInputException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv") }));
        Assert.Equal((2, "timestamp"), (e.Line!.Value, e.Field));
    }

    [Fact]
    public void Online_mode_rejects_time_going_backwards_naming_the_line()
    {
        var input = Write("back.csv", "timestamp,value\n2024-01-01 02:00:00,1\n2024-01-01 03:00:00,2\n2024-01-01 01:00:00,3\n");
        var e = Assert.Throws<AnomalyInputException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv"), Online = true }));
        Assert.Equal((4, "timestamp"), (e.Line!.Value, e.Field));
        Assert.Contains("earlier than the previous", e.Message);
    }

    [Fact]
    public void Batch_mode_sorts_backwards_time_warns_and_keeps_input_order()
    {
        // 60 hourly points with a spike, written with two rows swapped.
        var lines = SeriesCsvText(60, spikeAt: 30).TrimEnd('\n').Split('\n').ToList();
        (lines[11], lines[12]) = (lines[12], lines[11]);
        var input = Write("swapped.csv", string.Join('\n', lines) + "\n");
        var output = Path.Combine(_dir, "o.csv");
        var result = DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = output });
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("swapped.csv:13", warning);
        var outLines = File.ReadAllLines(output);
        for (var i = 1; i < lines.Count; i++)
        {
            Assert.StartsWith(lines[i] + ",", outLines[i]);
        }

        // Same scores as the sorted file, matched by timestamp.
        var sorted = lines.ToList();
        (sorted[11], sorted[12]) = (sorted[12], sorted[11]);
        var sortedInput = Write("sorted.csv", string.Join('\n', sorted) + "\n");
        DetectCsvJob.Run(new DetectJobOptions { Input = sortedInput, Output = Path.Combine(_dir, "s.csv") });
        var sortedOut = File.ReadAllLines(Path.Combine(_dir, "s.csv"));
        Assert.Equal(sortedOut.Skip(1).Order(), outLines.Skip(1).Order());
        Assert.Equal("1", outLines[31].Split(',')[3]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    public void Bad_fp_rate_is_a_usage_error(double fpRate)
    {
        var input = Write("ok.csv", SeriesCsvText(50));
        Assert.Throws<ArgumentException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = input, Output = Path.Combine(_dir, "o.csv"), FpRate = fpRate }));
    }

    [Fact]
    public void Missing_input_is_a_usage_error()
    {
        var e = Assert.Throws<ArgumentException>(() => DetectCsvJob.Run(new DetectJobOptions { Input = Path.Combine(_dir, "nope.csv"), Output = Path.Combine(_dir, "o.csv") }));
        Assert.Contains("does not exist", e.Message);
    }
}
