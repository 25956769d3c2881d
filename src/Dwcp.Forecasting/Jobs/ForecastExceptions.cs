namespace Dwcp.Forecasting.Jobs;

/// <summary>Base of the errors a forecast job reports; <see cref="ExitCode"/> is what a command line should return.</summary>
public abstract class ForecastJobException : Exception
{
    /// <summary>Creates the exception.</summary>
    protected ForecastJobException(string message)
        : base(message)
    {
    }

    /// <summary>2 for usage errors (bad options), 1 for data errors (bad input file).</summary>
    public abstract int ExitCode { get; }
}

/// <summary>An invalid option (horizon ≤ 0, unknown model, bad level or season, missing file). Exit code 2.</summary>
public sealed class ForecastUsageException : ForecastJobException
{
    /// <summary>Creates the exception naming the option.</summary>
    public ForecastUsageException(string option, string message)
        : base($"Invalid option {option}: {message}")
    {
        Option = option;
    }

    /// <summary>The option at fault, e.g. <c>--horizon</c>.</summary>
    public string Option { get; }

    /// <inheritdoc />
    public override int ExitCode => 2;
}

/// <summary>Bad input data, located by file, line, series and field. Exit code 1.</summary>
public sealed class ForecastInputException : ForecastJobException
{
    /// <summary>Creates the exception; the message is prefixed with the location.</summary>
    public ForecastInputException(string path, int? line, string? seriesId, string? field, string problem)
        : base(Locate(path, line, seriesId, field) + problem)
    {
        Path = path;
        LineNumber = line;
        SeriesId = seriesId;
        Field = field;
    }

    /// <summary>The input file.</summary>
    public string Path { get; }

    /// <summary>1-based line number (the header is line 1), when one line is at fault.</summary>
    public int? LineNumber { get; }

    /// <summary>The series at fault, when known.</summary>
    public string? SeriesId { get; }

    /// <summary>The column at fault (<c>series_id</c>, <c>timestamp</c>, <c>value</c>), when known.</summary>
    public string? Field { get; }

    /// <inheritdoc />
    public override int ExitCode => 1;

    private static string Locate(string path, int? line, string? seriesId, string? field) =>
        path + (line is { } l ? $":{l}" : "") + (seriesId is null ? "" : $" series '{seriesId}'") + (field is null ? "" : $" field '{field}'") + ": ";
}
