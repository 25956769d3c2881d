using Dwcp.Anomalies.Csv;

namespace Dwcp.Anomalies.Tests;

/// <summary>Online scores depend only on the past: a file cut short scores its rows bit for bit the same.</summary>
public sealed class PrefixInvarianceTests
{
    [Fact]
    public void Online_scores_of_a_prefix_are_identical_bit_for_bit()
    {
        var x = SeriesCsv.Read(RepoPaths.Of("data", "nab", "data", "realKnownCause", "nyc_taxi.csv")).Select(r => r.Value).ToArray();
        var full = OnlineAnomalyDetector.ScoreAll(x);
        foreach (var cut in new[] { 100, 719, 720, 721, 748, 749, 750, 3001 }) // 720: period found; 749: resonance warm-up ends
        {
            var prefix = OnlineAnomalyDetector.ScoreAll(x.AsSpan(0, cut));
            for (var i = 0; i < cut; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(full[i].Score), BitConverter.DoubleToInt64Bits(prefix[i].Score));
                Assert.Equal(full[i].IsAnomaly, prefix[i].IsAnomaly);
            }
        }
    }

    [Fact]
    public void Online_csv_output_of_a_truncated_file_matches_the_full_output_line_for_line()
    {
        var dir = RepoPaths.NewTempDir("dwcp-anomalies");
        var source = RepoPaths.Of("data", "nab", "data", "realKnownCause", "ec2_request_latency_system_failure.csv");
        var lines = File.ReadAllLines(source);
        var cutFile = Path.Combine(dir, "cut.csv");
        File.WriteAllLines(cutFile, lines.Take(2501));
        DetectCsvJob.Run(new DetectJobOptions { Input = source, Output = Path.Combine(dir, "full.out.csv"), Online = true });
        DetectCsvJob.Run(new DetectJobOptions { Input = cutFile, Output = Path.Combine(dir, "cut.out.csv"), Online = true });
        var full = File.ReadAllLines(Path.Combine(dir, "full.out.csv"));
        var cut = File.ReadAllLines(Path.Combine(dir, "cut.out.csv"));
        Assert.Equal(2501, cut.Length);
        Assert.Equal(full.Take(2501), cut);
        Directory.Delete(dir, recursive: true);
    }
}
