using System.Security.Cryptography;

namespace Dwcp.Demo.Tests;

/// <summary>
/// Streams the default (seed 42) data set once for all tests of the collection: keeps compact facts of every row,
/// the SHA-256 of the canonical rendering, and what the per-row rules of <see cref="RowRules"/> found.
/// </summary>
public sealed class DemoDataFixture
{
    private const int KeptExamples = 10;

    public DemoDataFixture()
    {
        var rows = new List<RowFacts>(320_000);
        var problems = RowRules.All.ToDictionary(r => r.Name, _ => new List<string>());
        var counts = RowRules.All.ToDictionary(r => r.Name, _ => 0);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in Generator.GenerateRows())
        {
            CanonicalText.Append(hash, row);
            rows.Add(RowFacts.Of(row));
            foreach (var rule in RowRules.All)
            {
                foreach (var problem in rule.Check(row))
                {
                    counts[rule.Name]++;
                    if (problems[rule.Name].Count < KeptExamples)
                    {
                        problems[rule.Name].Add($"row {rows.Count}: {problem}");
                    }
                }
            }
        }

        Rows = rows;
        Sha256 = Convert.ToHexString(hash.GetHashAndReset());
        Problems = problems.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value);
        ProblemCounts = counts;
    }

    /// <summary>The generator with default options.</summary>
    public DemoDataGenerator Generator { get; } = new();

    public IReadOnlyList<RowFacts> Rows { get; }

    public string Sha256 { get; }

    /// <summary>Up to ten examples per rule name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Problems { get; }

    public IReadOnlyDictionary<string, int> ProblemCounts { get; }

    /// <summary>Asserts that a rule found nothing, showing examples when it did.</summary>
    public void AssertNoProblems(string rule)
    {
        Assert.True(ProblemCounts[rule] == 0, $"{rule}: {ProblemCounts[rule]} problems, e.g.\n{string.Join("\n", Problems[rule])}");
    }
}

[CollectionDefinition(Name)]
public sealed class DemoDataCollection : ICollectionFixture<DemoDataFixture>
{
    public const string Name = "Seed 42 demo data";
}
