namespace Dwcp.Anomalies.Csv;

/// <summary>
/// Bad input data for the detect job: says which file, line (1-based, the header is line 1) and field was wrong and
/// what to do. The CLI maps it to exit code 1 (usage errors, thrown as <see cref="ArgumentException"/>, map to 2).
/// </summary>
public sealed class AnomalyInputException : Exception
{
    /// <summary>Creates the exception; the message is composed from the location and the problem.</summary>
    public AnomalyInputException(string filePath, int? line, string? field, string problem)
        : base(Compose(filePath, line, field, problem))
    {
        FilePath = filePath;
        Line = line;
        Field = field;
        Problem = problem;
    }

    /// <summary>The input file.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number, when the problem is on one line.</summary>
    public int? Line { get; }

    /// <summary>The field (<c>timestamp</c> or <c>value</c>), when one field is at fault.</summary>
    public string? Field { get; }

    /// <summary>What was wrong and what to do, without the location.</summary>
    public string Problem { get; }

    private static string Compose(string file, int? line, string? field, string problem) =>
        $"{file}{(line is { } l ? $":{l}" : "")}{(field is null ? "" : $" (field '{field}')")}: {problem}";
}
